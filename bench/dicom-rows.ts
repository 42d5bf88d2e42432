/**
 * The DICOM rows of `npm run bench`: our viewer on a DICOM WSI series from Orthanc's DICOMweb and from its Part 10
 * files on a Range server, against dicom-microscopy-viewer (the peer that reads DICOMweb) on the same Orthanc.
 * Everything the viewers fetch from a slide server passes one proxy that emulates the network on the server side,
 * because the peer fetches its frames in a worker, where the browser's own emulation does not reach.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser } from '@playwright/test';
import { FaultProxy } from '../test/support/fault-proxy.js';
import { dicomFiles, referenceJson, REPO_ROOT } from '../test/support/fixtures.js';
import { startOrthanc } from '../test/support/orthanc.js';
import { RangeServer } from '../test/support/range-server.js';
import { median, type RunMetrics } from './report.js';
import { benchNetwork, waitShown, warmReload } from './bench-network.js';

/** The series both viewers show: the CMU slide through OrthancWSIDicomizer (the peer refuses the other fixture series: it has no optical path). */
const SERIES = 'cmu-dicomizer';

export interface DicomResult {
  viewer: string;
  metrics: RunMetrics;
}

/** The peer's bundles where its pages look for them (bench/pages/dmv.ts says why the worker comes from dynamic-import). */
export function copyPeerAssets(out: string): void {
  const dist = join(REPO_ROOT, 'node_modules/dicom-microscopy-viewer/dist');
  mkdirSync(join(out, 'dmv'), { recursive: true });
  mkdirSync(join(out, 'static/js'), { recursive: true });
  copyFileSync(join(dist, 'dicomMicroscopyViewer.bundle.min.js'), join(out, 'dmv/dicomMicroscopyViewer.bundle.min.js'));
  for (const file of readdirSync(join(dist, 'dynamic-import'))) copyFileSync(join(dist, 'dynamic-import', file), join(out, 'static/js', file));
  for (const file of readdirSync(dist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(dist, file), join(out, 'dmv', file));
  copyFileSync(join(REPO_ROOT, 'node_modules/dicomweb-client/build/dicomweb-client.js'), join(out, 'dmv/dicomweb-client.js'));
}

async function run(browser: Browser, url: string, proxies: FaultProxy[], warm: boolean): Promise<RunMetrics> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // Latency and bandwidth come from the proxies in front of the slide servers: the peer fetches in a worker.
  await benchNetwork(page);
  const seen = () => proxies.reduce((n, p) => n + p.log.length, 0);
  const before = seen();
  const shown = (navigate: () => Promise<unknown>) => waitShown(page, navigate);
  if (!(await shown(() => page.goto(url)))) {
    await context.close();
    return { shown: false };
  }
  const cold = await page.evaluate(() => {
    const bench = (window as any).bench;
    return { marks: bench.marks as { metadata: number; fullViewport: number }, longTasks: bench.longTasks(), heap: bench.heap() as number };
  });
  const metrics: RunMetrics = {
    shown: true,
    metadataMs: cold.marks.metadata,
    firstViewportMs: cold.marks.fullViewport,
    viewportRequests: seen() - before,
    longTaskMs: cold.longTasks.total,
    longestTaskMs: cold.longTasks.max,
    heapBytes: cold.heap,
  };
  const reloaded = warm ? await warmReload(page, seen) : undefined;
  if (reloaded) {
    metrics.warmViewportMs = reloaded.viewportMs;
    metrics.warmRequests = reloaded.requests;
  }
  await context.close();
  return metrics;
}

