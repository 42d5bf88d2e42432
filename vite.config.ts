import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** Pages built for the browser: the test harness (and, later, the demo). Relative base so they work from any path. */
export default defineConfig({
  base: './',
  worker: { format: 'es' },
  // The OpenJPEG glue is CommonJS: pre-bundle it, or the worker fails to start.
  optimizeDeps: { include: ['@cornerstonejs/codec-openjpeg/decodewasmjs'] },
  build: {
    outDir: 'build/pages',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      input: { harness: resolve(import.meta.dirname, 'e2e/harness/index.html') },
    },
  },
});
