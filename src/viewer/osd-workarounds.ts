import OpenSeadragon from 'openseadragon';
import { STALE_TILE } from './slide-tile-source.js';

/**
 * The places where we reach into OpenSeadragon 6's behaviour rather than its API, together so an upgrade knows
 * where to look.
 */

/**
 * A tile we abort because the view no longer wants it must fail its job (OSD has no way to cancel one), and OSD
 * routes every failure's message through its console.error. Those are not errors: drop exactly those messages.
 */
export function muteStaleTileErrors(): void {
  const console = (OpenSeadragon as unknown as { console: { error: (...args: unknown[]) => void; __wsiMuted?: boolean } }).console;
  if (console.__wsiMuted) return;
  const error = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.some((a) => a === STALE_TILE)) return;
    error(...args);
  };
  console.__wsiMuted = true;
}

/** The part of an OSD tile these workarounds touch. */
export interface OsdTile {
  exists: boolean;
  level: number;
  x: number;
  y: number;
}

/**
 * OSD marks a tile whose load failed as non-existent, for good, right after its 'tile-load-failed' event: it
 * would never be drawn again. Undo that for a tile that may be wanted later (aborted as stale, or to be retried).
 */
export function letTileLoadAgain(tile: OsdTile): void {
  tile.exists = true;
}

/** The part of an OSD tile record that says whether anything still uses it. */
interface TileRecord {
  loaded: boolean;
  loading: boolean;
  processing: boolean;
  beingDrawn: boolean;
  lastTouchTime: number;
  _caches: Record<string, unknown>;
}

/** How often, at most, the tile records are swept, and how long a record must have gone untouched to be forgotten. */
const SWEEP = { everyMs: 5_000, idleMs: 10_000 };

/**
 * OSD keeps a record of every tile it has ever considered (`tilesMatrix[level][x][y]`, a Tile with its rectangles
 * and a promise) and drops one only when the whole image is reset: over a long session the heap grows by about
 * 0.6 kB per tile passed, about 1 MB a minute of panning. Records of tiles neither drawn, loaded, loading nor touched
 * for `idleMs` are deleted; OSD makes a new one, from the tile source, if the tile is wanted again. Returns the stop.
 */
export function forgetIdleTileRecords(osd: OpenSeadragon.Viewer, { everyMs, idleMs } = SWEEP): () => void {
  let lastSweep = Date.now();
  const sweep = () => {
    const now = Date.now();
    if (now - lastSweep < everyMs) return;
    lastSweep = now;
    for (const viewer of [osd, osd.navigator]) {
      for (let i = 0; i < (viewer?.world.getItemCount() ?? 0); i++) forgetIdle(viewer!.world.getItemAt(i), now - idleMs);
    }
  };
  osd.addHandler('update-viewport', sweep);
  return () => osd.removeHandler('update-viewport', sweep);
}

function forgetIdle(image: OpenSeadragon.TiledImage, touchedBefore: number): void {
  const matrix = (image as unknown as { tilesMatrix: Record<string, Record<string, Record<string, TileRecord>>> }).tilesMatrix;
  for (const columns of Object.values(matrix)) {
    for (const [x, column] of Object.entries(columns)) {
      for (const [y, tile] of Object.entries(column)) {
        const inUse = tile.loaded || tile.loading || tile.processing || tile.beingDrawn || Object.keys(tile._caches).length > 0;
        if (!inUse && tile.lastTouchTime < touchedBefore) delete column[y];
      }
      if (Object.keys(column).length === 0) delete columns[x];
    }
  }
}

/** The viewer's own copy of its navigator settings (a Viewer keeps every option it was given as a property). */
type NavigatorSettings = Omit<OpenSeadragon.Options, 'drawer'> & { navigator?: OpenSeadragon.Navigator; drawerOptions?: object };

/**
 * Gives a viewer made with `showNavigator: false` its navigator, as OpenSeadragon 6's constructor would have made it
 * from the same settings ("Instantiate a navigator if configured" in Viewer), with the items the viewer has opened
 * (those opened later OpenSeadragon hands to `viewer.navigator` itself). The navigator is a second viewer: built
 * inside the constructor, it made the viewer's construction one task of 40–79 ms on cold loads of the N=11 slide
 * with the defaults; built a task later, the construction took 14–44 ms and the navigator 5–21 (loads with a task over
 * 50 ms, interleaved: 4 of 10 before, 1 of 10 after).
 */
export function addNavigator(osd: OpenSeadragon.Viewer): void {
  const settings = osd as unknown as NavigatorSettings;
  const Navigator = OpenSeadragon.Navigator as unknown as new (options: object) => OpenSeadragon.Navigator;
  settings.navigator = new Navigator({
    element: settings.navigatorElement,
    id: settings.navigatorId,
    position: settings.navigatorPosition,
    sizeRatio: settings.navigatorSizeRatio,
    maintainSizeRatio: settings.navigatorMaintainSizeRatio,
    top: settings.navigatorTop,
    left: settings.navigatorLeft,
    width: settings.navigatorWidth,
    height: settings.navigatorHeight,
    autoFade: settings.navigatorAutoFade,
    prefixUrl: settings.prefixUrl,
    viewer: osd,
    navigatorRotate: settings.navigatorRotate,
    background: settings.navigatorBackground,
    opacity: settings.navigatorOpacity,
    borderColor: settings.navigatorBorderColor,
    displayRegionColor: settings.navigatorDisplayRegionColor,
    crossOriginPolicy: settings.crossOriginPolicy,
    animationTime: settings.animationTime,
    // Without one, OpenSeadragon would take the drawer option the viewer was given, no longer at hand once it is built
    // (its `drawer` is then the drawer itself): createViewer always gives the viewer a navigator drawer.
    drawer: settings.navigatorDrawer,
    drawerOptions: settings.drawerOptions,
    loadTilesWithAjax: settings.loadTilesWithAjax,
    ajaxHeaders: settings.ajaxHeaders,
    ajaxWithCredentials: settings.ajaxWithCredentials,
  });
  settings.showNavigator = true;
  for (let i = 0; i < osd.world.getItemCount(); i++) {
    const item = osd.world.getItemAt(i);
    settings.navigator.addTiledImage({ tileSource: item.source, originalTiledImage: item } as OpenSeadragon.TileSourceSpecifier);
  }
}
