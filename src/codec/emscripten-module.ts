/**
 * An Emscripten module (a WASM codec's glue, LittleCMS's) instantiated on a module the page compiled (see wasm-assets.ts)
 * instead of the WASM the glue would fetch itself once it had loaded and run, a round trip later (JPEG 2000's first
 * tiles waited about 200 ms for the two, in sequence).
 */
export async function emscriptenModule<M>(glue: Promise<{ default: unknown }>, compiled: Promise<WebAssembly.Module>): Promise<M> {
  // Reported through the glue's instantiateWasm below; moot if the glue itself fails to load.
  compiled.catch(() => undefined);
  const factory = (await glue).default as (o: object) => Promise<M>;
  return new Promise<M>((resolve, reject) => {
    // The glue waits for the instance and would wait for ever for one that failed: that failure ends the load instead.
    const instantiateWasm = (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
      compiled.then(async (module) => receive(await WebAssembly.instantiate(module, imports), module)).catch(reject);
      return {};
    };
    factory({ instantiateWasm, print: () => undefined, printErr: () => undefined }).then(resolve, reject);
  });
}
