/**
 * Decode throughput in headless Chromium, `npm run bench:decode`: JPEG 2000 tiles per second per worker (our pool, one
 * worker) against OpenSlide decoding the same tiles on this machine; JPEG tiles to ImageBitmaps (the viewer's path) by
 * our pool against `createImageBitmap(Blob)`, the browser's usual route; and JPEG tiles with the slide's ICC profile
 * applied (to sRGB, and to Display P3) against without it, in the same run.
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
/** The ICC fixtures (generated/icc-*: JPEG tiles, a profile that is not sRGB) and a block of their level-0 tiles. */
const ICC_SLIDES = ['icc-prophoto-cmu.tif', 'icc-adobergb-cmu.svs'];
const ICC_COORDS = Array.from({ length: 16 }, (_, i) => [1 + (i % 4), 1 + Math.floor(i / 4)] as const);
/** JPEG slides of both kinds: CMU-1's tiles are not chroma-subsampled (Aperio's RGB-coded JPEG), the other's are 4:2:0. */
const JPEG_SLIDES = [
  { dir: 'real', file: 'CMU-1-Small-Region.svs' },
  { dir: 'generated', file: 'aperio-jpeg-ycbcr-240.svs' },
] as const;
/** A block of level-0 tiles in the tissue, the same for both decoders. */
const COORDS = Array.from({ length: 24 }, (_, i) => [2 + (i % 6), 2 + Math.floor(i / 6)] as const);

async function main(): Promise<void> {
  globalSetup();
  const pages = new RangeServer({ root: `${REPO_ROOT}/build/pages` });
  const pagesUrl = await pages.start();
  const slides = new RangeServer({ root: `${FIXTURES}/generated` });
  const slidesUrl = await slides.start();
  const realSlides = new RangeServer({ root: `${FIXTURES}/real` });
  const realSlidesUrl = await realSlides.start();
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
  const jpeg = [];
  for (const { dir, file } of JPEG_SLIDES) {
    const rates = await page.evaluate(
      async ({ url, coords, rounds }) => {
        const h = (globalThis as any).harness;
        const slide = await h.openSlide(url);
        const pool = h.createDecoderPool({ size: 1 });
        const encoded = await Promise.all(coords.map((c: readonly number[]) => slide.readTile(0, c[0], c[1])));
        // The browser's usual route, given every advantage: called from the page, its decodes spread over the
        // browser's own threads rather than one worker's. Alternated passes, each warmed up first.
        const best: Record<string, number> = {};
        for (const name of ['ours', 'blob', 'ours', 'blob']) {
          for (let r = -1; r < rounds; r++) {
            const start = performance.now();
            const bitmaps = await Promise.all(
              encoded.map((t: any) =>
                name === 'ours'
                  ? pool.decodeBitmap({ ...t, bytes: t.bytes.slice() })
                  : createImageBitmap(new Blob([t.bytes], { type: 'image/jpeg' }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' }),
              ),
            );
            for (const b of bitmaps) b.close();
            if (r >= 0) best[name] = Math.max(best[name] ?? 0, coords.length / ((performance.now() - start) / 1000));
          }
        }
        pool.terminate();
        return { ours: best.ours!, blob: best.blob! };
      },
      { url: `${dir === 'real' ? realSlidesUrl : slidesUrl}/${file}`, coords: ICC_COORDS, rounds: ROUNDS * 4 },
    );
    jpeg.push({ file, ...rates });
  }
  const colour = [];
  for (const file of ICC_SLIDES) {
    const rates = await page.evaluate(
      async ({ url, coords, rounds }) => {
        const h = (globalThis as any).harness;
        const slide = await h.openSlide(url);
        const pool = h.createDecoderPool({ size: 1 });
        const profile = await slide.colourProfile.read();
        const srgb = (await pool.registerProfile(profile)).id;
        const p3 = (await pool.registerProfile(profile, 'display-p3')).id;
        const encoded = await Promise.all(coords.map((c: readonly number[]) => slide.readTile(0, c[0], c[1])));
        // Alternated passes, so none always runs on a warmer worker; each pass warms up first (the codec and
        // LittleCMS load, the transform is built). No inner named functions: tsx would wrap them in a helper.
        const best: Record<string, number> = {};
        for (const [name, options] of [
          ['plain', {}],
          ['managed', { profile: srgb }],
          ['p3', { profile: p3 }],
          ['plain', {}],
          ['managed', { profile: srgb }],
          ['p3', { profile: p3 }],
        ] as const) {
          for (const t of encoded) (await pool.decodeBitmap({ ...t, bytes: t.bytes.slice() }, options)).close();
          const start = performance.now();
          for (let r = 0; r < rounds; r++) {
            const bitmaps = await Promise.all(encoded.map((t: any) => pool.decodeBitmap({ ...t, bytes: t.bytes.slice() }, options)));
            for (const b of bitmaps) b.close();
          }
          best[name] = Math.max(best[name] ?? 0, (coords.length * rounds) / ((performance.now() - start) / 1000));
        }
        pool.terminate();
        return { plain: best.plain!, managed: best.managed!, p3: best.p3! };
      },
      { url: `${slidesUrl}/${file}`, coords: ICC_COORDS, rounds: ROUNDS * 4 },
    );
    colour.push({ file, ...rates, ratio: rates.managed / rates.plain });
  }
  await browser.close();
  await pages.stop();
  await slides.stop();
  await realSlides.stop();
  console.log(
    `JPEG tiles to ImageBitmaps, ${ICC_COORDS.length} level-0 tiles at a time, the best round of ${ROUNDS * 8} (ours: 1 worker; createImageBitmap(Blob): from the page)`,
  );
  console.log('| slide | ours tiles/s | createImageBitmap(Blob) tiles/s | ours/blob |');
  console.log('|---|---|---|---|');
  for (const r of jpeg) console.log(`| ${r.file} | ${r.ours.toFixed(1)} | ${r.blob.toFixed(1)} | ${(r.ours / r.blob).toFixed(2)} |`);
  console.log('');
  console.log(`ICC colour, ${ICC_COORDS.length} level-0 JPEG tiles × ${ROUNDS * 4} rounds to ImageBitmaps (1 worker; the best of two alternated passes each)`);
  console.log('| slide | stored colours tiles/s | ICC applied (sRGB) tiles/s | applied/stored | ICC applied (Display P3) tiles/s | applied/stored |');
  console.log('|---|---|---|---|---|---|');
  for (const r of colour) {
    console.log(
      `| ${r.file} | ${r.plain.toFixed(1)} | ${r.managed.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.p3.toFixed(1)} | ${(r.p3 / r.plain).toFixed(2)} |`,
    );
  }
  console.log('');
  console.log(`JPEG 2000 decode, ${COORDS.length} level-0 tiles × ${ROUNDS} rounds (ours: 1 worker in headless Chromium; OpenSlide: one Python thread)`);
  console.log('| slide | ours tiles/s/worker | OpenSlide tiles/s | ours/OpenSlide |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.file} | ${r.ours.toFixed(1)} | ${r.openslide.toFixed(1)} | ${r.ratio.toFixed(2)} |`);
}

await main();
