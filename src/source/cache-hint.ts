import { localStorageOrUndefined } from '../local-storage.js';
import { TILE_CODECS, type TileCodec } from '../slide/types.js';

/**
 * A synchronous note, in localStorage, of the slides an IndexedDB cache has kept something of. Opening IndexedDB and
 * looking a slide up costs a cold page tens of milliseconds before its first request; with this note a slide never
 * kept here goes straight to the network. The note also carries what the last open learnt (the object's size and
 * ETag, its tiles' codec), so a reopen starts without asking IndexedDB for them and loads the decoder at once. It only
 * decides where to look first and what to warm, never what a read returns: a note without entries costs the lookup it
 * saves, entries without a note are read again from the source, and the first request re-checks the ETag.
 */
const PREFIX = 'wsi-stream-cached|';

/** The IndexedDB database the persistent cache uses unless the host names another. */
export const DEFAULT_CACHE_DB = 'wsi-stream';

/** What a note tells of a slide besides that IndexedDB may hold something of it; each part may be missing. */
export interface CacheNote {
  /** The object's size and ETag when its entries were kept (`etag` '' for a source without one). */
  manifest?: { size: number; etag: string };
  /** The codec of the tiles its first viewport decoded. */
  codec?: TileCodec;
  /** The viewer has kept decoded home-view tiles of it (in `<dbName>-pixels`: see HomeViewPixels). */
  homeViewPixels?: true;
}

const key = (dbName: string, id: string) => `${PREFIX}${dbName}|${id}`;

/** The note's text; null where there is none; undefined where no localStorage can say (workers, Node, sandboxes). */
function noteText(dbName: string, id: string, storage: Storage | undefined): string | null | undefined {
  if (!storage) return undefined;
  try {
    return storage.getItem(key(dbName, id));
  } catch {
    return undefined;
  }
}

/** Whether IndexedDB may hold something of `id`; undefined where no localStorage can say. */
export function mayBeCached(dbName: string, id: string, storage = localStorageOrUndefined()): boolean | undefined {
  const text = noteText(dbName, id, storage);
  return text === undefined ? undefined : text !== null;
}

/** What the note of `id` tells; empty for no note, an older note ('1') or one that does not parse. */
export function cacheNote(dbName: string, id: string, storage = localStorageOrUndefined()): CacheNote {
  let parsed: unknown;
  try {
    parsed = JSON.parse(noteText(dbName, id, storage) ?? '{}');
  } catch {
    return {};
  }
  const note = (parsed ?? {}) as { manifest?: { size?: unknown; etag?: unknown }; codec?: unknown; homeViewPixels?: unknown };
  const { size, etag } = note.manifest ?? {};
  return {
    ...(typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 && typeof etag === 'string' ? { manifest: { size, etag } } : {}),
    ...((TILE_CODECS as readonly unknown[]).includes(note.codec) ? { codec: note.codec as TileCodec } : {}),
    ...(note.homeViewPixels === true ? { homeViewPixels: true as const } : {}),
  };
}

/**
 * Notes that IndexedDB now holds something of `id`, with what is learnt (kept beside what the note already says). A
 * full or refused localStorage leaves it unnoted (read again).
 */
export function noteCached(dbName: string, id: string, learnt: CacheNote = {}, storage = localStorageOrUndefined()): void {
  try {
    storage?.setItem(key(dbName, id), JSON.stringify({ ...cacheNote(dbName, id, storage), ...learnt }));
  } catch {
    // Unnoted, the slide's next open reads from the source instead of IndexedDB: slower, never wrong.
  }
}

/** Forgets `id`: its entries were dropped (the object changed). */
export function forgetCached(dbName: string, id: string, storage = localStorageOrUndefined()): void {
  try {
    storage?.removeItem(key(dbName, id));
  } catch {
    // A note left behind costs the next open one IndexedDB lookup that finds nothing, and its ETag check.
  }
}
