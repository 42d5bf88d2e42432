import type { SamplePlane } from '../codec/plane.js';
import type { EncodedTile, Slide, SlideLevel } from '../slide/types.js';

/** How one fluorescence channel is drawn: its colour, the stored values mapped from black to full colour, and whether it is on. */
export interface ChannelSettings {
  readonly name: string;
  colour: [number, number, number];
  /** Values at or below `min` are black, at or above `max` full colour (in the channel's own 8- or 16-bit range). */
  min: number;
  max: number;
  visible: boolean;
  /** 8 or 16: the range `min` and `max` live in. */
  readonly bitsPerSample: number;
}

/** For channels the file gives no colour: the usual first fluorophores (DAPI blue, FITC green, TRITC red), then the rest. */
export const DEFAULT_PALETTE: ReadonlyArray<[number, number, number]> = [
  [0, 0, 255],
  [0, 255, 0],
  [255, 0, 0],
  [255, 0, 255],
  [0, 255, 255],
  [255, 255, 0],
  [255, 128, 0],
  [255, 255, 255],
];

/** Channel settings before auto-contrast: the file's colours (else the palette), the full range, all on. */
export function defaultChannelSettings(slide: Slide): ChannelSettings[] {
  return (slide.channels ?? []).map((c, i) => ({
    name: c.name,
    colour: [...(c.colour ?? DEFAULT_PALETTE[i % DEFAULT_PALETTE.length]!)] as [number, number, number],
    min: 0,
    max: 2 ** c.bitsPerSample - 1,
    visible: true,
    bitsPerSample: c.bitsPerSample,
  }));
}

/**
 * Additive composite on black: each visible channel's value, mapped linearly from [min, max] to [0, 1], times its colour,
 * summed and clipped to 255 per component; opaque. Planes and settings are in channel order, all the same size.
 */
export function compositePlanes(planes: readonly SamplePlane[], settings: readonly ChannelSettings[], width: number, height: number): Uint8ClampedArray {
  const pixels = width * height;
  const sums = new Float32Array(pixels * 3);
  for (const [c, plane] of planes.entries()) {
    const s = settings[c];
    if (!s?.visible) continue;
    const span = Math.max(1e-6, s.max - s.min);
    const [r, g, b] = s.colour;
    const values = plane.values;
    for (let i = 0; i < pixels; i++) {
      const t = Math.min(1, Math.max(0, (values[i]! - s.min) / span));
      if (t === 0) continue;
      sums[i * 3] = sums[i * 3]! + t * r;
      sums[i * 3 + 1] = sums[i * 3 + 1]! + t * g;
      sums[i * 3 + 2] = sums[i * 3 + 2]! + t * b;
    }
  }
  const out = new Uint8ClampedArray(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    // Uint8ClampedArray rounds half to even and clips: the same rule for every channel count.
    out[i * 4] = sums[i * 3]!;
    out[i * 4 + 1] = sums[i * 3 + 1]!;
    out[i * 4 + 2] = sums[i * 3 + 2]!;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Share of the histogram clipped at each end by auto-contrast: outliers (hot pixels, empty background) do not set the range. */
const CLIP = 0.001;

/** A contrast range from the values of one channel (the coarsest level's tiles): the 0.1 % and 99.9 % points of their histogram. */
export function autoRange(planes: readonly SamplePlane[], bitsPerSample: number): { min: number; max: number } {
  const histogram = new Float64Array(2 ** bitsPerSample);
  let total = 0;
  for (const plane of planes) {
    for (const v of plane.values) histogram[v]!++;
    total += plane.values.length;
  }
  const top = histogram.length - 1;
  if (total === 0) return { min: 0, max: top };
  const point = (share: number) => {
    let seen = 0;
    for (let v = 0; v <= top; v++) {
      seen += histogram[v]!;
      if (seen > share * total) return v;
    }
    return top;
  };
  const min = point(CLIP);
  const max = point(1 - CLIP);
  // A flat channel still gets a usable range.
  return max > min ? { min, max } : { min: Math.max(0, min - 1), max: Math.min(top, min + 1) };
}

const HISTOGRAM_PIXELS = 65_536;
/** Tiles read for it at most: a few requests at open, whose planes then stay held for drawing that level. */
const HISTOGRAM_TILES = 16;

/** The coarsest level with enough pixels for a histogram, without reading more than a few tiles. */
export function histogramLevel(levels: readonly SlideLevel[]): number {
  let level = levels.length - 1;
  const tiles = (l: SlideLevel) => l.tilesX * l.tilesY;
  while (level > 0 && levels[level]!.width * levels[level]!.height < HISTOGRAM_PIXELS && tiles(levels[level - 1]!) <= HISTOGRAM_TILES) level--;
  return level;
}

/**
 * Each channel's range from the histogram of the level `histogramLevel` picks: what the viewer's auto-contrast and the
 * sidecar's composites start from. `planesOf` gives a tile's channel planes, in channel order.
 */
export async function autoRanges(
  slide: Slide,
  planesOf: (level: number, x: number, y: number) => Promise<readonly SamplePlane[]>,
): Promise<Array<{ min: number; max: number }>> {
  const level = histogramLevel(slide.levels);
  const { tilesX, tilesY } = slide.levels[level]!;
  const tiles = await Promise.all(Array.from({ length: tilesX * tilesY }, (_, i) => planesOf(level, i % tilesX, Math.floor(i / tilesX))));
  return (slide.channels ?? []).map((channel, c) =>
    autoRange(
      tiles.map((planes) => planes[c]!),
      channel.bitsPerSample,
    ),
  );
}

/** A fluorescence tile's channel planes, in channel order, each read and decoded by the host's `decodePlane`. */
export function readChannelPlanes(
  slide: Slide,
  level: number,
  x: number,
  y: number,
  decodePlane: (tile: EncodedTile) => Promise<SamplePlane>,
  signal?: AbortSignal,
): Promise<SamplePlane[]> {
  return Promise.all(
    (slide.channels ?? []).map(async (_, channel) => decodePlane(await slide.readTile(level, x, y, { channel, ...(signal ? { signal } : {}) }))),
  );
}
