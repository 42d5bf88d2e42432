import { nodeCodecs } from '../codec/node-codecs.js';
import type { SamplePlane } from '../codec/plane.js';
import type { DecodedImage, DecodeOptions } from '../codec/types.js';
import type { ColourTransform } from '../colour/colour-transform.js';
import type { Slide } from '../slide/types.js';
import { type ChannelSettings, compositePlanes, readChannelPlanes } from '../viewer/channel-composite.js';
import { ApiError } from './http-error.js';
import { estimateJpegQuality } from './jpeg-quality.js';
import { loadSharp } from '../optional-dependency.js';

// Loaded when the sidecar entry is imported, so a missing sharp fails there, naming the package, not at the first request.
const sharp = await loadSharp('wsi-stream/sidecar (thumbnails and tiles it encodes)');

const codecs = nodeCodecs();

function rawInput(image: DecodedImage) {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), { raw: { width: image.width, height: image.height, channels: 4 } });
}

/** Decode options for a slide's colour transform, if it has one the sidecar can use. */
const withColour = (colour: ColourTransform | undefined): DecodeOptions => (colour ? { colour } : {});

/**
 * How a slide's tiles become pixels: decoded, through its colour transform if it has one the sidecar can use; for a
 * fluorescence slide (channels as planes), composited from its channels with these settings, as the viewer opens it.
 */
export interface TileLook {
  colour?: ColourTransform;
  channels?: readonly ChannelSettings[];
}

/** A fluorescence tile's channel planes, in channel order. */
export function channelPlanes(slide: Slide, level: number, x: number, y: number, signal?: AbortSignal): Promise<SamplePlane[]> {
  return readChannelPlanes(slide, level, x, y, (tile) => codecs.decodePlane(tile), signal);
}

/** A native tile's pixels as the look says. */
async function tilePixels(slide: Slide, level: number, x: number, y: number, look: TileLook): Promise<DecodedImage> {
  const channels = look.channels;
  if (!channels) return codecs.decode(await slide.readTile(level, x, y), withColour(look.colour));
  const planes = await channelPlanes(slide, level, x, y);
  const { width, height } = planes[0]!;
  return { width, height, data: compositePlanes(planes, channels, width, height) };
}

/** Chroma subsampling halves colour detail; above this quality the client wants detail, so keep it (4:4:4). */
const FULL_CHROMA_FROM = 90;

function jpegOptions(quality: number) {
  return { quality, chromaSubsampling: quality >= FULL_CHROMA_FROM ? '4:4:4' : '4:2:0' };
}

/** RGBA to JPEG on white (slides have no transparency; missing tiles show as background). */
export async function encodeJpeg(image: DecodedImage, quality: number): Promise<Buffer> {
  try {
    return await rawInput(image).flatten({ background: '#ffffff' }).jpeg(jpegOptions(quality)).toBuffer();
  } catch (cause) {
    throw new ApiError('encode_error', `Could not encode JPEG: ${String(cause)}`);
  }
}

/**
 * A native tile as JPEG. A JPEG tile at its full stored size is passed through as the standalone JPEG the
 * reader builds (no re-encoding, no generation loss) unless the client asked for a lower quality than it
 * was written with; edge tiles and other codecs are decoded, cropped and encoded.
 */
export async function tileJpeg(
  slide: Slide,
  level: number,
  x: number,
  y: number,
  quality: number,
  look: () => Promise<TileLook>,
): Promise<{ body: Buffer; passedThrough: boolean; colourManaged: boolean }> {
  const levels = slide.levels;
  const l = levels[level];
  if (!l) throw new ApiError('invalid_level', `Level ${level} does not exist: this slide has levels 0–${levels.length - 1}.`);
  if (x >= l.tilesX || y >= l.tilesY)
    throw new ApiError('tile_out_of_bounds', `Tile (${x}, ${y}) is outside level ${level}, which has ${l.tilesX}×${l.tilesY} tiles.`);
  // A fluorescence slide's stored tile is one channel: never the picture, so never passed through.
  if (!slide.channels) {
    const tile = await slide.readTile(level, x, y);
    const whole = tile.width === tile.stored.width && tile.height === tile.stored.height;
    if (tile.codec === 'jpeg' && whole && !tile.missing && quality >= (estimateJpegQuality(tile.bytes) ?? 100)) {
      return { body: Buffer.from(tile.bytes), passedThrough: true, colourManaged: false };
    }
  }
  // Only a tile that is decoded needs the colour transform (and the profile's bytes, read on first need).
  const chosen = await look();
  return { body: await encodeJpeg(await tilePixels(slide, level, x, y, chosen), quality), passedThrough: false, colourManaged: chosen.colour !== undefined };
}

