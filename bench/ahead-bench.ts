/**
 * What reading the home view's tiles ahead of OpenSeadragon saves, `npm run bench:ahead [-- --runs N]`: the bench page
 * of our viewer (as `npm run bench` runs it: cross-origin slides, 40 ms and 100 Mbit/s through CDP, HTTP cache off, a
 * fresh context per run) with `fetchAhead` on and off (`?fetchAhead=0`), alternating which goes first; medians of
 * `--runs` (8) of the first full viewport, from navigation and from the first request for the slide, with the slide's
 * requests and bytes up to then (equal in both modes when the guess is exact).
 */
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/support/chromium.js';
import { bigSlide } from '../test/support/big-slide.js';
import { FIXTURES } from '../test/support/fixtures.js';
import { RangeServer } from '../test/support/range-server.js';
import { serveBenchPages } from './bench-pages.js';
import { benchNetwork, waitShown } from './bench-network.js';
import { middle as median } from './report.js';

const argv = process.argv.slice(2);
const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 8;
const slides = [{ dir: `${FIXTURES}/real`, file: 'CMU-1-Small-Region.svs' }, { dir: `${FIXTURES}/generated`, file: 'aperio-jpeg-ycbcr-240.svs' }, bigSlide(11)];

const { server: pages, url: pagesUrl } = await serveBenchPages();
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
console.log(`first full viewport, 40 ms / 100 Mbit/s, medians of ${runs}: fetchAhead on / off`);
console.log('| slide | from navigation ms | from the first request ms | requests | kB |');
console.log('|---|---|---|---|---|');
for (const slide of slides) {
  const server = new RangeServer({ root: slide.dir });
  const base = await server.start();
  const rows: Record<'on' | 'off', number[][]> = { on: [], off: [] };
  for (let run = 0; run < runs; run++) {
    for (const mode of run % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await benchNetwork(page, { latencyMs: 40, mbps: 100 });
      const first = server.log.length;
      const query = `slide=${encodeURIComponent(`${base}/${slide.file}`)}${mode === 'off' ? '&fetchAhead=0' : ''}`;
      if (!(await waitShown(page, () => page.goto(`${pagesUrl}/bench/pages/ours.html?${query}`)))) {
        throw new Error(`${slide.file} was not shown (fetchAhead ${mode})`);
      }
      const [viewport, origin] = await page.evaluate(() => [(window as any).bench.marks.fullViewport as number, performance.timeOrigin]);
      const reads = server.log.slice(first).filter((r) => r.path === `/${slide.file}` && r.at <= origin! + viewport!);
      rows[mode].push([viewport!, viewport! - (reads[0]!.at - origin!), reads.length, reads.reduce((n, r) => n + r.bytes, 0) / 1000]);
      await context.close();
    }
  }
  await server.stop();
  const cell = (k: number) => `${Math.round(median(rows.on.map((r) => r[k]!)))} / ${Math.round(median(rows.off.map((r) => r[k]!)))}`;
  console.log(`| ${slide.file} | ${cell(0)} | ${cell(1)} | ${cell(2)} | ${cell(3)} |`);
}
await browser.close();
await pages.stop();
