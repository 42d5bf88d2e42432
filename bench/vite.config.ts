import { resolve } from 'node:path';
import { defineConfig, mergeConfig } from 'vite';
import { pages as base } from '../vite.config.js';

const root = resolve(import.meta.dirname, '..');

/**
 * The benchmark pages, ours and the peer's. geotiff-tilesource starts its worker from an absolute
 * `/assets/…` URL, which Vite looks up in the public folder: the peer's own dist folder is that folder here.
 */
export default mergeConfig(
  base,
  defineConfig({
    root,
    publicDir: resolve(root, 'node_modules/geotiff-tilesource/dist'),
    build: {
      outDir: resolve(root, 'build/bench'),
      rolldownOptions: {
        input: {
          ours: resolve(root, 'bench/pages/ours.html'),
          peer: resolve(root, 'bench/pages/peer.html'),
          dmv: resolve(root, 'bench/pages/dmv.html'),
          annotations: resolve(root, 'bench/pages/annotations.html'),
        },
      },
    },
  }),
  false,
);
