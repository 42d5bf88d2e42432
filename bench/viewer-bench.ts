/**
 * `npm run bench [-- --quick] [-- --big] [--runs N] [--latency 40] [--mbps 100]`: our viewer against
 * geotiff-tilesource 2.3.2 on the same slides, server and emulated network, alternately, medians of N runs; then the
 * DICOM rows (bench/dicom-rows.ts: ours against dicom-microscopy-viewer on one Orthanc; `--only DICOM` runs just them).
 * Writes bench/results/<date>.json, latest.json, latest.md and latest.svg.
 */
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/support/chromium.js';
import { NodeFileSource, openSlide } from '../src/node.js';
import { RangeServer, type LoggedRequest } from '../test/support/range-server.js';
import { RoundTripSource } from '../test/support/round-trip-source.js';
import { FIXTURES } from '../test/support/fixtures.js';
import { barChart, markdownTable, median, type RunMetrics, type SlideResult } from './report.js';
import { type AnnotationResult, annotationRows, annotationTable } from './annotation-rows.js';
import { dicomRows, dicomTable } from './dicom-rows.js';
import { today, writeResult } from './results-files.js';
import { bigSlide } from '../test/support/big-slide.js';
import { serveBenchPages } from './bench-pages.js';
import { benchNetwork, waitShown, warmReload } from './bench-network.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string, fallback: number) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : fallback);
const quick = flag('quick');
const runs = value('runs', quick ? 1 : 3);
const latency = value('latency', 40);
const mbps = value('mbps', 100);
/** `--only TEXT`: just the slides whose name contains TEXT (e.g. `--big --only N=40`); written beside, not over, latest. */
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;

/** Slides: fixtures, plus make-big-slide.sh outputs (made once, kept in bench/.slides). */
function slides(): Array<{ name: string; dir: string; file: string }> {
  const list = [
    { name: 'CMU-1-Small-Region.svs', dir: `${FIXTURES}/real`, file: 'CMU-1-Small-Region.svs' },
    { name: 'aperio-jpeg-ycbcr-240.svs', dir: `${FIXTURES}/generated`, file: 'aperio-jpeg-ycbcr-240.svs' },
  ];
  if (quick) return only ? list.filter((slide) => slide.name.includes(only)) : list;
  list.push(
    { name: 'aperio-jp2k-33003-240.svs', dir: `${FIXTURES}/generated`, file: 'aperio-jp2k-33003-240.svs' },
    { name: 'aperio-jp2k-33005-256.svs', dir: `${FIXTURES}/generated`, file: 'aperio-jp2k-33005-256.svs' },
  );
  for (const n of flag('big') ? [11, 40] : [11]) {
    if (only && !`make-big-slide N=${n}`.includes(only)) continue;
    list.push(bigSlide(n));
  }
  return only ? list.filter((slide) => slide.name.includes(only)) : list;
}

/** A fixed script in slide coordinates: overview, three zooms, pans at full resolution. */
function script(width: number, height: number): Array<[number, number, number]> {
  const [cx, cy] = [width / 2, height / 2];
  return [
    [cx, cy, 0.125],
    [cx, cy, 0.25],
    [cx, cy, 0.5],
    [cx, cy, 1],
    [cx + 640, cy, 1],
    [cx + 640, cy + 400, 1],
    [cx - 640, cy + 400, 1],
    [width * 0.25, height * 0.25, 0.5],
  ];
}

