import OpenSeadragon from 'openseadragon';
import type { DrawerOption } from './wide-gamut.js';

/** What OpenSeadragon's canvas drawer reads of a tile's drawing data: its `.canvas`, drawn with drawImage. */
type Drawable = { canvas: CanvasImageSource & { width: number; height: number } };

/** OpenSeadragon's canvas drawer, with the members this file reaches that its type definitions leave out. */
type CanvasDrawerClass = new (
  options: OpenSeadragon.DrawerConstructorParameters,
) => OpenSeadragon.DrawerBase & {
  viewer: OpenSeadragon.Viewer & { numberOfHandlers(event: string): number };
  getDataToDraw(tile: unknown): unknown;
};

const wrapped = new WeakMap<ImageBitmap, Drawable>();
const copied = new WeakMap<ImageBitmap, Drawable>();
let closesBitmaps = false;

/**
 * OpenSeadragon's canvas drawer, drawing the workers' ImageBitmaps as they come. The stock drawer takes only
 * `context2d` tiles, so OpenSeadragon copies every decoded tile into a canvas of its own before its first draw: a
 * canvas made, a context asked for, the bitmap drawn into it, on the main thread, per tile, just when tiles arrive in
 * bulk (a first viewport, a zoom). Of the data it draws, that drawer reads only `.canvas`, handed to drawImage, which
 * takes a bitmap as well; so a bitmap goes in as `{ canvas: bitmap }`. A page listening for 'tile-drawing' is handed
 * what OpenSeadragon documents there, a tile's 2D context (its handlers may read or alter the pixels): for them each
 * bitmap is copied into one, once.
 */
export function bitmapCanvasDrawer(): OpenSeadragon.DrawerConstructor {
  learnBitmapDestroy();
  const Base = OpenSeadragon.CanvasDrawer as unknown as CanvasDrawerClass;
  return class BitmapCanvasDrawer extends Base {
    override getSupportedDataFormats(): string[] {
      return ['imageBitmap', 'context2d'];
    }

    override getDataToDraw(tile: unknown): unknown {
      const data = super.getDataToDraw(tile);
      if (!(data instanceof ImageBitmap)) return data;
      // Asked on every draw: a 'tile-drawing' handler may be added at any time.
      const [made, make] = this.viewer.numberOfHandlers('tile-drawing') > 0 ? [copied, contextOf] : [wrapped, (canvas: ImageBitmap) => ({ canvas })];
      let drawable = made.get(data);
      if (!drawable) {
        drawable = make(data);
        made.set(data, drawable);
      }
      return drawable;
    }
  } as unknown as OpenSeadragon.DrawerConstructor;
}

/** The drawer candidates with OpenSeadragon's canvas drawer, where named, drawing bitmaps as they come. */
export function withBitmapCanvasDrawer(drawer: DrawerOption): DrawerOption {
  const candidates = Array.isArray(drawer) ? drawer : [drawer];
  return candidates.map((candidate) => (candidate === 'canvas' ? bitmapCanvasDrawer() : candidate));
}

function contextOf(bitmap: ImageBitmap): CanvasRenderingContext2D {
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  return context;
}

/**
 * A bitmap OpenSeadragon drops from its cache is closed at once: its pixels live outside the JavaScript heap, whose
 * collector does not count them (a converted tile's canvas OpenSeadragon empties itself).
 */
function learnBitmapDestroy(): void {
  if (closesBitmaps) return;
  closesBitmaps = true;
  const converter = OpenSeadragon.converter as unknown as { learnDestroy(type: string, destroy: (data: ImageBitmap) => void): void };
  converter.learnDestroy('imageBitmap', (bitmap) => bitmap.close());
}
