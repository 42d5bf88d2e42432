import type { AssociatedName, Slide } from '../slide/types.js';
import type { DecoderPool } from '../workers/pool.js';

/** Decodes an associated image's strips in the pool and draws them on a canvas of the image's size. */
export async function associatedCanvas(doc: Document, slide: Slide, pool: DecoderPool, name: AssociatedName, signal?: AbortSignal): Promise<HTMLCanvasElement> {
  const image = await slide.readAssociated(name, signal ? { signal } : {});
  const canvas = doc.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.dataset.associated = name;
  const context = canvas.getContext('2d')!;
  for (const strip of image.strips) {
    const bitmap = await pool.decodeBitmap(strip, signal ? { signal } : {});
    context.drawImage(bitmap, 0, strip.top);
    bitmap.close();
  }
  return canvas;
}
