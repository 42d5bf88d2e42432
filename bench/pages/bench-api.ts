import type OpenSeadragon from 'openseadragon';

/** What the benchmark driver reads and calls in both pages, ours and the peer's: same marks, same moves. */
export interface BenchApi {
  marks: { metadata?: number; firstTile?: number; fullViewport?: number };
  tilesDrawn: number;
  error?: string;
  goTo(x: number, y: number, zoom: number): void;
  /** As `goTo`, but animated the way a user's pan and zoom are: the tiles passed on the way are asked for and dropped. */
  glide(x: number, y: number, zoom: number): Promise<void>;
  fullyLoaded(): Promise<void>;
  /** Main-thread long tasks since the page started, less those `ignoreLongTasks` left out. */
  longTasks(): { total: number; max: number; over50: number };
  /** Leaves out, from then on, the long tasks and frames that overlap `from`–`to` (page times): the driver's own work. */
  ignoreLongTasks(from: number, to: number): void;
  /**
   * What the frames over 50 ms spent their time on (Long Animation Frames), by script (what called it, the function and
   * where it is in its file), style, layout and paint, and the rest of the frame; the most first, each with when its
   * frames began (ms since the page started).
   */
  longFrameWork(): Array<{ what: string; frames: number; ms: number; at: number[] }>;
  heap(): number;
  /** OpenSeadragon's records of the tiles it has considered, by level, column and row (the long session counts them). */
  tileRecords(): unknown;
  /** Full-resolution width and height of the slide on screen. */
  size(): [number, number];
}

/** A Long Animation Frames entry (Chromium 123+), with the script attribution the DOM types do not have yet. */
interface LongAnimationFrame {
  startTime: number;
  duration: number;
  styleAndLayoutStart: number;
  scripts: Array<{ invoker: string; sourceURL: string; sourceFunctionName: string; sourceCharPosition: number; duration: number }>;
}

/** Wires the marks and moves onto a viewer; `openedAt` is when the slide's metadata was known. */
export function benchApi(osd: OpenSeadragon.Viewer, openedAt: number): BenchApi {
  const longTasks: Array<{ start: number; duration: number }> = [];
  const ignored: Array<[number, number]> = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const longFrames: LongAnimationFrame[] = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as unknown as LongAnimationFrame[]) if (e.duration > 50) longFrames.push(e);
  }).observe({ type: 'long-animation-frame', buffered: true });
  // A task or frame that overlaps a window the driver worked in (a forced collection, a heap walk) is left out: one that
  // began just before it is stretched by it too (the long session's frames at its samples, 2026-12-06).
  const ignoredAt = (start: number, duration = 0) => ignored.some(([from, to]) => start <= to && start + duration >= from);
  const api: BenchApi = {
    marks: { metadata: openedAt },
    tilesDrawn: 0,
    goTo(x, y, zoom) {
      const item = osd.world.getItemAt(0)!;
      osd.viewport.zoomTo(item.imageToViewportZoom(zoom), undefined, true);
      osd.viewport.panTo(item.imageToViewportCoordinates(x, y), true);
    },
    glide(x, y, zoom) {
      const item = osd.world.getItemAt(0)!;
      const finished = new Promise<void>((resolve) => osd.addOnceHandler('animation-finish', () => resolve()));
      osd.viewport.zoomTo(item.imageToViewportZoom(zoom));
      osd.viewport.panTo(item.imageToViewportCoordinates(x, y));
      return finished;
    },
    async fullyLoaded() {
      for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
      await new Promise<void>((resolve) => {
        const check = () => (osd.world.getItemAt(0)?.getFullyLoaded() ? resolve() : setTimeout(check, 10));
        check();
      });
    },
    longTasks() {
      const kept = longTasks.filter((t) => !ignoredAt(t.start, t.duration)).map((t) => t.duration);
      return { total: kept.reduce((a, b) => a + b, 0), max: Math.max(0, ...kept), over50: kept.filter((d) => d > 50).length };
    },
    ignoreLongTasks(from, to) {
      ignored.push([from, to]);
    },
    longFrameWork() {
      const work = new Map<string, { frames: number; ms: number; at: number[] }>();
      const add = (what: string, ms: number, start: number) => {
        const entry = work.get(what) ?? { frames: 0, ms: 0, at: [] };
        entry.frames++;
        entry.ms += ms;
        entry.at.push(Math.round(start));
        work.set(what, entry);
      };
      for (const frame of longFrames.filter((f) => !ignoredAt(f.startTime, f.duration))) {
        let scripts = 0;
        for (const s of frame.scripts) {
          add(`${s.invoker} → ${s.sourceFunctionName || '(anonymous)'} (${s.sourceURL.split('/').pop()}:${s.sourceCharPosition})`, s.duration, frame.startTime);
          scripts += s.duration;
        }
        // From styleAndLayoutStart to the frame's end: style, layout, paint and the canvas's rasterising (in software
        // where there is no GPU).
        const end = frame.startTime + frame.duration;
        const styleLayoutPaint = frame.styleAndLayoutStart > 0 ? end - frame.styleAndLayoutStart : 0;
        add('style, layout and paint', styleLayoutPaint, frame.startTime);
        add('other work outside scripts', frame.duration - scripts - styleLayoutPaint, frame.startTime);
      }
      return [...work].map(([what, w]) => ({ what, ...w })).sort((a, b) => b.ms - a.ms);
    },
    heap: () => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize,
    tileRecords: () => (osd.world.getItemAt(0) as unknown as { tilesMatrix: unknown }).tilesMatrix,
    size: () => {
      const d = osd.world.getItemAt(0)!.source.dimensions;
      return [d.x, d.y];
    },
  };
  osd.addHandler('tile-drawn', () => {
    api.tilesDrawn++;
    api.marks.firstTile ??= performance.now();
  });
  osd.addHandler('tile-loaded', () => {
    api.marks.firstTile ??= performance.now();
  });
  const item = () => osd.world.getItemAt(0);
  const watch = () => {
    if (item()?.getFullyLoaded()) {
      api.marks.fullViewport ??= performance.now();
      tellDriver('shown');
    } else requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
  (window as unknown as { bench: BenchApi }).bench = api;
  return api;
}

/**
 * The driver waits for this console line rather than polling the page: polling would inject Playwright's script
 * into the page, about 80 ms of main-thread work in the middle of the phase being measured.
 */
export function tellDriver(outcome: 'shown' | 'error'): void {
  console.debug(`wsi-bench:${outcome}`);
}
