import OpenSeadragon from 'openseadragon';
import { type DrawerOption, replaceNamedDrawers } from './drawer-choice.js';

/** What OpenSeadragon's canvas drawer reads of a tile's drawing data: its `.canvas`, drawn with drawImage. */
type Drawable = { canvas: CanvasImageSource & { width: number; height: number } };

/** OpenSeadragon's canvas drawer, with the members this file reaches that its type definitions leave out. */
type CanvasDrawerClass = new (
  options: OpenSeadragon.DrawerConstructorParameters,
) => OpenSeadragon.DrawerBase & {
  viewer: OpenSeadragon.Viewer & { numberOfHandlers(event: string): number };
  getDataToDraw(tile: unknown): unknown;
};

/** Each bitmap's drawable, made on its first draw: the bitmap itself as `.canvas`, or for 'tile-drawing' handlers a copy. */
const wrapped = new WeakMap<ImageBitmap, Drawable>();
const copied = new WeakMap<ImageBitmap, Drawable>();

let drawerClass: OpenSeadragon.DrawerConstructor | undefined;

/**
 * OpenSeadragon's canvas drawer, drawing the workers' ImageBitmaps as they come. The stock drawer takes only
 * `context2d` tiles, so OpenSeadragon copies every decoded tile into a canvas of its own before its first draw: a
 * canvas made, a context asked for, the bitmap drawn into it, on the main thread, per tile, just when tiles arrive in
 * bulk (a first viewport, a zoom). Of the data it draws, that drawer reads only `.canvas`, handed to drawImage, which
 * takes a bitmap as well; so a bitmap goes in as `{ canvas: bitmap }`. A page listening for 'tile-drawing' is handed
 * what OpenSeadragon documents there, a tile's 2D context (its handlers may read or alter the pixels): for them each
 * bitmap is copied into one, once. One class for every viewer of the page, made on first use.
 */
export function bitmapCanvasDrawer(): OpenSeadragon.DrawerConstructor {
  if (drawerClass) return drawerClass;
  learnBitmapDestroy();
  const Base = OpenSeadragon.CanvasDrawer as unknown as CanvasDrawerClass;
  drawerClass = class BitmapCanvasDrawer extends Base {
    override getSupportedDataFormats(): string[] {
      return ['imageBitmap', 'context2d'];
    }

    /** Called per tile per frame: no allocation once a bitmap has its drawable. */
    override getDataToDraw(tile: unknown): unknown {
      const data = super.getDataToDraw(tile);
      if (!(data instanceof ImageBitmap)) return data;
      // Asked on every draw: a 'tile-drawing' handler may be added at any time.
      return this.viewer.numberOfHandlers('tile-drawing') > 0 ? drawableOf(copied, data, contextOf) : drawableOf(wrapped, data, asCanvas);
    }
  } as unknown as OpenSeadragon.DrawerConstructor;
  return drawerClass;
}

/** The drawer candidates with OpenSeadragon's canvas drawer, where named, drawing bitmaps as they come. */
export function withBitmapCanvasDrawer(drawer: DrawerOption): DrawerOption {
  return replaceNamedDrawers(drawer, (name) => (name === 'canvas' ? bitmapCanvasDrawer() : undefined));
}

function drawableOf(made: WeakMap<ImageBitmap, Drawable>, bitmap: ImageBitmap, make: (bitmap: ImageBitmap) => Drawable): Drawable {
  let drawable = made.get(bitmap);
  if (!drawable) {
    drawable = make(bitmap);
    made.set(bitmap, drawable);
  }
  return drawable;
}

function asCanvas(bitmap: ImageBitmap): Drawable {
  return { canvas: bitmap };
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
 * collector does not count them (a converted tile's canvas OpenSeadragon empties itself). The converter is OpenSeadragon's,
 * global to the page: taught once, with the class.
 */
function learnBitmapDestroy(): void {
  const converter = OpenSeadragon.converter as unknown as { learnDestroy(type: string, destroy: (data: ImageBitmap) => void): void };
  converter.learnDestroy('imageBitmap', (bitmap) => bitmap.close());
}
