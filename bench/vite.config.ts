import { resolve } from 'node:path';
import type { UserConfig } from 'vite';
import { pages as base } from '../vite.config.js';

const root = resolve(import.meta.dirname, '..');

/**
 * The benchmark pages, ours and the peer's, and only they: built as an app that has just these pages (merged into the
 * base config, the input kept the demo's, the viewer page's and the test harness's pages too, whose modules the bench
 * pages then shared in chunks of their own). geotiff-tilesource starts its worker from an absolute `/assets/…` URL,
 * which Vite looks up in the public folder: the peer's own dist folder is that folder here.
 */
const bench: UserConfig = {
  ...base,
  root,
  publicDir: resolve(root, 'node_modules/geotiff-tilesource/dist'),
  build: {
    ...base.build,
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
};
export default bench;
