import RBush from 'rbush';
import type { AnnotationSet, IndexedBox } from '../../annotations/annotation-set.js';
import { hexToRgb } from '../../annotations/formats/colours.js';

/** What the overlay draws at one cell size when zoomed out: the small shapes as one bitmap, the rest as vectors. */
export interface DotLevel {
  /** Level-0 pixels per bitmap pixel. */
  cell: number;
  bitmap: HTMLCanvasElement;
  /** Shapes too large to be a dot at this cell size, for the overlay to draw as outlines. */
  large: RBush<IndexedBox>;
  /** Shapes drawn as dots of the bitmap. */
  dots: number;
}

/** Bitmaps longer than this are not worth it: at such zooms few shapes are in view, and outlines are drawn. */
const MAX_BITMAP = 4096;

/**
 * The zoomed-out view of hundreds of thousands of shapes: each shape no larger than two cells becomes one pixel of a
 * bitmap (its colour, at its centre), drawn with a single drawImage per frame, so panning over 200,000 nuclei costs
 * what panning over one image does. Built once per cell size, on first use, and dropped when the set changes.
 */
export class DotLayer {
  readonly #levels = new Map<number, DotLevel>();
  readonly #set: AnnotationSet;
  readonly #doc: Document;

  constructor(set: AnnotationSet, doc: Document) {
    this.#set = set;
    this.#doc = doc;
  }

  invalidate(): void {
    this.#levels.clear();
  }

  /** The level for `cell`, or undefined when its bitmap would be too large for the slide's `width` × `height`. */
  at(cell: number, width: number, height: number): DotLevel | undefined {
    const cached = this.#levels.get(cell);
    if (cached) return cached;
    const gw = Math.ceil(width / cell);
    const gh = Math.ceil(height / cell);
    if (gw > MAX_BITMAP || gh > MAX_BITMAP || gw < 1 || gh < 1) return undefined;
    const pixels = new Uint8ClampedArray(gw * gh * 4);
    const large: IndexedBox[] = [];
    const colours = new Map<string, [number, number, number]>();
    for (const item of this.#set.boxes()) {
      if (Math.max(item.maxX - item.minX, item.maxY - item.minY) > 2 * cell) {
        large.push(item);
        continue;
      }
      const gx = Math.floor((item.minX + item.maxX) / 2 / cell);
      const gy = Math.floor((item.minY + item.maxY) / 2 / cell);
      if (gx < 0 || gy < 0 || gx >= gw || gy >= gh) {
        large.push(item);
        continue;
      }
      const colour = this.#set.get(item.id)!.style.color;
      let c = colours.get(colour);
      if (!c) {
        c = hexToRgb(colour);
        colours.set(colour, c);
      }
      const i = (gy * gw + gx) * 4;
      pixels[i] = c[0];
      pixels[i + 1] = c[1];
      pixels[i + 2] = c[2];
      pixels[i + 3] = 255;
    }
    const bitmap = this.#doc.createElement('canvas');
    bitmap.width = gw;
    bitmap.height = gh;
    bitmap.getContext('2d')!.putImageData(new ImageData(pixels, gw, gh), 0, 0);
    const level = { cell, bitmap, large: new RBush<IndexedBox>().load(large), dots: this.#set.size - large.length };
    this.#levels.set(cell, level);
    return level;
  }
}
