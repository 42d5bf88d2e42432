import { expect, type Page, test } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decode } from 'fast-png';
import { build } from 'vite';
import { RangeServer } from '../test/support/range-server.js';
import { FIXTURES } from '../test/support/fixtures.js';
import { EXAMPLES_DIR, installPackedLibrary, stageExample } from './support/packed.js';

const CDN_SCRIPT = 'https://cdn.jsdelivr.net/npm/wsi-stream@0.1/dist/browser/wsi-stream.iife.js';
// CMU-1-Small-Region: level 0 and the number of levels OpenSlide reports.
const EXPECTED = /^2220 × 2967 px, 1 levels, [1-9]\d* tiles loaded$/;
// The JPEG 2000 (33005) fixture: the same image in two levels.
const EXPECTED_JP2K = /^2220 × 2967 px, 2 levels, [1-9]\d* tiles loaded$/;

let pages: RangeServer;
let pagesUrl: string;
let slides: RangeServer;
let slideUrl: string;
let jp2kUrl: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  installPackedLibrary();
  for (const name of ['react', 'vue']) {
    const root = stageExample(name);
    await build({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: resolve(root, 'dist') } });
  }
  const scriptTag = stageExample('script-tag');
  pages = new RangeServer({ root: EXAMPLES_DIR });
  pagesUrl = await pages.start();
  // The package served from another origin, as a CDN would: the page must start its workers across origins.
  const cdnUrl = pagesUrl.replace('127.0.0.1', 'localhost');
  const html = readFileSync(resolve(scriptTag, 'index.html'), 'utf8');
  expect(html).toContain(CDN_SCRIPT);
  writeFileSync(resolve(scriptTag, 'index.html'), html.replace(CDN_SCRIPT, `${cdnUrl}/node_modules/wsi-stream/dist/browser/wsi-stream.iife.js`));
  slides = new RangeServer({ root: FIXTURES });
  const slidesUrl = await slides.start();
  slideUrl = `${slidesUrl}/real/CMU-1-Small-Region.svs`;
  jp2kUrl = `${slidesUrl}/generated/aperio-jp2k-33005-256.svs`;
});

test.afterAll(async () => {
  await pages?.stop();
  await slides?.stop();
});

for (const [name, path] of [
  ['React', 'react/dist/index.html'],
  ['Vue', 'vue/dist/index.html'],
  ['script tag (package on another origin)', 'script-tag/index.html'],
] as const) {
  test(`the ${name} example renders a slide`, async ({ page }) => {
    await rendersSlide(page, path, slideUrl, EXPECTED);
  });
}

// OpenJPEG's WASM is a file beside the package's bundle, which the page fetches and compiles for its workers: the
// React app's bundler must have found and copied it, and the script tag must fetch it from the CDN beside its script.
for (const [name, path, wasmFrom] of [
  ['React', 'react/dist/index.html', 'pages'],
  ['script tag (package on another origin)', 'script-tag/index.html', 'cdn'],
] as const) {
  test(`the ${name} example renders a JPEG 2000 slide, OpenJPEG's WASM fetched once from beside the bundle`, async ({ page }) => {
    const wasm: string[] = [];
    page.context().on('request', (request) => {
      if (/openjpeg[^/]*\.wasm$/.test(new URL(request.url()).pathname)) wasm.push(request.url());
    });
    await rendersSlide(page, path, jp2kUrl, EXPECTED_JP2K);
    expect(wasm).toHaveLength(1);
    const origin = new URL(pagesUrl);
    if (wasmFrom === 'cdn') origin.hostname = 'localhost';
    expect(new URL(wasm[0]!).origin).toBe(origin.origin);
  });
}

/** Opens an example page on a slide and checks it was drawn from worker-decoded tiles, with no page error. */
async function rendersSlide(page: Page, path: string, slide: string, expected: RegExp): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await page.goto(`${pagesUrl}/${path}?slide=${encodeURIComponent(slide)}`);
  await expect(page.locator('output')).toHaveText(expected, { timeout: 30_000 });
  expect(workers.length).toBeGreaterThan(0);
  // From another origin the worker can only start through a same-origin blob that imports the CDN's script.
  if (path.startsWith('script-tag')) expect(workers.every((url) => url.startsWith('blob:'))).toBe(true);
  // Tiles were decoded by the worker and drawn: the view holds tissue, not the empty background.
  const shot = decode(await page.locator('.openseadragon-canvas').first().screenshot());
  const colours = new Set<number>();
  for (let i = 0; i < shot.data.length; i += 4 * 97) colours.add((shot.data[i]! << 16) | (shot.data[i + 1]! << 8) | shot.data[i + 2]!);
  expect(colours.size).toBeGreaterThan(100);
  expect(errors).toEqual([]);
}
