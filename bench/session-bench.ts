/**
 * `npm run bench:session [-- --minutes 30] [--n 40] [--sample-seconds 30] [--warmup-minutes 10] [--seed S]`: a scripted
 * pan/zoom session over a make-big-slide output (N=40 ≈ 2.6 GB) in our viewer with every default on, under the same
 * emulated network as `npm run bench`. Every sample it collects garbage and records the page's JS heap, the live
 * ImageBitmaps, the decoded and encoded tile caches and the renderer's resident memory; at the end it says how much
 * each grew after the warm-up. Writes bench/results/session-<date>.json, session-latest.md and session-latest.svg.
 */
import { parseArgs } from 'node:util';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/support/chromium.js';
import { RangeServer } from '../test/support/range-server.js';
import { rng } from '../test/fuzz/mutations.js';
import { bigSlide } from '../test/support/big-slide.js';
import { serveBenchPages } from './bench-pages.js';
import { today, writeResult } from './results-files.js';
import { rendererResidentBytes } from './renderer-memory.js';
import { type SessionSample, sessionChart, sessionTable, growthAfterWarmup } from './session-report.js';
import { benchNetwork, waitShown } from './bench-network.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    n: { type: 'string', default: '40' },
    'sample-seconds': { type: 'string', default: '30' },
    // The persistent cache fills to its 256 MiB cap in about ten minutes of this walk; its index grows until then.
    'warmup-minutes': { type: 'string', default: '10' },
    seed: { type: 'string', default: '20261202' },
    latency: { type: 'string', default: '40' },
    mbps: { type: 'string', default: '100' },
  },
  strict: true,
});
const number = (name: keyof typeof values): number => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, not "${values[name]}".`);
  return value;
};
const minutes = number('minutes');
const sampleMs = number('sample-seconds') * 1000;
const warmupMs = number('warmup-minutes') * 60_000;
const latency = number('latency');
const mbps = number('mbps');
/** How long one move may take to load before the script moves on (a move that never settles is itself a finding). */
const MOVE_TIMEOUT_MS = 30_000;

/** The next move of a pathologist's session: mostly pans near where they are, sometimes a zoom out and a jump elsewhere. */
function nextMove(random: () => number, at: { x: number; y: number; zoom: number }, width: number, height: number) {
  const roll = random();
  if (roll < 0.6) {
    // A pan of up to one screen at the current zoom.
    const step = 1280 / at.zoom;
    return { x: clamp(at.x + (random() - 0.5) * 2 * step, 0, width), y: clamp(at.y + (random() - 0.5) * 2 * step, 0, height), zoom: at.zoom, animated: true };
  }
  if (roll < 0.85) {
    // In or out by one or two powers of two, between the whole slide and full resolution.
    const zoom = clamp(at.zoom * 2 ** Math.round((random() - 0.5) * 4), 1 / 128, 1);
    return { ...at, zoom, animated: true };
  }
  return { x: random() * width, y: random() * height, zoom: 2 ** -Math.floor(random() * 4), animated: false };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

async function sample(page: Page, cdp: CDPSession, elapsedMs: number, moves: number, stalls: number): Promise<SessionSample> {
  // The forced collection and the heap walk are long tasks of the driver's making: the session's count leaves them out.
  const from = await page.evaluate(() => performance.now());
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const bitmaps = await liveImageBitmaps(cdp);
  const stats = await page.evaluate(() => {
    const s = (window as any).wsiStats;
    // OpenSeadragon's records of tiles (tilesMatrix[level][x][y]), which it keeps unless told to forget them.
    const matrix = (window as any).bench.tileRecords() as Record<string, Record<string, Record<string, unknown>>>;
    const tileRecords = Object.values(matrix).reduce((n, columns) => n + Object.values(columns).reduce((m, column) => m + Object.keys(column).length, 0), 0);
    return {
      tileRecords,
      encodedBytes: s?.tileCache?.bytes ?? 0,
      encodedTiles: s?.tileCache?.entries ?? 0,
      decodedTiles: s?.decodedTiles ?? 0,
      tilesLoaded: s?.tilesLoaded ?? 0,
    };
  });
  await page.evaluate((from) => (window as any).bench.ignoreLongTasks(from, performance.now()), from);
  return { minute: elapsedMs / 60_000, moves, stalls, heapBytes: heap.usedSize, ...bitmaps, ...stats, rendererBytes: rendererResidentBytes() };
}

/** ImageBitmaps the page's heap still holds (after a GC), and how many of them are not closed (a closed one is 0×0). */
async function liveImageBitmaps(cdp: CDPSession): Promise<{ bitmaps: number; openBitmaps: number }> {
  const objectGroup = 'wsi-bench-bitmaps';
  const prototype = await cdp.send('Runtime.evaluate', { expression: 'ImageBitmap.prototype', objectGroup });
  const found = await cdp.send('Runtime.queryObjects', { prototypeObjectId: prototype.result.objectId!, objectGroup });
  const counted = await cdp.send('Runtime.callFunctionOn', {
    objectId: found.objects.objectId!,
    functionDeclaration: 'function () { return [this.length, this.filter((b) => b.width > 0).length]; }',
    returnByValue: true,
  });
  // Else the array of bitmaps found stays referenced, and holds them alive for the next count.
  await cdp.send('Runtime.releaseObjectGroup', { objectGroup });
  const [bitmaps, openBitmaps] = counted.result.value as [number, number];
  return { bitmaps, openBitmaps };
}

/** The counter must see a bitmap the page holds, open and then closed: a count of 0 means none, not a blind counter. */
async function checkBitmapCounter(page: Page, cdp: CDPSession): Promise<void> {
  const before = await liveImageBitmaps(cdp);
  await page.evaluate(async () => {
    (window as any).heldBitmap = await createImageBitmap(new ImageData(1, 1));
  });
  const held = await liveImageBitmaps(cdp);
  await page.evaluate(() => (window as any).heldBitmap.close());
  const closed = await liveImageBitmaps(cdp);
  await page.evaluate(() => delete (window as any).heldBitmap);
  if (held.bitmaps !== before.bitmaps + 1 || held.openBitmaps !== before.openBitmaps + 1 || closed.openBitmaps !== before.openBitmaps) {
    throw new Error(`The ImageBitmap counter is blind: ${JSON.stringify({ before, held, closed })}`);
  }
}

async function main(): Promise<void> {
  const slide = bigSlide(number('n'));
  const { server: pages, url: pagesUrl } = await serveBenchPages();
  const server = new RangeServer({ root: slide.dir, log: false });
  const base = await server.start();
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await benchNetwork(page, { latencyMs: latency, mbps });
  const url = `${pagesUrl}/bench/pages/ours.html?session&slide=${encodeURIComponent(`${base}/${slide.file}`)}`;
  if (!(await waitShown(page, () => page.goto(url), 120_000)))
    throw new Error(`The viewer did not open ${slide.file}: ${await page.evaluate(() => (window as any).benchError)}`);
  const [width, height] = await page.evaluate(() => (window as any).bench.size() as [number, number]);
  await checkBitmapCounter(page, cdp);

  const next = rng(number('seed'));
  let at = { x: width / 2, y: height / 2, zoom: 1 / 64 };
  let moves = 0;
  let stalls = 0;
  const samples: SessionSample[] = [];
  const started = Date.now();
  let nextSample = 0;
  while (Date.now() - started < minutes * 60_000) {
    if (Date.now() - started >= nextSample) {
      samples.push(await sample(page, cdp, Date.now() - started, moves, stalls));
      console.log(JSON.stringify(samples.at(-1)));
      nextSample += sampleMs;
    }
    const move = nextMove(next, at, width, height);
    const settled = page.evaluate(async ({ x, y, zoom, animated }) => {
      const bench = (window as any).bench;
      if (animated) await Promise.race([bench.glide(x, y, zoom), new Promise((r) => setTimeout(r, 3000))]);
      else bench.goTo(x, y, zoom);
      await bench.fullyLoaded();
    }, move);
    const inTime = await Promise.race([settled.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), MOVE_TIMEOUT_MS))]);
    if (!inTime) stalls++;
    at = move;
    moves++;
  }
  samples.push(await sample(page, cdp, Date.now() - started, moves, stalls));
  const longTasks = await page.evaluate(() => (window as any).bench.longTasks() as { total: number; max: number; over50: number });
  const longFrameWork = await page.evaluate(() => (window as any).bench.longFrameWork() as Array<{ what: string; frames: number; ms: number; at: number[] }>);
  await browser.close();
  await server.stop();
  await pages.stop();

  const date = today();
  const report = {
    date,
    slide: slide.name,
    conditions: {
      minutes,
      sampleSeconds: sampleMs / 1000,
      warmupMinutes: warmupMs / 60_000,
      latencyMs: latency,
      mbps,
      viewport: '1280x800',
      seed: number('seed'),
      driverTasksLeftOut: true,
    },
    growthAfterWarmup: growthAfterWarmup(samples, warmupMs / 60_000),
    longTasks,
    longFrameWork,
    samples,
  };
  writeResult(`session-${date}.json`, report);
  const table = sessionTable(report);
  writeResult('session-latest.md', table);
  writeResult('session-latest.svg', sessionChart(samples, warmupMs / 60_000));
  console.log(table);
  console.log('\nWhat the frames over 50 ms spent their time on (the top 15; function names as in the built bundle):');
  for (const w of longFrameWork.slice(0, 15)) console.log(`${Math.round(w.ms)} ms in ${w.frames} frames: ${w.what} (at ${w.at.slice(0, 5).join(', ')} ms)`);
}

await main();