/** Pixels of a level's region, stitched from its native tiles (clipped to the level). */
export async function readRegion(slide: Slide, level: number, x: number, y: number, width: number, height: number, look: TileLook = {}): Promise<DecodedImage> {
  const l = slide.levels[level]!;
  const w = Math.max(1, Math.min(width, l.width - x));
  const h = Math.max(1, Math.min(height, l.height - y));
  const x0 = Math.floor(x / l.tileWidth);
  const y0 = Math.floor(y / l.tileHeight);
  const x1 = Math.floor((x + w - 1) / l.tileWidth);
  const y1 = Math.floor((y + h - 1) / l.tileHeight);
  const data = new Uint8ClampedArray(w * h * 4);
  const jobs: Array<Promise<void>> = [];
  for (let ty = y0; ty <= y1; ty++) {
    for (let tx = x0; tx <= x1; tx++) {
      jobs.push(
        (async () => {
          const tile = await tilePixels(slide, level, tx, ty, look);
          const left = tx * l.tileWidth;
          const top = ty * l.tileHeight;
          for (let row = Math.max(top, y); row < Math.min(top + tile.height, y + h); row++) {
            const from = ((row - top) * tile.width + (Math.max(left, x) - left)) * 4;
            const to = from + (Math.min(left + tile.width, x + w) - Math.max(left, x)) * 4;
            data.set(tile.data.subarray(from, to), ((row - y) * w + (Math.max(left, x) - x)) * 4);
          }
        })(),
      );
    }
  }
  await Promise.all(jobs);
  return { width: w, height: h, data };
}

/** The level to read a target `downsample` from: the coarsest whose downsample does not exceed it. */
export function levelFor(slide: Slide, downsample: number): number {
  let best = 0;
  slide.levels.forEach((l, i) => {
    if (l.downsample <= downsample * 1.0001) best = i;
  });
  return best;
}

/** A thumbnail whose longest side is `maxSize`: from the embedded thumbnail when it is big enough, else the best level. */
export async function thumbnail(slide: Slide, maxSize: number, quality: number, look: TileLook = {}): Promise<Buffer> {
  const scale = maxSize / Math.max(slide.width, slide.height);
  const target = { width: Math.max(1, Math.round(slide.width * scale)), height: Math.max(1, Math.round(slide.height * scale)) };
  let source: DecodedImage;
  // A fluorescence slide's embedded thumbnail, if any, is of one channel: the composite is drawn from a level instead.
  const embedded = slide.associated.includes('thumbnail') && !look.channels ? await slide.readAssociated('thumbnail') : undefined;
  if (embedded && Math.max(embedded.width, embedded.height) >= maxSize) source = await codecs.decodeImage(embedded, withColour(look.colour));
  else {
    const level = levelFor(slide, 1 / scale);
    const l = slide.levels[level]!;
    source = await readRegion(slide, level, 0, 0, l.width, l.height, look);
  }
  try {
    return await rawInput(source)
      .resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' })
      .flatten({ background: '#ffffff' })
      .jpeg(jpegOptions(quality))
      .toBuffer();
  } catch (cause) {
    throw new ApiError('encode_error', `Could not encode the thumbnail: ${String(cause)}`);
  }
}

/** Deep Zoom geometry: levels 0 (1×1) … max (full size), each half the next. */
export function dziLevels(slide: Slide): number {
  return Math.ceil(Math.log2(Math.max(slide.width, slide.height))) + 1;
}

/** One Deep Zoom tile, resampled from the best native level. */
export async function dziTile(
  slide: Slide,
  dzLevel: number,
  col: number,
  row: number,
  tileSize: number,
  quality: number,
  look: TileLook = {},
): Promise<Buffer> {
  const max = dziLevels(slide) - 1;
  if (!Number.isInteger(dzLevel) || dzLevel < 0 || dzLevel > max) throw new ApiError('invalid_level', `Deep Zoom level ${dzLevel} does not exist (0–${max}).`);
  const scale = 2 ** (max - dzLevel);
  const levelWidth = Math.ceil(slide.width / scale);
  const levelHeight = Math.ceil(slide.height / scale);
  const x = col * tileSize;
  const y = row * tileSize;
  if (x >= levelWidth || y >= levelHeight) throw new ApiError('tile_out_of_bounds', `Deep Zoom tile ${col}_${row} is outside level ${dzLevel}.`);
  const w = Math.min(tileSize, levelWidth - x);
  const h = Math.min(tileSize, levelHeight - y);
  const native = levelFor(slide, scale);
  const ds = slide.levels[native]!.downsample;
  const factor = scale / ds;
  const region = await readRegion(slide, native, Math.floor(x * factor), Math.floor(y * factor), Math.ceil(w * factor), Math.ceil(h * factor), look);
  try {
    return await rawInput(region).resize(w, h, { fit: 'fill' }).flatten({ background: '#ffffff' }).jpeg(jpegOptions(quality)).toBuffer();
  } catch (cause) {
    throw new ApiError('encode_error', `Could not encode the Deep Zoom tile: ${String(cause)}`);
  }
}
