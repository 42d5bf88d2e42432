/**
 * JPEG 2000 decode throughput: tiles per second per worker in headless Chromium (our pool, one worker),
 * against OpenSlide decoding the same tiles on this machine, as a ratio. Run: npm run bench:decode
 */
import { execFileSync } from 'node:child_process';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/support/chromium.js';
import globalSetup from '../e2e/support/global-setup.js';
import { FIXTURES, REPO_ROOT } from '../test/support/fixtures.js';
import { RangeServer } from '../test/support/range-server.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SLIDES = [
  { file: 'aperio-jp2k-33003-240.svs', tile: 240 },
  { file: 'aperio-jp2k-33005-256.svs', tile: 256 },
];
/** A block of level-0 tiles in the tissue, the same for both decoders. */
const COORDS = Array.from({ length: 24 }, (_, i) => [2 + (i % 6), 2 + Math.floor(i / 6)] as const);

async function main(): Promise<void> {
  globalSetup();
  const pages = new RangeServer({ root: `${REPO_ROOT}/build/pages` });
  const pagesUrl = await pages.start();
  const slides = new RangeServer({ root: `${FIXTURES}/generated` });
  const slidesUrl = await slides.start();
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  await page.goto(`${pagesUrl}/e2e/harness/index.html`);
  await page.waitForFunction(() => document.title === 'ready');
  const rows = [];
  for (const { file, tile } of SLIDES) {
    const ours = await page.evaluate(
      async ({ url, coords, rounds }) => {
        const h = (globalThis as any).harness;
        const slide = await h.openSlide(url);
        const pool = h.createDecoderPool({ size: 1 });
        // No named inner functions here: tsx would wrap them in a helper the page does not have.
        const encoded = await Promise.all(coords.map((c: readonly number[]) => slide.readTile(0, c[0], c[1])));
        // Each decode transfers (detaches) the tile's bytes, so every round decodes fresh copies.
        await Promise.all(encoded.map((t: any) => pool.decode({ ...t, bytes: t.bytes.slice() }))); // warm-up: loads the WASM
        const start = performance.now();
        for (let r = 0; r < rounds; r++) await Promise.all(encoded.map((t: any) => pool.decode({ ...t, bytes: t.bytes.slice() })));
        const seconds = (performance.now() - start) / 1000;
        pool.terminate();
        return { tiles: coords.length * rounds, seconds };
      },
      { url: `${slidesUrl}/${file}`, coords: COORDS, rounds: ROUNDS },
    );
    const peer = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [`${REPO_ROOT}/bench/openslide_decode.py`, `${FIXTURES}/generated/${file}`, String(tile), COORDS.map((c) => c.join(',')).join(' '), String(ROUNDS)],
        { encoding: 'utf8' },
      ),
    ) as { tiles: number; seconds: number };
    const oursRate = ours.tiles / ours.seconds;
    const peerRate = peer.tiles / peer.seconds;
    rows.push({ file, ours: oursRate, openslide: peerRate, ratio: oursRate / peerRate });
  }
  await browser.close();
  await pages.stop();
  await slides.stop();
  console.log(`JPEG 2000 decode, ${COORDS.length} level-0 tiles × ${ROUNDS} rounds (ours: 1 worker in headless Chromium; OpenSlide: one Python thread)`);
  console.log('| slide | ours tiles/s/worker | OpenSlide tiles/s | ours/OpenSlide |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.file} | ${r.ours.toFixed(1)} | ${r.openslide.toFixed(1)} | ${r.ratio.toFixed(2)} |`);
}

await main();
