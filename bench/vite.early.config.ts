import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(import.meta.dirname, '..');

/**
 * The bench page's early script (`sendEarlyProbe` for its `?slide=`s) as one self-contained file, built after the pages
 * into their assets. Built apart because within the pages' build Vite merges a page's module scripts into one module
 * graph, which runs only once all of it (the viewer's 640 kB) has loaded, and splits what the early script shares with
 * the viewer into a chunk that loads beside the viewer's. ours.html loads it by name (`vite-ignore`).
 */
export default defineConfig({
  root,
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: resolve(root, 'build/bench/assets'),
    emptyOutDir: false,
    target: 'es2022',
    lib: { entry: resolve(root, 'bench/pages/ours-early.ts'), formats: ['es'], fileName: () => 'ours-early.js' },
  },
});
