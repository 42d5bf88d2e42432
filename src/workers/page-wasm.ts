import type { WasmName } from '../codec/wasm-assets.js';

interface Pending {
  promise: Promise<WebAssembly.Module>;
  resolve(module: WebAssembly.Module): void;
  reject(error: Error): void;
  failed: boolean;
}

/**
 * The WASM modules the page compiles for this worker (see DecoderPool and wasm-assets.ts), by name. The pool says a
 * module is coming before it sends any tile or profile that needs it, and sends the module (or why it could not) once
 * it has it; a decoder or LittleCMS that needs it meanwhile waits here.
 */
export class PageWasm {
  readonly #modules = new Map<WasmName, Pending>();

  /** The page is compiling this module. After a failure it is compiled anew, and awaited anew. */
  expect(name: WasmName): void {
    const known = this.#modules.get(name);
    if (known && !known.failed) return;
    let resolve!: (module: WebAssembly.Module) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<WebAssembly.Module>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Reported to the decoder that awaits it; none may go unhandled meanwhile.
    promise.catch(() => undefined);
    const pending: Pending = { promise, resolve, reject, failed: false };
    this.#modules.set(name, pending);
  }

  /**
   * The page's module; its bytes, compiled here where the page's policy forbids it to (this worker's own
   * may allow it); or why the page could not fetch it.
   */
  give(name: WasmName, module: WebAssembly.Module | ArrayBuffer | { error: string }): void {
    const pending = this.#modules.get(name);
    if (!pending || pending.failed) return;
    const fail = (error: Error) => {
      pending.failed = true;
      pending.reject(error);
    };
    if (module instanceof WebAssembly.Module) pending.resolve(module);
    else if (module instanceof ArrayBuffer) WebAssembly.compile(module).then(pending.resolve, fail);
    else fail(new Error(module.error));
  }

  /** The module, once the page has compiled it; a clear error if the page never said it would. */
  module(name: WasmName): Promise<WebAssembly.Module> {
    const pending = this.#modules.get(name);
    if (pending) return pending.promise;
    const missing = Promise.reject(new Error(`the page sent this worker no ${name} WASM module (decode through DecoderPool)`));
    // Reported to whoever awaits it, if anyone does (LittleCMS, once loaded, asks again and ignores it).
    missing.catch(() => undefined);
    return missing;
  }
}
