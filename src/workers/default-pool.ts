import decodeWorkerUrl from './decode.worker.ts?worker&url';
import { DecoderPool, type DecoderPoolOptions } from './pool.js';

/**
 * Starts a module worker from a script URL. Browsers refuse `new Worker()` for a script on another origin (a CDN),
 * but a same-origin blob module may import it; `import.meta.url` inside the worker then stays the CDN's, so the
 * worker's own chunks and WASM load from beside it.
 */
export function moduleWorker(url: URL, name: string): Worker {
  if (typeof location === 'undefined' || url.origin === location.origin || url.protocol === 'blob:' || url.protocol === 'data:') {
    return new Worker(url, { type: 'module', name });
  }
  const shim = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
  try {
    return new Worker(shim, { type: 'module', name });
  } finally {
    // The worker has fetched its script by the time it runs; revoking later would leak one small blob per worker.
    setTimeout(() => URL.revokeObjectURL(shim), 10_000);
  }
}

/** A pool of the library's own decode workers, resolved relative to this module so it works from a bundle or CDN. */
export function createDecoderPool(options: DecoderPoolOptions = {}): DecoderPool {
  return new DecoderPool(() => moduleWorker(new URL(decodeWorkerUrl, location.href), 'wsi-stream-decoder'), options);
}
