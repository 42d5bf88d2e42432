import type { Slide } from '../slide/types.js';
import type { DecoderPool } from '../workers/pool.js';
import { associatedCanvas } from './associated-canvas.js';
import { autoRanges, compositePlanes, defaultChannelSettings, readChannelPlanes } from './channel-composite.js';

/** Tiles of the coarsest level read for a slide without an embedded thumbnail; beyond this the slide gets none. */
const MAX_THUMBNAIL_TILES = 16;

/**
 * A small picture of the whole slide for lists: the embedded thumbnail when there is one (one small image, a few
 * strips), else the coarsest level when it is a handful of tiles. Undefined when neither is cheap.
 */
export async function slideThumbnail(
  doc: Document,
  slide: Slide,
  pool: DecoderPool,
  maxSize = 160,
  signal?: AbortSignal,
): Promise<HTMLCanvasElement | undefined> {
  // A fluorescence slide's embedded thumbnail, if any, is of one channel: its composite is drawn from a level instead.
  const source =
    slide.associated.includes('thumbnail') && !slide.channels
      ? await associatedCanvas(doc, slide, pool, 'thumbnail', signal)
      : await coarsestLevel(doc, slide, pool, signal);
  if (!source) return undefined;
  const scale = Math.min(1, maxSize / Math.max(source.width, source.height));
  const canvas = doc.createElement('canvas');
  canvas.width = Math.max(1, Math.round(source.width * scale));
  canvas.height = Math.max(1, Math.round(source.height * scale));
  const context = canvas.getContext('2d')!;
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

async function coarsestLevel(doc: Document, slide: Slide, pool: DecoderPool, signal?: AbortSignal): Promise<HTMLCanvasElement | undefined> {
  const levelIndex = slide.levels.length - 1;
  const level = slide.levels[levelIndex]!;
  if (level.tilesX * level.tilesY > MAX_THUMBNAIL_TILES) return undefined;
  const canvas = doc.createElement('canvas');
  canvas.width = level.width;
  canvas.height = level.height;
  const context = canvas.getContext('2d')!;
  const options = signal ? { signal } : {};
  const composite = slide.channels ? await openingComposite(slide, pool, signal) : undefined;
  const jobs: Promise<void>[] = [];
  for (let y = 0; y < level.tilesY; y++) {
    for (let x = 0; x < level.tilesX; x++) {
      jobs.push(
        (async () => {
          if (composite) {
            const image = await composite(levelIndex, x, y);
            context.putImageData(image, x * level.tileWidth, y * level.tileHeight);
            return;
          }
          const bitmap = await pool.decodeBitmap(await slide.readTile(levelIndex, x, y, options), options);
          context.drawImage(bitmap, x * level.tileWidth, y * level.tileHeight);
          bitmap.close();
        })(),
      );
    }
  }
  await Promise.all(jobs);
  return canvas;
}

/**
 * A fluorescence slide's tiles composited as the viewer opens it (the file's colours, ranges from a coarse level's
 * histogram): the list shows the same picture the viewer will.
 */
async function openingComposite(slide: Slide, pool: DecoderPool, signal?: AbortSignal) {
  const options = signal ? { signal } : {};
  const planesOf = (level: number, x: number, y: number) => readChannelPlanes(slide, level, x, y, (tile) => pool.decodePlane(tile, options), signal);
  const settings = defaultChannelSettings(slide);
  const ranges = await autoRanges(slide, planesOf);
  for (const [c, channel] of settings.entries()) Object.assign(channel, ranges[c]);
  return async (level: number, x: number, y: number): Promise<ImageData> => {
    const planes = await planesOf(level, x, y);
    const { width, height } = planes[0]!;
    return new ImageData(compositePlanes(planes, settings, width, height) as Uint8ClampedArray<ArrayBuffer>, width, height);
  };
}
