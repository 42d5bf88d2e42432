import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

/**
 * LittleCMS's glue names its WASM as `new URL('lcms.wasm', import.meta.url)`, which a library build would inline into
 * the worker (421 kB of base64). The worker never fetches it: the page compiles that WASM and hands it over
 * (src/codec/wasm-assets.ts). So the worker's reference is cut to the bare name; a glue that changed fails the build.
 */
function littleCmsWasmFromPage(): Plugin {
  const reference = 'new URL("lcms.wasm",import.meta.url).href';
  return {
    name: 'little-cms-wasm-from-page',
    enforce: 'pre',
    transform(code, id) {
      if (!/lcms-wasm[\\/]dist[\\/]lcms\.js$/.test(id)) return undefined;
      if (!code.includes(reference)) this.error(`${id} no longer names its WASM as ${reference}: see littleCmsWasmFromPage`);
      return code.replace(reference, '"lcms.wasm"');
    },
  };
}

/**
 * The browser bundles of the npm package. `vite build -c vite.lib.config.ts` writes the ES module build of
 * `wsi-stream/viewer` (OpenSeadragon left to the app, as a peer dependency); `--mode iife` writes
 * `wsi-stream.iife.js`, one script that sets `window.WsiStream` with OpenSeadragon inside. Both load the decode
 * worker, its JPEG 2000 chunk and the WASM from beside themselves, wherever they are served from.
 */
export default defineConfig(({ mode }) => {
  const iife = mode === 'iife';
  return {
    base: './',
    publicDir: false,
    // One worker file (the WASM codecs' glue inlined): an app's bundler copies it as an asset, and a chunk beside it
    // would be left behind. The WASM (codecs, LittleCMS) is the page's to load (src/codec/wasm-assets.ts).
    worker: { format: 'es', plugins: () => [littleCmsWasmFromPage()], rolldownOptions: { output: { codeSplitting: false } } },
    optimizeDeps: { include: ['@cornerstonejs/codec-openjpeg/decodewasmjs'] },
    build: {
      outDir: 'dist/browser',
      emptyOutDir: !iife,
      target: 'es2022',
      sourcemap: true,
      assetsDir: 'assets',
      lib: iife
        ? { entry: resolve(import.meta.dirname, 'src/bundle/iife.ts'), formats: ['iife'], name: 'WsiStream', fileName: () => 'wsi-stream.iife.js' }
        : { entry: { viewer: resolve(import.meta.dirname, 'src/viewer.ts') }, formats: ['es'], fileName: (_format, name) => `${name}.js` },
      rolldownOptions: iife ? {} : { external: (id: string) => id === 'openseadragon' || id.startsWith('openseadragon/') },
    },
  };
});
