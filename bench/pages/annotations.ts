import OpenSeadragon from 'openseadragon';
import { createViewer, type WsiViewer } from '../../src/viewer.js';

/**
 * The annotation benchmark page: 200,000 nucleus-sized polygons imported as QuPath GeoJSON, hit-tested, and panned
 * over at three zooms with OpenSeadragon's canvas drawer (the one that runs on every machine), recording each
 * frame's interval and the overlay's own drawing time.
 */
const params = new URLSearchParams(location.search);
const slideUrl = params.get('slide')!;
const count = Number(params.get('shapes') ?? 200_000);

/** A fixed-seed generator, so every run draws the same shapes. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function geoJson(width: number, height: number): string {
  const next = random(7);
  const features = [];
  for (let i = 0; i < count; i++) {
    const cx = next() * width;
    const cy = next() * height;
    const r = 6 + next() * 8;
    const ring: number[][] = [];
    for (let k = 0; k < 12; k++) ring.push([cx + r * Math.cos((k * Math.PI) / 6), cy + r * 0.8 * Math.sin((k * Math.PI) / 6)]);
    ring.push(ring[0]!);
    const tumour = next() < 0.3;
    features.push({
      type: 'Feature',
      id: `cell-${i}`,
      geometry: { type: 'Polygon', coordinates: [ring] },
      properties: { objectType: 'detection', classification: tumour ? { name: 'Tumor', color: [200, 0, 0] } : { name: 'Stroma', color: [80, 160, 80] } },
    });
  }
  return JSON.stringify({ type: 'FeatureCollection', features });
}

const quantile = (values: number[], q: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};
const frame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
const longTasks: PerformanceEntry[] = [];
new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({ type: 'longtask', buffered: true });

/** Pans for 3 s at each of three zooms, recording every frame's interval and the overlay's drawing time. */
async function panViews(viewer: WsiViewer) {
  const ann = viewer.annotations!;
  const { width, height } = viewer.slide;
  const image = viewer.osd.world.getItemAt(0);
  const zooms: Array<{ name: string; zoom: number | 'home' }> = [
    { name: 'whole slide', zoom: 'home' },
    { name: 'shapes ~10 px', zoom: 1 / 2 },
    { name: 'full resolution', zoom: 1 },
  ];
  const views = [];
  for (const z of zooms) {
    if (z.zoom === 'home') viewer.osd.viewport.goHome(true);
    else {
      viewer.osd.viewport.zoomTo(image.imageToViewportZoom(z.zoom), undefined, true);
      viewer.osd.viewport.panTo(image.imageToViewportCoordinates(width / 2, height / 2), true);
    }
    for (let i = 0; i < 5; i++) await frame();
    const before = ann.renderStats();
    const intervals: number[] = [];
    const draws: number[] = [];
    let last = await frame();
    const started = last;
    const until = last + 3000;
    // Six-pixel steps each frame, back and forth, as a hand dragging the slide does.
    for (let i = 0; last < until; i++) {
      viewer.osd.viewport.panBy(viewer.osd.viewport.deltaPointsFromPixels(new OpenSeadragon.Point(i % 240 < 120 ? 6 : -6, 2)), true);
      const now = await frame();
      intervals.push(now - last);
      draws.push(ann.renderStats().lastMs);
      last = now;
    }
    views.push({
      name: z.name,
      frames: intervals.length,
      shapesInView: ann.renderStats().shapesDrawn,
      frameMs: { p50: quantile(intervals, 0.5), p95: quantile(intervals, 0.95), max: Math.max(...intervals) },
      overlayMs: { p50: quantile(draws, 0.5), p95: quantile(draws, 0.95), max: Math.max(...draws) },
      overlayFrames: ann.renderStats().frames - before.frames,
      longTasks: longTasks.filter((e) => e.startTime >= started && e.startTime <= last).map((e) => e.duration),
    });
  }
  return views;
}

async function run() {
  const viewer = await createViewer(document.getElementById('viewer')!, slideUrl, {
    navigator: false,
    prefetch: false,
    panel: false,
    annotations: { storage: 'none' },
    osd: { drawer: 'canvas', animationTime: 0 },
  });
  const ann = viewer.annotations!;
  const { width, height } = viewer.slide;
  // The same pans without shapes: what the slide alone costs a frame (after a first pass that loads the tiles).
  await panViews(viewer);
  const baseline = await panViews(viewer);
  const text = geoJson(width, height);
  const importStart = performance.now();
  const imported = ann.import(text, 'geojson');
  const importMs = performance.now() - importStart;
  const firstFrameStart = performance.now();
  await frame();
  await frame();
  const firstDrawMs = performance.now() - firstFrameStart;

  const next = random(11);
  const hits: number[] = [];
  const points = Array.from({ length: 1000 }, () => ({ x: next() * width, y: next() * height }));
  for (const p of points) {
    const t = performance.now();
    ann.hit(p);
    hits.push(performance.now() - t);
  }
  // The browser's clock ticks in 0.1 ms: the mean over all 1,000 says what one click costs below that.
  const allStart = performance.now();
  for (const p of points) ann.hit(p);
  const hitMeanMs = (performance.now() - allStart) / points.length;

  const views = await panViews(viewer);
  return {
    shapes: imported.added.length,
    problems: imported.problems.length,
    geojsonBytes: text.length,
    importMs,
    firstDrawMs,
    hitMs: { mean: hitMeanMs, p50: quantile(hits, 0.5), p99: quantile(hits, 0.99), max: Math.max(...hits) },
    views,
    baseline,
    longTasks: { count: longTasks.length, max: Math.max(0, ...longTasks.map((e) => e.duration)) },
  };
}

run().then(
  (result) => {
    (window as unknown as { result: unknown }).result = result;
    console.debug('wsi-bench:annotations-done');
  },
  (error: unknown) => {
    (window as unknown as { result: unknown }).result = { error: String(error) };
    console.debug('wsi-bench:annotations-done');
  },
);
