import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** Pages built for the browser: the demo, the sidecar's viewer page and the test harness. Relative base so they work from any path. */
export default defineConfig({
  base: './',
  // Bundled sample slides, served beside the demo.
  publicDir: 'demo/public',
  worker: { format: 'es' },
  // The OpenJPEG glue is CommonJS: pre-bundle it, or the worker fails to start.
  optimizeDeps: { include: ['@cornerstonejs/codec-openjpeg/decodewasmjs'] },
  build: {
    outDir: 'build/pages',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: {
        demo: resolve(import.meta.dirname, 'demo/index.html'),
        view: resolve(import.meta.dirname, 'view/index.html'),
        harness: resolve(import.meta.dirname, 'e2e/harness/index.html'),
      },
    },
  },
});
