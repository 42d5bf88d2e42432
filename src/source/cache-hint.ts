import { localStorageOrUndefined } from '../local-storage.js';

/**
 * A synchronous note, in localStorage, of the slides an IndexedDB cache has kept something of. Opening IndexedDB and
 * looking a slide up costs a cold page tens of milliseconds before its first request; with this note a slide never
 * kept here goes straight to the network. The note only decides whether to ask IndexedDB first, never what a read
 * returns: a note without entries costs the lookup it saves, entries without a note are read again from the source.
 */
const PREFIX = 'wsi-stream-cached|';

/** The IndexedDB database the persistent cache uses unless the host names another. */
export const DEFAULT_CACHE_DB = 'wsi-stream';

/** Whether IndexedDB may hold something of `id`; undefined where no localStorage can say (workers, Node, sandboxes). */
export function mayBeCached(dbName: string, id: string, storage = localStorageOrUndefined()): boolean | undefined {
  if (!storage) return undefined;
  try {
    return storage.getItem(`${PREFIX}${dbName}|${id}`) !== null;
  } catch {
    return undefined;
  }
}

/** Notes that IndexedDB now holds something of `id`. A full or refused localStorage leaves it unnoted (read again). */
export function noteCached(dbName: string, id: string, storage = localStorageOrUndefined()): void {
  try {
    storage?.setItem(`${PREFIX}${dbName}|${id}`, '1');
  } catch {
    // Unnoted, the slide's next open reads from the source instead of IndexedDB: slower, never wrong.
  }
}
