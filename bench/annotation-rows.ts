/**
 * The annotation rows of `npm run bench` (`--only annotations` runs just them): 200,000 polygons imported into the
 * viewer as GeoJSON over a large slide, hit-tested, and panned over at three zooms with the canvas drawer. The page
 * (bench/pages/annotations.ts) records frame intervals and the overlay's own drawing time; this reports their
 * distribution, medians over runs.
 */
import type { Browser } from '@playwright/test';

interface Spread {
  p50: number;
  p95: number;
  max: number;
}

interface ViewResult {
  name: string;
  frames: number;
  shapesInView: number;
  frameMs: Spread;
  overlayMs: Spread;
  overlayFrames: number;
  /** Main-thread long tasks while panning (ms each). */
  longTasks: number[];
}

export interface AnnotationResult {
  slide: string;
  shapes: number;
  problems: number;
  geojsonBytes: number;
  importMs: number;
  firstDrawMs: number;
  hitMs: { mean: number; p50: number; p99: number; max: number };
  views: ViewResult[];
  /** The same pans before the shapes were imported. */
  baseline: ViewResult[];
  longTasks: { count: number; max: number };
}

async function once(browser: Browser, pagesUrl: string, slideUrl: string): Promise<AnnotationResult> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const done = page.waitForEvent('console', { predicate: (m) => m.text() === 'wsi-bench:annotations-done', timeout: 300_000 });
  await page.goto(`${pagesUrl}/bench/pages/annotations.html?slide=${encodeURIComponent(slideUrl)}`);
  await done;
  const result = await page.evaluate(() => (window as unknown as { result: AnnotationResult & { error?: string } }).result);
  await context.close();
  if (result.error) throw new Error(`the annotation bench page failed: ${result.error}`);
  return result;
}

const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function medianViews(all: AnnotationResult[], pick: (r: AnnotationResult) => ViewResult[]): ViewResult[] {
  return pick(all[0]!).map((v, i) => {
    const each = all.map((r) => pick(r)[i]!);
    const spread = (f: (v: ViewResult) => Spread): Spread => ({
      p50: mid(each.map((e) => f(e).p50)),
      p95: mid(each.map((e) => f(e).p95)),
      max: mid(each.map((e) => f(e).max)),
    });
    return {
      ...v,
      frames: mid(each.map((e) => e.frames)),
      shapesInView: mid(each.map((e) => e.shapesInView)),
      frameMs: spread((e) => e.frameMs),
      overlayMs: spread((e) => e.overlayMs),
      // Every run's long tasks: none may hide behind a median.
      longTasks: each.flatMap((e) => e.longTasks),
    };
  });
}

/** Runs the page `runs` times on the slide and keeps, figure by figure, the median run's value. */
export async function annotationRows(browser: Browser, pagesUrl: string, base: string, file: string, runs: number): Promise<AnnotationResult> {
  const all: AnnotationResult[] = [];
  for (let i = 0; i < runs; i++) all.push(await once(browser, pagesUrl, `${base}/${file}`));
  const first = all[0]!;
  return {
    slide: file,
    shapes: first.shapes,
    problems: first.problems,
    geojsonBytes: first.geojsonBytes,
    importMs: mid(all.map((r) => r.importMs)),
    firstDrawMs: mid(all.map((r) => r.firstDrawMs)),
    hitMs: {
      mean: mid(all.map((r) => r.hitMs.mean)),
      p50: mid(all.map((r) => r.hitMs.p50)),
      p99: mid(all.map((r) => r.hitMs.p99)),
      max: mid(all.map((r) => r.hitMs.max)),
    },
    views: medianViews(all, (r) => r.views),
    baseline: medianViews(all, (r) => r.baseline),
    longTasks: { count: mid(all.map((r) => r.longTasks.count)), max: mid(all.map((r) => r.longTasks.max)) },
  };
}

const ms = (v: number) => v.toFixed(1);

export function annotationTable(r: AnnotationResult, runs: number): string {
  return [
    `### Annotations: ${r.shapes.toLocaleString('en')} polygons on ${r.slide} (canvas drawer, 1280×800, medians of ${runs})`,
    '',
    `Import of ${(r.geojsonBytes / 1e6).toFixed(1)} MB of QuPath GeoJSON (parse, check, index): **${ms(r.importMs)} ms**; first frame with them drawn: ${ms(r.firstDrawMs)} ms.`,
    `Hit-testing a click (1,000 random points): mean ${r.hitMs.mean.toFixed(4)} ms; each timed alone (0.1 ms clock) p99 ${r.hitMs.p99.toFixed(1)} ms, max ${r.hitMs.max.toFixed(1)} ms.`,
    `Main-thread long tasks over the whole run, the import included: ${r.longTasks.count}, longest ${ms(r.longTasks.max)} ms.`,
    '',
    '| panning at | shapes drawn | frames in 3 s | frame interval p50 / p95 / max ms | without shapes: frames, p50 / p95 / max ms | overlay draw p50 / p95 / max ms | long tasks (all runs) |',
    '|---|---|---|---|---|---|---|',
    ...r.views.map((v, i) => {
      const b = r.baseline[i]!;
      const spread = (s: Spread) => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.max)}`;
      const tasks = v.longTasks.length ? `${v.longTasks.length}, longest ${ms(Math.max(...v.longTasks))} ms` : 'none';
      return `| ${v.name} | ${v.shapesInView.toLocaleString('en')} | ${v.frames} | ${spread(v.frameMs)} | ${b.frames}, ${spread(b.frameMs)} | ${spread(v.overlayMs)} | ${tasks} |`;
    }),
  ].join('\n');
}