/** Medians of `runs` runs per viewer, the viewers taking turns within each run. */
export async function dicomRows(browser: Browser, pagesUrl: string, options: { runs: number; latencyMs: number; mbps: number }): Promise<DicomResult[]> {
  const shape = { latencyMs: options.latencyMs, mbps: options.mbps };
  const orthanc = await startOrthanc();
  const files = dicomFiles(SERIES);
  const rangeServer = new RangeServer({ root: join(files[0]!, '..'), log: false });
  const dicomweb = new FaultProxy(orthanc.rest, shape);
  const part10 = new FaultProxy(await rangeServer.start(), shape);
  try {
    for (const file of files) await orthanc.upload(file);
    const uid = referenceJson<{ instances: Array<{ sop_instance_uid: string }> }>(SERIES, 'dicom').instances[0]!.sop_instance_uid;
    const { study, series } = await orthanc.seriesOf(uid);
    const webRoot = `${await dicomweb.start()}/dicom-web`;
    const filesBase = await part10.start();
    const enc = encodeURIComponent;
    const viewers: Array<{ viewer: string; url: string; warm: boolean }> = [
      { viewer: 'ours, DICOMweb', url: `ours.html?slide=${enc(`dicomweb:${webRoot}/studies/${study}/series/${series}`)}`, warm: true },
      { viewer: 'ours, Part 10 files by range', url: `ours.html?${files.map((f) => `slide=${enc(`${filesBase}/${basename(f)}`)}`).join('&')}`, warm: true },
      { viewer: 'dicom-microscopy-viewer, bundle build', url: `dmv.html?build=bundle&root=${enc(webRoot)}&study=${study}&series=${series}`, warm: false },
      {
        viewer: 'dicom-microscopy-viewer, dynamic-import build',
        url: `dmv.html?build=dynamic&root=${enc(webRoot)}&study=${study}&series=${series}`,
        warm: false,
      },
    ];
    const runsBy = new Map<string, RunMetrics[]>(viewers.map((v) => [v.viewer, []]));
    for (let i = 0; i < options.runs; i++) {
      // Alternate the order, so no viewer always runs on a warmer Orthanc.
      for (const v of i % 2 === 0 ? viewers : [...viewers].reverse()) {
        runsBy.get(v.viewer)!.push(await run(browser, `${pagesUrl}/bench/pages/${v.url}`, [dicomweb, part10], v.warm));
      }
    }
    return viewers.map((v) => ({ viewer: v.viewer, metrics: median(runsBy.get(v.viewer)!) }));
  } finally {
    await dicomweb.stop();
    await part10.stop();
    await rangeServer.stop();
    await orthanc.stop();
  }
}

const ms = (v?: number) => (v === undefined ? '–' : `${Math.round(v)}`);

/** The DICOM table: each viewer, then ours against the peer's faster build. */
export function dicomTable(results: DicomResult[], conditions: { latencyMs: number; mbps: number; runs: number }): string {
  const peers = results.filter((r) => r.viewer.startsWith('dicom-microscopy-viewer') && r.metrics.shown);
  const best = peers.sort((a, b) => (a.metrics.firstViewportMs ?? Infinity) - (b.metrics.firstViewportMs ?? Infinity))[0];
  const lines = [
    `DICOM WSI (${SERIES}, 5 instances, 2220×2967): ${conditions.latencyMs} ms per request and ${conditions.mbps} Mbit/s shared, emulated at the slide servers; medians of ${conditions.runs}; times from navigation start; peer dicom-microscopy-viewer 0.48.24 on the same Orthanc.`,
    '',
    '| viewer | metadata ms | first full viewport ms | slide requests to it | long tasks ms (max) | heap MB | warm viewport ms / requests | first viewport / peer’s best |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const { viewer, metrics: m } of results) {
    if (!m.shown) {
      lines.push(`| ${viewer} | not shown | | | | | | |`);
      continue;
    }
    const ratio = best?.metrics.firstViewportMs ? (m.firstViewportMs! / best.metrics.firstViewportMs).toFixed(2) : '–';
    lines.push(
      `| ${viewer} | ${ms(m.metadataMs)} | ${ms(m.firstViewportMs)} | ${m.viewportRequests} | ${ms(m.longTaskMs)} (${ms(m.longestTaskMs)}) | ${((m.heapBytes ?? 0) / 1e6).toFixed(0)} | ${m.warmViewportMs === undefined ? '–' : `${ms(m.warmViewportMs)} / ${m.warmRequests}`} | ${viewer === best?.viewer ? '1 (peer’s best)' : ratio} |`,
    );
  }
  return lines.join('\n');
}
