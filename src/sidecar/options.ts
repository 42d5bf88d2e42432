import type { AnnotationStore } from './annotations/annotation-store.js';
import type { SlideStore } from './store.js';

export interface SidecarOptions {
  store: SlideStore;
  host?: string;
  port?: number;
  /** When set, every route but /health and the viewer's static assets needs a valid signature. */
  authSecret?: string;
  /** Slides kept open (their parsed directories), least recently used evicted. */
  cacheSlides?: number;
  /** Bytes of encoded tiles, thumbnails and Deep Zoom tiles kept in memory. */
  cacheTiles?: number;
  /** Metadata block size for reading slides. */
  blockSize?: number;
  /** Bytes of slide metadata (directories, tile offsets) kept for all open slides together; each gets its share. */
  cacheMetadata?: number;
  /** Default JPEG quality for tiles the sidecar encodes. */
  jpegQuality?: number;
  /** Cache-Control max-age for tiles, thumbnails and DZI (seconds). */
  cacheMaxAge?: number;
  /** Allowed browser origins; undefined allows any. */
  corsOrigins?: string[];
  /** Built viewer page and assets (`build/pages`); /view is unavailable without it. */
  pagesDir?: string;
  /** Storage reads that take longer than this fail with a JSON error instead of hanging (ms). */
  storageTimeoutMs?: number;
  /** Where annotations are kept (the fork's routes); default: in memory, lost on restart. */
  annotations?: AnnotationStore;
  /** One line per request; never receives the secret. */
  log?: (line: string) => void;
}

export const DEFAULTS = {
  host: '0.0.0.0',
  port: 3000,
  cacheSlides: 100,
  cacheTiles: 100 * 1024 * 1024,
  blockSize: 256 * 1024,
  cacheMetadata: 256 * 1024 * 1024,
  jpegQuality: 80,
  cacheMaxAge: 3600,
  storageTimeoutMs: 30_000,
} as const;

/** Sizes as WSIStreamer's users write them: plain bytes, or 100MB / 512MiB / 64KB / 1GiB. */
export function parseBytes(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$/i.exec(value);
  if (!m) throw new Error(`"${value}" is not a size: use bytes, or a number with KB, MB, GB, KiB, MiB or GiB.`);
  const units: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };
  return Math.round(Number(m[1]) * units[(m[2] ?? 'b').toLowerCase()]!);
}