async function measure(browser: Browser, server: RangeServer, viewer: Runner, slideUrl: string, slidePath: string, pagesUrl: string): Promise<RunMetrics> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await benchNetwork(page, { latencyMs: latency, mbps });
  const first = server.log.length;
  const pageName = viewer === 'ours' ? 'ours.html?' : viewer === 'ours-early' ? 'ours.html?early&' : `peer.html?drawer=${viewer.slice('peer-'.length)}&`;
  const url = `${pagesUrl}/bench/pages/${pageName}slide=${encodeURIComponent(slideUrl)}`;
  const shown = await waitShown(page, () => page.goto(url));
  const origin = await page.evaluate(() => performance.timeOrigin);
  const requestsSince = (from: number, until?: number) =>
    server.log.slice(from).filter((r) => r.path === slidePath && (until === undefined || r.at <= origin + until));
  if (!shown) {
    await context.close();
    return { shown: false };
  }
  const marks = await page.evaluate(() => (window as any).bench.marks as { metadata: number; firstTile: number; fullViewport: number });
  const firstRequest = requestsSince(first)[0];
  const open = requestsSince(first, marks.metadata);
  const viewport = requestsSince(first, marks.fullViewport);
  const opened = {
    shown: true,
    metadataMs: marks.metadata,
    firstTileMs: marks.firstTile,
    firstViewportMs: marks.fullViewport,
    ...(firstRequest ? { firstRequestMs: firstRequest.at - origin } : {}),
    openRequests: open.length,
    openBytes: sum(open),
    viewportRequests: viewport.length,
    viewportBytes: sum(viewport),
  };
  // The early probe changes only how the page starts: its sequence and reloads are ours' own.
  if (viewer === 'ours-early') {
    await context.close();
    return opened;
  }
  const seqStart = server.log.length;
  const [width, height] = await page.evaluate(() => (window as any).bench.size() as [number, number]);
  const started = Date.now();
  for (const [x, y, zoom] of script(width, height)) {
    await page.evaluate(([x, y, zoom]) => (window as any).bench.goTo(x, y, zoom), [x, y, zoom] as const);
    await page.evaluate(() => (window as any).bench.fullyLoaded());
  }
  const sequenceMs = Date.now() - started;
  const sequence = server.log.slice(seqStart).filter((r) => r.path === slidePath);
  const after = await page.evaluate(() => {
    const w = window as any;
    return {
      longTasks: w.bench.longTasks(),
      heap: w.bench.heap(),
      tilesDrawn: w.bench.tilesDrawn,
      tileBytes: w.wsiStats?.tileCache?.bytesRead as number | undefined,
    };
  });
  const metrics: RunMetrics = {
    ...opened,
    sequenceMs,
    sequenceRequests: sequence.length,
    sequenceBytes: sum(sequence),
    longTaskMs: after.longTasks.total,
    longestTaskMs: after.longTasks.max,
    heapBytes: after.heap,
    tilesDrawn: after.tilesDrawn,
    ...(after.tileBytes !== undefined ? { encodedTileBytes: after.tileBytes } : {}),
  };
  if (viewer === 'ours') {
    const slideRequests = () => server.log.filter((r) => r.path === slidePath).length;
    const warm = await warmReload(page, slideRequests);
    if (warm) {
      metrics.warmViewportMs = warm.viewportMs;
      metrics.warmRequests = warm.requests;
      // And as a returning reader's browser has it: the page's scripts in the HTTP cache too (slide reads never
      // are: they skip it). One reload with the cache on fills it, the next is measured.
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
      const cached = (await warmReload(page, slideRequests)) && (await warmReload(page, slideRequests));
      if (cached) {
        metrics.cachedPageViewportMs = cached.viewportMs;
        metrics.cachedPageRequests = cached.requests;
      }
    }
  }
  await context.close();
  return metrics;
}

/**
 * Our viewer; our viewer on a page that sends the slide's first request while the viewer's code loads
 * (`wsi-stream/early`); and the peer with each of OpenSeadragon's drawers (webgl is its default).
 */
type Runner = 'ours' | 'ours-early' | 'peer-canvas' | 'peer-webgl';

const sum = (log: LoggedRequest[]) => log.reduce((s, r) => s + r.bytes, 0);

