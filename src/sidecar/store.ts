import type { DicomWebOptions } from '../dicom/dicomweb.js';
import type { RangeSource } from '../source/range-source.js';
import type { ExpiringUrl } from '../source/url-provider.js';

export interface ListQuery {
  limit: number;
  cursor?: string;
  prefix?: string;
  search?: string;
}

export interface ListPage {
  slides: string[];
  nextCursor?: string;
}

/** Where slides live for the sidecar: a local folder or an S3 bucket (and prefix). Ids are keys. */
export interface SlideStore {
  readonly description: string;
  list(query: ListQuery, signal?: AbortSignal): Promise<ListPage>;
  /** The slide's stable identity for browser caches (`s3://bucket/key`), whatever URL it is read from. */
  identity(id: string, baseUrl: string): string;
  /**
   * A byte source for the slide (a DICOM series: one per file, perhaps found by listing); `not_found` (as a SlideError)
   * when it does not exist.
   */
  source(id: string, signal?: AbortSignal): RangeSource | RangeSource[] | Promise<RangeSource[]> | string;
  /** For a store whose sources are `dicomweb:` names: how to reach the server (its token). */
  dicomWebOptions?(): DicomWebOptions;
  /** A URL the browser library can read the slide from, and when it stops working. */
  url(id: string, ttlSeconds: number, baseUrl: string): Promise<ExpiringUrl>;
  /** The URLs of every file of the slide (a DICOM series: one per instance; else the one of `url`), with their identities. */
  urls(id: string, ttlSeconds: number, baseUrl: string): Promise<Array<ExpiringUrl & { sourceId: string }>>;
  /** Fails with a clear message when the store cannot be listed (the start-up check). */
  check(): Promise<void>;
}

/** Keys are opaque to clients; a cursor is the last key of the page, base64url so it survives any query string. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  return Buffer.from(cursor, 'base64url').toString('utf8');
}
