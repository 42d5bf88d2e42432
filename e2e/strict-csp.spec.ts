import { resolve } from 'node:path';
import type { Page, Request } from '@playwright/test';
import { RangeServer } from '../test/support/range-server.js';
import { expect, test } from './support/fixtures.js';
import { openAndSettle } from './support/open-and-settle.js';

/**
 * A lab system's page may send a strict Content-Security-Policy: scripts and workers from its own origin, WebAssembly
 * allowed, fetches only to its own origin and the slide server, and no `data:` URL fetched. zstddec fetches its WASM from
 * a `data:` URL, so there ZSTD tiles must decode another way.
 */
function strictPolicy(slidesOrigins: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    `connect-src 'self' ${slidesOrigins.join(' ')}`,
  ].join('; ');
}

/**
 * Opens a slide and waits until its view is drawn (openAndSettle), and returns its stats with the ZSTD decoders whose
 * scripts were fetched meanwhile: zstddec's by its chunk's name, fzstd's (a chunk the bundler names after its `esm`
 * folder) by one of its messages.
 */
async function drawn(page: Page, url: string): Promise<{ stats: any; decoders: string[] }> {
  const decoders = new Set<string>();
  const scripts: Array<Promise<void>> = [];
  const listen = (request: Request) => {
    if (!request.url().endsWith('.js')) return;
    if (/zstddec[^/]*\.js$/.test(request.url())) decoders.add('zstddec');
    scripts.push(
      request.response().then(async (response) => {
        if ((await response?.text())?.includes('invalid zstd data')) decoders.add('fzstd');
      }),
    );
  };
  page.context().on('requestfinished', listen);
  const stats = await openAndSettle(page, url);
  page.context().off('requestfinished', listen);
  await Promise.all(scripts);
  return { stats, decoders: [...decoders].sort() };
}

test.describe('a page with a strict Content-Security-Policy', () => {
  test('draws a JPEG slide, and a ZSTD slide through the JavaScript decoder, since zstddec’s data: URL is refused', async ({ harness: page, servers }) => {
    // The built pages again, from a server that sends the policy with every file: a dedicated worker runs under the
    // policy its own script came with.
    const policy = strictPolicy(Object.values(servers.slides).map((s) => new URL(s.url).origin));
    const strict = new RangeServer({ root: resolve(import.meta.dirname, '../build/pages'), headers: { 'Content-Security-Policy': policy } });
    await page.goto(`${await strict.start()}/e2e/harness/index.html`);
    try {
      await expect(page).toHaveTitle('ready');

      const jpeg = await drawn(page, servers.slideUrl('CMU-1-Small-Region.svs'));
      expect([jpeg.stats.tilesLoaded > 0, jpeg.stats.tilesFailed]).toEqual([true, 0]);

      const zstd = await drawn(page, servers.slideUrl('yb10kx5k.zstd.tiff'));
      expect([zstd.stats.tilesLoaded > 0, zstd.stats.tilesFailed]).toEqual([true, 0]);
      // zstddec was tried and refused; fzstd drew the tiles.
      expect(zstd.decoders).toEqual(['fzstd', 'zstddec']);
    } finally {
      await strict.stop();
    }
  });

  test('JPEG 2000 draws where the page may not compile WebAssembly but its workers may: they compile its bytes', async ({ page, servers }) => {
    // The policy without 'wasm-unsafe-eval', sent with the page alone, as by a server that sets it on its HTML: the
    // worker's script comes without one.
    const policy = strictPolicy(Object.values(servers.slides).map((s) => new URL(s.url).origin)).replace(" 'wasm-unsafe-eval'", '');
    const strict = new RangeServer({
      root: resolve(import.meta.dirname, '../build/pages'),
      headers: (path) => (path.endsWith('.html') ? { 'Content-Security-Policy': policy } : undefined),
    });
    await page.goto(`${await strict.start()}/e2e/harness/index.html`);
    try {
      await expect(page).toHaveTitle('ready');
      const pageCompiles = await page.evaluate(() => {
        try {
          new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
          return true;
        } catch {
          return false;
        }
      });
      expect(pageCompiles).toBe(false);
      const stats = await openAndSettle(page, servers.slideUrl('aperio-jp2k-33005-256.svs'));
      expect([stats.tilesLoaded > 0, stats.tilesFailed, stats.decoder.failed]).toEqual([true, 0, 0]);
    } finally {
      await strict.stop();
    }
  });
});
