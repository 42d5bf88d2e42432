import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { RangeServer } from '../test/support/range-server.js';
import { REPO_ROOT } from '../test/support/fixtures.js';
import { copyPeerAssets } from './dicom-rows.js';

/**
 * What the benchmark's static host gzips of a Vite build: its pages, scripts and WASM, as static hosts and CDNs
 * commonly serve them. Served uncompressed, the viewers' code (ours 650 kB, the peer's 434 kB, at 100 Mbit/s) took a
 * share of each first viewport from navigation that such a host does not add.
 */
const PAGE_ASSETS_COMPRESSED = ['.html', '.js', '.css', '.wasm', '.json', '.svg'];

/**
 * Builds the benchmark pages (ours and the peers') of the checkout at `repo` (this one unless another is given, as
 * bench:reload's `--against` does) and serves them; the caller stops the server.
 */
export async function serveBenchPages(repo = REPO_ROOT): Promise<{ server: RangeServer; url: string }> {
  for (const config of ['bench/vite.config.ts', 'bench/vite.early.config.ts']) {
    execFileSync(process.execPath, [join(repo, 'node_modules/vite/bin/vite.js'), 'build', '--config', config, '--logLevel', 'warn'], {
      cwd: repo,
      stdio: 'inherit',
    });
  }
  copyPeerAssets(join(repo, 'build/bench'));
  // As a static host serves a Vite build: gzipped, the hashed assets for a year, the pages checked on every visit.
  // The benchmarks turn the HTTP cache off for every visit but one (the warm reload with the page cached).
  const server = new RangeServer({
    root: join(repo, 'build/bench'),
    log: false,
    compress: PAGE_ASSETS_COMPRESSED,
    cacheControl: (path) => (path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  return { server, url: await server.start() };
}
