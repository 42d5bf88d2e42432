/**
 * Our viewer alone, many times, for changes smaller than `npm run bench`'s spread between runs (its medians of 3 move by
 * 20–40 ms): `npm run bench:reload [-- --loads N] [--fill N] [--defaults] [--early] [--slides LIST] [--against REV]`. On the bench page
 * (cross-origin slides, 40 ms and 100 Mbit/s through CDP, a fresh context per load), each slide is opened cold `--loads`
 * times (5); after each, with the page's scripts let into the HTTP cache, reloaded three times and the last two timed
 * (the first fills that cache), as bench's "warm, page cached" column does. Prints the medians of the first full
 * viewport: cold from navigation and from the first request for the slide, and warm; when that first request reached
 * the server, from navigation; the longest main-thread task of the cold loads and how many cold loads had one over 50 ms.
 * - `--fill N` first gives the persistent cache N usage records of other slides, as a long-time reader's browser holds
 *   them.
 * - `--defaults` loads the page with the viewer's defaults (navigator, panel, prefetch: `createViewer` as a user gets
 *   it) instead of the bench's like-for-like settings.
 * - `--early` loads the page that sends the slide's first requests from its early script (`wsi-stream/early`), as the
 *   bench's "with wsi-stream/early" column does; "from the first request" then counts from the early script's.
 * - `--slides` names the slides, comma-separated: fixture paths (`real/CMU-1-Small-Region.svs`) or `N=11` and `N=40`
 *   for make-big-slide's pyramids (N=40 is 2.6 GB, made once in bench/.slides).
 * - `--against REV` also builds the pages of commit REV (a git worktree, see worktree.ts) and runs them beside this
 *   checkout's, load for load, the order switched each load: an A/B in one run, on one machine's one day, which two
 *   runs of this script on two builds are not (this machine's speed moves by more than the changes measured).
 */
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/support/chromium.js';
import { bigSlide } from '../test/support/big-slide.js';
import { FIXTURES } from '../test/support/fixtures.js';
import { RangeServer } from '../test/support/range-server.js';
import { serveBenchPages } from './bench-pages.js';
import { worktreeAt } from './worktree.js';
import { benchNetwork, waitShown, warmReload } from './bench-network.js';
import { middle as median } from './report.js';

