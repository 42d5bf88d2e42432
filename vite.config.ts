import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';

/**
 * Pages built for the browser: the demo, the sidecar's viewer page and the test harness. Relative base so they work
 * from any path. `--mode sidecar-page` builds the viewer page alone into dist/pages, which the npm package carries
 * so that `wsi-stream serve` has its /view page when installed.
 */
export default defineConfig(({ mode }) => (mode === 'sidecar-page' ? sidecarPage : pages));

export const pages: UserConfig = {
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
};

const sidecarPage: UserConfig = {
  ...pages,
  publicDir: false,
  build: { ...pages.build, outDir: 'dist/pages', rolldownOptions: { input: { view: resolve(import.meta.dirname, 'view/index.html') } } },
};
