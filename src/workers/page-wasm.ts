import type { TileCodec } from '../slide/types.js';

interface Pending {
  promise: Promise<WebAssembly.Module>;
  resolve(module: WebAssembly.Module): void;
  reject(error: Error): void;
  failed: boolean;
}

/**
 * The WASM modules the page compiles for this worker (see DecoderPool and wasm-assets.ts), by codec. The pool says a
 * module is coming before it sends any tile of that codec, and sends the module (or why it could not compile it) once
 * it has it; a decoder that needs it meanwhile waits here.
 */
export class PageWasm {
  readonly #modules = new Map<TileCodec, Pending>();

  /** The page is compiling this codec's module. After a failure it is compiled anew, and awaited anew. */
  expect(codec: TileCodec): void {
    const known = this.#modules.get(codec);
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
    this.#modules.set(codec, pending);
  }

  /**
   * The page's module for this codec; its bytes, compiled here where the page's policy forbids it to (this worker's own
   * may allow it); or why the page could not fetch it.
   */
  give(codec: TileCodec, module: WebAssembly.Module | ArrayBuffer | { error: string }): void {
    const pending = this.#modules.get(codec);
    if (!pending || pending.failed) return;
    const fail = (error: Error) => {
      pending.failed = true;
      pending.reject(error);
    };
    if (module instanceof WebAssembly.Module) pending.resolve(module);
    else if (module instanceof ArrayBuffer) WebAssembly.compile(module).then(pending.resolve, fail);
    else fail(new Error(module.error));
  }

  /** The codec's module, once the page has compiled it; a clear error if the page never said it would. */
  module(codec: TileCodec): Promise<WebAssembly.Module> {
    return this.#modules.get(codec)?.promise ?? Promise.reject(new Error(`the page sent this worker no ${codec} WASM module (decode through DecoderPool)`));
  }
}