const { values } = parseArgs({
  options: {
    loads: { type: 'string', default: '5' },
    fill: { type: 'string', default: '0' },
    defaults: { type: 'boolean', default: false },
    early: { type: 'boolean', default: false },
    slides: { type: 'string', default: 'real/CMU-1-Small-Region.svs,generated/aperio-jpeg-ycbcr-240.svs' },
    against: { type: 'string' },
  },
  strict: true,
});
const count = (name: 'loads' | 'fill'): number => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, not "${values[name]}".`);
  return value;
};
const loads = Math.max(1, count('loads'));
const fill = count('fill');
/** Each slide's folder (the Range server's root) and its path under it. */
const slides = values.slides.split(',').map((name) => {
  const big = /^N=(\d+)$/.exec(name);
  if (!big) return { name, root: FIXTURES, path: name };
  const made = bigSlide(Number(big[1]));
  return { name: made.name, root: made.dir, path: made.file };
});
const query = `${values.defaults ? 'session&' : ''}${values.early ? 'early&' : ''}`;

/** `count` usage records of slides elsewhere, each 10 kB, so that together they stay under the cache's 256 MiB. */
const FILL_USAGE = (count: number) => `new Promise((resolve, reject) => {
  const open = indexedDB.open('wsi-stream-usage');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction('usage', 'readwrite');
    const store = tx.objectStore('usage');
    for (let i = 0; i < ${count}; i++) store.put({ size: 10000, used: Date.now() - 60000 - i }, 'https://elsewhere.test/slide-' + (i % 40) + '.svs|"e"|' + i * 10000 + '|10000');
    tx.oncomplete = () => { open.result.close(); resolve(); };
  };
})`;

const other = values.against === undefined ? undefined : worktreeAt(values.against);
// The other commit's checkout goes however the run ends, a failed build or Ctrl-C included (a signal ends Node without
// its exit handlers unless it is handled): left, `git worktree list` keeps it.
process.on('exit', () => other?.remove());
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  process.once(signal, () => process.exit(code));
const builds: Array<{ label: string; served: Awaited<ReturnType<typeof serveBenchPages>> }> = [{ label: 'this checkout', served: await serveBenchPages() }];
if (other) builds.push({ label: values.against!, served: await serveBenchPages(other.dir) });
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
console.log(
  `first full viewport, 40 ms / 100 Mbit/s, medians of ${loads} cold loads and ${2 * loads} warm reloads${fill ? `, ${fill} usage records kept` : ''}, ${
    values.defaults ? "the viewer's defaults" : "the bench's settings (no navigator, panel or prefetch)"
  }${values.early ? ', the page with wsi-stream/early' : ''}`,
);
console.log(
  '| slide | build | cold ms | cold, from the first request ms | first request ms | warm, page cached ms | longest task ms | cold loads with a task over 50 ms |',
);
console.log('|---|---|---|---|---|---|---|---|');

interface Measured {
  cold: number[];
  fromRequest: number[];
  /** When the slide's first request reached the server, from navigation. */
  firstRequest: number[];
  warm: number[];
  longTasks: number[];
}

/** One cold load of the slide on a build's bench page, then its warm reloads, added to `into`. */
async function coldAndWarm(pagesUrl: string, server: RangeServer, base: string, slide: string, into: Measured): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await benchNetwork(page, { latencyMs: 40, mbps: 100 });
  const first = server.log.length;
  if (!(await waitShown(page, () => page.goto(`${pagesUrl}/bench/pages/ours.html?${query}slide=${encodeURIComponent(`${base}/${slide}`)}`)))) {
    throw new Error(`${slide} was not shown`);
  }
  const origin = await page.evaluate(() => performance.timeOrigin);
  const shownAt = await page.evaluate(() => (window as any).bench.marks.fullViewport as number);
  into.cold.push(shownAt);
  const firstRequest = server.log.slice(first).find((r) => r.path === `/${slide}`)!.at - origin;
  into.firstRequest.push(firstRequest);
  into.fromRequest.push(shownAt - firstRequest);
  into.longTasks.push(await page.evaluate(() => (window as any).bench.longTasks().max as number));
  if (fill) await page.evaluate(FILL_USAGE(fill));
  const requests = () => server.log.filter((r) => r.path === `/${slide}`).length;
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await warmReload(page, requests);
  for (let i = 0; i < 2; i++) {
    const reloaded = await warmReload(page, requests);
    if (reloaded) into.warm.push(reloaded.viewportMs);
  }
  await context.close();
}

try {
  for (const { name, root, path: slide } of slides) {
    const server = new RangeServer({ root });
    const base = await server.start();
    const measured = builds.map((): Measured => ({ cold: [], fromRequest: [], firstRequest: [], warm: [], longTasks: [] }));
    for (let load = 0; load < loads; load++) {
      // Each build goes first in every other load: the first of a pair runs on a machine the second has not warmed.
      const order = builds.map((_, i) => i);
      if (load % 2 === 1) order.reverse();
      for (const i of order) await coldAndWarm(builds[i]!.served.url, server, base, slide, measured[i]!);
    }
    await server.stop();
    builds.forEach(({ label }, i) => {
      const { cold, fromRequest, firstRequest, warm, longTasks } = measured[i]!;
      const over50 = longTasks.filter((ms) => ms > 50).length;
      console.log(
        `| ${name.split('/').pop()} | ${label} | ${Math.round(median(cold))} | ${Math.round(median(fromRequest))} | ${Math.round(median(firstRequest))} | ${Math.round(median(warm))} | ${Math.round(Math.max(...longTasks))} | ${over50} of ${loads} |`,
      );
      console.log(
        `  cold ${cold.map(Math.round).join(', ')}; warm ${warm.map(Math.round).join(', ')}; longest task per cold load ${longTasks.map(Math.round).join(', ')}`,
      );
    });
  }
} finally {
  await browser.close();
  for (const { served } of builds) await served.server.stop();
}
