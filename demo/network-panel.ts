import type { ViewerStats } from '../src/viewer.js';

/** The numbers a viewer of slides over the network cares about, as one short table. */
export function renderNetworkPanel(table: HTMLTableElement, stats: ViewerStats, firstTileMs: number | undefined): void {
  const cacheHits = stats.metadataCacheHits + stats.persistentCacheHits + stats.tileCache.hits;
  const rows: Array<[string, string, string]> = [
    ['requests', String(stats.requests), 'requests'],
    ['bytes', `${(stats.bytes / 1024).toFixed(0)} kB`, 'bytes'],
    ['cache hits', `${cacheHits} (memory ${stats.metadataCacheHits + stats.tileCache.hits}, IndexedDB ${stats.persistentCacheHits})`, 'cache-hits'],
    ['first tile', firstTileMs === undefined ? '…' : `${Math.round(firstTileMs)} ms`, 'first-tile'],
    ['tiles', `${stats.tilesLoaded} shown, ${stats.tilesFailed} failed`, 'tiles'],
  ];
  table.replaceChildren(
    ...rows.map(([label, value, key]) => {
      const tr = document.createElement('tr');
      tr.dataset.stat = key;
      tr.append(Object.assign(document.createElement('th'), { textContent: label }), Object.assign(document.createElement('td'), { textContent: value }));
      return tr;
    }),
  );
}
