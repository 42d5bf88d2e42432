/**
 * Opening time over a network with latency, `npm run bench:open`: `openSlide` alone in headless Chromium, the slides on
 * the page's own origin (where HttpSource may send its suffix range for the tail beside the probe), 40 ms and 100 Mbit/s
 * (CDP), HTTP cache off, a fresh browser context per run; medians of `--runs` (5). Each slide is opened with the suffix
 * range and without it (`http: { tailLength: 0 }`). Run from a checkout of older code, the option is ignored, and both
 * rows measure that code: the before/after comparison in the README came from that.
 */
import { relative, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/support/chromium.js';
import globalSetup from '../e2e/support/global-setup.js';
import { bigSlide } from '../test/support/big-slide.js';
import { FIXTURES, REPO_ROOT } from '../test/support/fixtures.js';
import { RangeServer } from '../test/support/range-server.js';
import { benchNetwork } from './bench-network.js';

const argv = process.argv.slice(2);
const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 5;
const slides = [`${FIXTURES}/real/CMU-1-Small-Region.svs`, `${FIXTURES}/real/ndpi/test3-TRITC-2-560.ndpi`, bigSlide(11).path];

/** The deepest folder holding both paths: one server then serves the page and the slides from one origin. */
function commonRoot(a: string, b: string): string {
  const [x, y] = [resolve(a).split('/'), resolve(b).split('/')];
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return x.slice(0, i).join('/') || '/';
}

globalSetup();
const root = commonRoot(REPO_ROOT, FIXTURES);
const server = new RangeServer({ root, log: false });
const base = await server.start();
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
console.log(`openSlide on the page's origin, 40 ms / 100 Mbit/s, medians of ${runs} (ms)`);
console.log('| slide | with the suffix range | without it (tailLength 0) |');
console.log('|---|---|---|');
for (const path of slides) {
  const medians: string[] = [];
  for (const tailLength of [undefined, 0]) {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${base}/${relative(root, REPO_ROOT)}/build/pages/e2e/harness/index.html`);
      await page.waitForFunction(() => document.title === 'ready');
      await benchNetwork(page, { latencyMs: 40, mbps: 100 });
      const url = `${base}/${relative(root, path)}`;
      times.push(
        await page.evaluate(
          async ({ url, tailLength }) => {
            const start = performance.now();
            const slide = await (globalThis as any).harness.openSlide(url, tailLength === undefined ? {} : { http: { tailLength } });
            const opened = performance.now() - start;
            await slide.close();
            return opened;
          },
          { url, tailLength },
        ),
      );
      await context.close();
    }
    times.sort((a, b) => a - b);
    medians.push(`${times[Math.floor(times.length / 2)]!.toFixed(0)} (${times[0]!.toFixed(0)}–${times.at(-1)!.toFixed(0)})`);
  }
  console.log(`| ${path.split('/').pop()} | ${medians.join(' | ')} |`);
}
await browser.close();
await server.stop();
