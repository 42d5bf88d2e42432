/** One sample of the long pan/zoom session (bench/session-bench.ts), taken right after a forced GC. */
export interface SessionSample {
  minute: number;
  moves: number;
  /** Moves whose tiles had not all loaded within the script's timeout. */
  stalls: number;
  heapBytes: number;
  /** ImageBitmap objects the page's heap holds, and how many of them are open (not closed). */
  bitmaps: number;
  openBitmaps: number;
  /** The encoded-tile cache (bytes and tiles) and OpenSeadragon's decoded-tile cache (tiles). */
  encodedBytes: number;
  encodedTiles: number;
  decodedTiles: number;
  tilesLoaded: number;
  /** OpenSeadragon's tile records (absent in runs from before they were counted). */
  tileRecords?: number;
  rendererBytes?: number | undefined;
}

/** The quantities that must stay flat after the warm-up. */
const WATCHED = ['heapBytes', 'openBitmaps', 'bitmaps', 'encodedBytes', 'decodedTiles', 'tileRecords', 'rendererBytes'] as const;
type Watched = (typeof WATCHED)[number];
/** How much a quantity may end above where it stood after the warm-up and still be called flat. */
const FLAT_TOLERANCE = 1.1;

export interface Growth {
  afterWarmup: number;
  end: number;
  max: number;
  ratio: number;
  flat: boolean;
}

const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0;

/**
 * Each watched quantity at the end (median of the last three samples) against just after the warm-up (median of the
 * first three after it), so one sample taken mid-burst does not decide it.
 */
export function growthAfterWarmup(samples: SessionSample[], warmupMinutes: number): Partial<Record<Watched, Growth>> {
  const after = samples.filter((s) => s.minute >= warmupMinutes);
  const out: Partial<Record<Watched, Growth>> = {};
  if (after.length < 2) return out;
  for (const key of WATCHED) {
    const values = after.map((s) => s[key]).filter((v): v is number => typeof v === 'number');
    if (values.length < 2) continue;
    const start = medianOf(values.slice(0, 3));
    const end = medianOf(values.slice(-3));
    const ratio = start === 0 ? (end === 0 ? 1 : Number.POSITIVE_INFINITY) : end / start;
    out[key] = { afterWarmup: start, end, max: Math.max(...values), ratio, flat: ratio <= FLAT_TOLERANCE };
  }
  return out;
}

const mb = (v?: number) => (v === undefined ? '–' : (v / 2 ** 20).toFixed(1));
const shown = (key: Watched, v: number) => (key.endsWith('Bytes') ? `${mb(v)} MB` : String(Math.round(v)));

export function sessionTable(report: {
  slide: string;
  conditions: { minutes: number; warmupMinutes: number; latencyMs: number; mbps: number; driverTasksLeftOut?: boolean };
  growthAfterWarmup: Partial<Record<Watched, Growth>>;
  longTasks: { total: number; max: number; over50: number };
  samples: SessionSample[];
}): string {
  const { conditions: c, samples } = report;
  const last = samples.at(-1);
  const lines = [
    `Long session: ${report.slide}, ${c.minutes} min scripted pan/zoom, ${c.latencyMs} ms / ${c.mbps} Mbit/s, ${last?.moves ?? 0} moves (${last?.stalls ?? 0} did not finish loading in 30 s), ${last?.tilesLoaded ?? 0} tiles loaded; main-thread long tasks (${c.driverTasksLeftOut ? "the driver's forced collections left out" : "the driver's forced collections included"}) ${Math.round(report.longTasks.total)} ms in all, longest ${Math.round(report.longTasks.max)} ms, ${report.longTasks.over50} over 50 ms.`,
    '',
    `| quantity | after ${c.warmupMinutes} min warm-up | end | max after warm-up | end / after warm-up | flat (≤ ${FLAT_TOLERANCE}×) |`,
    '|---|---|---|---|---|---|',
  ];
  for (const [key, g] of Object.entries(report.growthAfterWarmup) as Array<[Watched, Growth]>) {
    lines.push(`| ${key} | ${shown(key, g.afterWarmup)} | ${shown(key, g.end)} | ${shown(key, g.max)} | ${g.ratio.toFixed(2)} | ${g.flat ? 'yes' : 'no'} |`);
  }
  lines.push(
    '',
    '| minute | moves | JS heap MB | open / all ImageBitmaps | encoded MB (tiles) | decoded tiles | tile records | renderer RSS MB |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const s of samples) {
    lines.push(
      `| ${s.minute.toFixed(1)} | ${s.moves} | ${mb(s.heapBytes)} | ${s.openBitmaps} / ${s.bitmaps} | ${mb(s.encodedBytes)} (${s.encodedTiles}) | ${s.decodedTiles} | ${s.tileRecords ?? '–'} | ${mb(s.rendererBytes)} |`,
    );
  }
  return lines.join('\n');
}

const COLOURS: Record<Watched, string> = {
  heapBytes: '#4e79a7',
  openBitmaps: '#f28e2b',
  bitmaps: '#ffbe7d',
  encodedBytes: '#59a14f',
  decodedTiles: '#e15759',
  tileRecords: '#b07aa1',
  rendererBytes: '#76b7b2',
};

/** The curves, each scaled to its own maximum (their units differ), with the warm-up shaded. */
export function sessionChart(samples: SessionSample[], warmupMinutes: number): string {
  const [w, h, left, top, bottom] = [760, 320, 40, 20, 60];
  const end = Math.max(1e-9, samples.at(-1)?.minute ?? 1);
  const x = (minute: number) => left + (minute / end) * (w - left - 20);
  const y = (share: number) => top + (1 - share) * (h - top - bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">`,
    `<rect x="${x(0)}" y="${top}" width="${x(Math.min(warmupMinutes, end)) - x(0)}" height="${h - top - bottom}" fill="#eee"/>`,
    `<text x="${x(0) + 4}" y="${top + 12}" fill="#777">warm-up</text>`,
    `<text x="${w - 20}" y="${top - 6}" text-anchor="end" fill="#777">each curve scaled to its own maximum</text>`,
    `<line x1="${left}" y1="${y(0)}" x2="${w - 20}" y2="${y(0)}" stroke="#999"/>`,
    `<text x="${w - 20}" y="${y(0) + 14}" text-anchor="end">${end.toFixed(0)} min</text>`,
  ];
  WATCHED.forEach((key, i) => {
    const values = samples.map((s) => s[key] ?? 0);
    const max = Math.max(0, ...values);
    const points = samples.map((s, j) => `${x(s.minute).toFixed(1)},${y(values[j]! / Math.max(1, max)).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${COLOURS[key]}" stroke-width="1.5" points="${points}"/>`);
    parts.push(`<text x="${left + (i % 3) * 240}" y="${h - 30 + Math.floor(i / 3) * 14}" fill="${COLOURS[key]}">${key} (max ${shown(key, max)})</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
