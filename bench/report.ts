export interface RunMetrics {
  shown: boolean;
  metadataMs?: number;
  firstTileMs?: number;
  firstViewportMs?: number;
  /** When the first request for the slide reached its server (from navigation start). */
  firstRequestMs?: number;
  sequenceMs?: number;
  openRequests?: number;
  openBytes?: number;
  viewportRequests?: number;
  viewportBytes?: number;
  sequenceRequests?: number;
  sequenceBytes?: number;
  longTaskMs?: number;
  longestTaskMs?: number;
  heapBytes?: number;
  tilesDrawn?: number;
  encodedTileBytes?: number;
  warmViewportMs?: number;
  warmRequests?: number;
  /** The warm reload again with the page's scripts in the HTTP cache, as a returning reader's browser has them. */
  cachedPageViewportMs?: number;
  cachedPageRequests?: number;
}

export interface SlideResult {
  slide: string;
  ours: RunMetrics;
  /** Our first viewport on a page that sends the slide's first request while the viewer's code loads (`wsi-stream/early`). */
  oursEarly?: RunMetrics;
  /** The network's floor for the first viewport: `rounds` × latency + `bytes` ÷ bandwidth. */
  floor?: { rounds: number; bytes: number; ms: number };
  /** The peer at its best here: with whichever drawer showed the first viewport sooner. */
  peer: RunMetrics;
  peerDrawer?: 'canvas' | 'webgl';
  /** The peer with OpenSeadragon's default drawer (webgl), as it runs unless told otherwise. */
  peerDefault?: RunMetrics;
}