/** Round trips our reader's open takes on this file, counted by a source that answers reads in rounds. */
async function openRounds(path: string): Promise<number> {
  const source = new RoundTripSource(new NodeFileSource(path));
  const slide = await openSlide(source);
  // Counted before close, which lets the walk of predicted levels' directories (behind the open) finish.
  const rounds = source.rounds;
  await slide.close();
  return rounds;
}

async function main(): Promise<void> {
  const { server: pages, url: pagesUrl } = await serveBenchPages();
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  const results: SlideResult[] = [];
  for (const slide of slides()) {
    const server = new RangeServer({ root: slide.dir });
    const base = await server.start();
    const runsBy: Record<Runner, RunMetrics[]> = { ours: [], 'ours-early': [], 'peer-canvas': [], 'peer-webgl': [] };
    for (let i = 0; i < runs; i++) {
      // Alternate who goes first, so no one always runs on a warmer machine.
      const order: Runner[] = i % 2 === 0 ? ['ours', 'ours-early', 'peer-canvas', 'peer-webgl'] : ['peer-webgl', 'peer-canvas', 'ours-early', 'ours'];
      for (const viewer of order) {
        runsBy[viewer].push(await measure(browser, server, viewer, `${base}/${slide.file}`, `/${slide.file}`, pagesUrl));
      }
    }
    await server.stop();
    const ours = median(runsBy.ours);
    // The network's floor for the first viewport: the round trips the file's directory chain forces (our reader's open
    // replayed over a source that answers in rounds), one more for the tiles, and our first viewport's bytes.
    const rounds = (await openRounds(join(slide.dir, slide.file))) + 1;
    const bytes = ours.viewportBytes ?? 0;
    const floor = { rounds, bytes, ms: rounds * latency + (bytes * 8) / (mbps * 1000) };
    // The peer at its best on this machine: whichever of OpenSeadragon's drawers showed the first viewport sooner.
    const canvas = median(runsBy['peer-canvas']);
    const webgl = median(runsBy['peer-webgl']);
    const canvasBest = canvas.shown && (!webgl.shown || (canvas.firstViewportMs ?? Infinity) <= (webgl.firstViewportMs ?? Infinity));
    results.push({
      slide: slide.name,
      ours,
      oursEarly: median(runsBy['ours-early']),
      floor,
      peer: canvasBest ? canvas : webgl,
      peerDrawer: canvasBest ? 'canvas' : 'webgl',
      peerDefault: webgl,
    });
    console.log(`${slide.name}: done`);
  }
  const dicom = !only || 'DICOM'.includes(only) ? await dicomRows(browser, pagesUrl, { runs, latencyMs: latency, mbps }) : [];
  let annotations: AnnotationResult | undefined;
  if (!only || 'annotations'.includes(only)) {
    const big = bigSlide(11);
    const server = new RangeServer({ root: big.dir, log: false });
    annotations = await annotationRows(browser, pagesUrl, await server.start(), big.file, runs);
    await server.stop();
  }
  await browser.close();
  await pages.stop();
  const date = today();
  const report = {
    date,
    conditions: { latencyMs: latency, mbps, viewport: '1280x800', runs, pages: 'gzip', peer: 'geotiff-tilesource@2.3.2', openseadragon: '6.1.1' },
    results,
    dicom,
    ...(annotations ? { annotations } : {}),
  };
  const name = only ? `${date}-${only.replace(/[^\w.-]+/g, '_')}` : date;
  writeResult(`${name}.json`, report);
  const tiff = results.length > 0 ? markdownTable(report) : '';
  const table = [tiff, dicom.length > 0 ? dicomTable(dicom, { latencyMs: latency, mbps, runs }) : '', annotations ? annotationTable(annotations, runs) : '']
    .filter(Boolean)
    .join('\n\n');
  if (only) writeResult(`${name}.md`, table);
  else {
    writeResult('latest.json', report);
    writeResult('latest.md', table);
    if (results.length > 0) writeResult('latest.svg', barChart(results));
  }
  console.log(table);
}

await main();