/** The middle of `values` (the upper one of an even count). */
export function middle(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** Per-metric medians over runs; a viewer that could not show the slide in some run is reported as not shown. */
export function median(runs: RunMetrics[]): RunMetrics {
  if (runs.length === 0 || runs.some((r) => !r.shown)) return { shown: false };
  const out: RunMetrics = { shown: true };
  const keys = new Set(runs.flatMap((r) => Object.keys(r))) as Set<keyof RunMetrics>;
  for (const key of keys) {
    if (key === 'shown') continue;
    const values = runs
      .map((r) => r[key])
      .filter((v): v is number => typeof v === 'number')
      .sort((a, b) => a - b);
    if (values.length) (out as unknown as Record<string, number>)[key] = values[Math.floor((values.length - 1) / 2)]!;
  }
  return out;
}

const ms = (v?: number) => (v === undefined ? '–' : `${Math.round(v)}`);
const kb = (v?: number) => (v === undefined ? '–' : `${(v / 1024).toFixed(0)}`);
const ratio = (a?: number, b?: number) => (a === undefined || b === undefined || b === 0 ? '–' : `${(a / b).toFixed(2)}`);

/** One table: ours against `peerOf(result)` for every slide, with the ratio row. */
function slideTable(results: SlideResult[], peerOf: (r: SlideResult) => RunMetrics | undefined, peerName: (r: SlideResult) => string): string[] {
  const lines = [
    '| slide | viewer | metadata ms | first tile ms | first viewport ms | from 1st request ms | sequence ms | open req / kB | viewport req / kB | sequence kB | long tasks ms (max) | heap MB | warm viewport ms / req | warm, page cached ms / req |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const fromRequest = (m: RunMetrics) => (m.firstViewportMs === undefined || m.firstRequestMs === undefined ? undefined : m.firstViewportMs - m.firstRequestMs);
  for (const r of results) {
    const peer = peerOf(r);
    if (!peer) continue;
    for (const [name, m] of [
      ['ours', r.ours],
      [peerName(r), peer],
    ] as const) {
      if (!m.shown) {
        lines.push(`| ${r.slide} | ${name} | not shown | | | | | | | | | | | |`);
        continue;
      }
      lines.push(
        `| ${r.slide} | ${name} | ${ms(m.metadataMs)} | ${ms(m.firstTileMs)} | ${ms(m.firstViewportMs)} | ${ms(fromRequest(m))} | ${ms(m.sequenceMs)} | ${m.openRequests} / ${kb(m.openBytes)} | ${m.viewportRequests} / ${kb(m.viewportBytes)} | ${kb(m.sequenceBytes)} | ${ms(m.longTaskMs)} (${ms(m.longestTaskMs)}) | ${((m.heapBytes ?? 0) / 1e6).toFixed(0)} | ${m.warmViewportMs === undefined ? '–' : `${ms(m.warmViewportMs)} / ${m.warmRequests}`} | ${m.cachedPageViewportMs === undefined ? '–' : `${ms(m.cachedPageViewportMs)} / ${m.cachedPageRequests}`} |`,
      );
    }
    if (r.ours.shown && peer.shown) {
      lines.push(
        `| ${r.slide} | **ours/peer** | ${ratio(r.ours.metadataMs, peer.metadataMs)} | ${ratio(r.ours.firstTileMs, peer.firstTileMs)} | **${ratio(r.ours.firstViewportMs, peer.firstViewportMs)}** | **${ratio(fromRequest(r.ours), fromRequest(peer))}** | ${ratio(r.ours.sequenceMs, peer.sequenceMs)} | ${ratio(r.ours.openRequests, peer.openRequests)} / **${ratio(r.ours.openBytes, peer.openBytes)}** | ${ratio(r.ours.viewportBytes, peer.viewportBytes)} | ${ratio(r.ours.sequenceBytes, peer.sequenceBytes)} | | | ${ratio(r.ours.warmViewportMs, peer.firstViewportMs)} | ${ratio(r.ours.cachedPageViewportMs, peer.firstViewportMs)} |`,
      );
    }
    const early = r.oursEarly;
    if (early?.shown && peer.shown) {
      lines.push(
        `| ${r.slide} | ours + wsi-stream/early | ${ms(early.metadataMs)} | ${ms(early.firstTileMs)} | ${ms(early.firstViewportMs)} | ${ms(fromRequest(early))} | | ${early.openRequests} / ${kb(early.openBytes)} | ${early.viewportRequests} / ${kb(early.viewportBytes)} | | | | | |`,
        `| ${r.slide} | **ours + early / peer** | ${ratio(early.metadataMs, peer.metadataMs)} | ${ratio(early.firstTileMs, peer.firstTileMs)} | **${ratio(early.firstViewportMs, peer.firstViewportMs)}** | ${ratio(fromRequest(early), fromRequest(peer))} | | | ${ratio(early.viewportBytes, peer.viewportBytes)} | | | | | |`,
      );
    }
    if (r.floor && r.ours.shown && peer.shown)
      lines.push(
        `| ${r.slide} | floor: ${r.floor.rounds} round trips + ${kb(r.floor.bytes)} kB = ${ms(r.floor.ms)} ms; from 1st request ours ${ratio(fromRequest(r.ours), r.floor.ms)}×, peer ${ratio(fromRequest(peer), r.floor.ms)}× | | | | | | | | | | | | |`,
      );
    if (r.ours.shown && r.ours.encodedTileBytes)
      lines.push(`| ${r.slide} | ours: sequence bytes / encoded tile bytes | ${ratio(r.ours.sequenceBytes, r.ours.encodedTileBytes)} | | | | | | | | | | | |`);
  }
  return lines;
}

/**
 * The peer at its best first (each slide with the drawer that showed its first viewport sooner), then, as a second
 * table, the peer with OpenSeadragon's default drawer.
 */
export function markdownTable(report: { date: string; conditions: Record<string, unknown>; results: SlideResult[] }): string {
  const c = report.conditions;
  const lines = [
    `Benchmark ${report.date}: ${c.latencyMs} ms, ${c.mbps} Mbit/s, ${c.viewport}, medians of ${c.runs}; ${c.pages === 'gzip' ? 'pages, scripts and WASM served gzipped; ' : ''}times from navigation start, and of the first viewport also from the first request for the slide; the floor is the network's least time for the first viewport; peer ${c.peer} on OpenSeadragon ${c.openseadragon}, at its best: with each of its drawers, the faster one shown.`,
    '',
    ...slideTable(
      report.results,
      (r) => r.peer,
      (r) => `peer (${r.peerDrawer ?? 'webgl'} drawer)`,
    ),
  ];
  if (report.results.some((r) => r.peerDefault)) {
    lines.push('', "The peer with OpenSeadragon's default drawer (webgl; software-emulated on a machine without a GPU):", '');
    lines.push(
      ...slideTable(
        report.results,
        (r) => r.peerDefault,
        () => 'peer (webgl drawer)',
      ),
    );
  }
  return lines.join('\n');
}

/** First full viewport per slide, ours against the peer, as a small SVG bar chart. */
export function barChart(results: SlideResult[]): string {
  const rowHeight = 46;
  const width = 720;
  const max = Math.max(1, ...results.flatMap((r) => [r.ours.firstViewportMs ?? 0, r.peer.firstViewportMs ?? 0]));
  const scale = (v: number) => (v / max) * (width - 260);
  const rows = results.map((r, i) => {
    const y = 30 + i * rowHeight;
    const bar = (v: number | undefined, dy: number, colour: string, label: string) =>
      v === undefined
        ? `<text x="240" y="${y + dy + 11}" font-size="11" fill="#999">${label}: not shown</text>`
        : `<rect x="240" y="${y + dy}" width="${scale(v).toFixed(1)}" height="14" fill="${colour}"/><text x="${(244 + scale(v)).toFixed(1)}" y="${y + dy + 11}" font-size="11">${Math.round(v)} ms</text>`;
    return `<text x="8" y="${y + 18}" font-size="12">${r.slide}</text>${bar(r.ours.firstViewportMs, 0, '#2b7bd6', 'ours')}${bar(r.peer.shown ? r.peer.firstViewportMs : undefined, 18, '#c9772b', 'geotiff-tilesource')}`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${40 + results.length * rowHeight}" font-family="sans-serif"><text x="8" y="16" font-size="13">First full viewport (ms): wsi-stream (blue) vs geotiff-tilesource at its best (orange)</text>${rows.join('')}</svg>\n`;
}
