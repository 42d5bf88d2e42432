import OpenSeadragon from 'openseadragon';
import type { SlideError } from '../errors.js';
import { isTransientCode } from '../source/retry.js';
import { isSlide, openSlide, type OpenSlideOptions, type SlideInput } from '../slide/open-slide.js';
import type { Slide } from '../slide/types.js';
import { createDecoderPool } from '../workers/default-pool.js';
import type { DecoderPool, DecoderPoolStats } from '../workers/pool.js';
import type { TileCacheStats } from './tile-bytes-cache.js';
import { Emitter } from './emitter.js';
import { preferredDrawer } from './drawer-choice.js';
import { fullScreenButton, toggleFullScreen } from './full-screen.js';
import { buildPanel } from './panel.js';
import { prefetchWhenIdle, type PrefetchOptions } from './prefetch.js';
import { scaleBarFor } from './scale-bar.js';
import { SlideTileSource, STALE_TILE } from './slide-tile-source.js';
import { tileWantedTest } from './stale-tiles.js';
import { ensureStyles } from './styles.js';
import { mergeHash, parseHash } from './viewport-hash.js';

export interface TilePosition {
  level: number;
  x: number;
  y: number;
}

export interface ViewerStats {
  requests: number;
  bytes: number;
  metadataCacheHits: number;
  metadataCacheMisses: number;
  persistentCacheHits: number;
  persistentCacheMisses: number;
  /** Encoded tiles in memory. */
  tileCache: TileCacheStats;
  /** Decoded tiles held by OpenSeadragon's cache (bounded by `maxImageCacheCount`). */
  decodedTiles: number;
  /** Tile reads merged into shared requests. */
  coalescedReads: number;
  tilesLoaded: number;
  tilesFailed: number;
  tilesAborted: number;
  decoder: DecoderPoolStats;
}

export interface ViewerEvents extends Record<string, unknown> {
  opened: { slide: Slide };
  'tile-loaded': TilePosition;
  'tile-failed': TilePosition & { error: SlideError };
  stats: ViewerStats;
}

export interface CreateViewerOptions {
  theme?: 'dark' | 'light';
  navigator?: boolean;
  scaleBar?: boolean;
  /** +/− zoom, 0 home, F full screen, arrows pan. */
  keyboard?: boolean;
  /** The metadata and associated-images panel, behind an "i" button. */
  panel?: boolean;
  /** Keep the viewport in the URL hash, and start from it. */
  hashViewport?: boolean;
  /** Tiles fetched and decoded at once; OpenSeadragon's default (0) is unlimited, which floods the network. */
  imageLoaderLimit?: number;
  /** Memory for encoded tiles (bytes); decoded tiles are bounded by OpenSeadragon's `maxImageCacheCount`. */
  tileCacheBytes?: number;
  /** Fetch the tiles around the view while the network is idle (default on); `false` turns it off. */
  prefetch?: PrefetchOptions | false;
  pool?: DecoderPool;
  open?: OpenSlideOptions;
  /** A tile lost to the network (after the source's own retries) is asked for again after this many ms (default 5,000). */
  tileRetryMs?: number;
  /** Passed through to OpenSeadragon. */
  osd?: Partial<OpenSeadragon.Options>;
}

export interface WsiViewer {
  readonly osd: OpenSeadragon.Viewer;
  readonly slide: Slide;
  readonly tileSource: SlideTileSource;
  readonly pool: DecoderPool;
  on<K extends keyof ViewerEvents>(event: K, handler: (payload: ViewerEvents[K]) => void): () => void;
  stats(): ViewerStats;
  setTheme(theme: 'dark' | 'light'): void;
  destroy(): void;
}

/** Tiles fetched and decoded at once, by default: a viewport's worth, started together. */
const LOADER_LIMIT = 16;
/** Times a tile lost with a crashed decode worker is asked for again. */
const WORKER_RETRIES = 2;

type DrawerOption = NonNullable<OpenSeadragon.Options['drawer']>;

/**
 * OpenSeadragon routes a stale tile's fail() through console.error and marks the tile as not existing; we
 * silence the message and let the tile load again when it is wanted.
 */
function muteStaleTileErrors(): void {
  const console = (OpenSeadragon as unknown as { console: { error: (...args: unknown[]) => void; __wsiMuted?: boolean } }).console;
  if (console.__wsiMuted) return;
  const error = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.some((a) => a === STALE_TILE)) return;
    error(...args);
  };
  console.__wsiMuted = true;
}

/** Opens a slide and shows it: dark theme, navigator, scale bar, keyboard, metadata and associated images. */
export async function createViewer(element: HTMLElement, input: SlideInput | Slide, options: CreateViewerOptions = {}): Promise<WsiViewer> {
  const doc = element.ownerDocument;
  ensureStyles(doc);
  muteStaleTileErrors();
  const root = doc.createElement('div');
  root.className = `wsi-root wsi-${options.theme ?? 'dark'}`;
  const osdHost = doc.createElement('div');
  osdHost.className = 'wsi-osd';
  const banner = doc.createElement('div');
  banner.className = 'wsi-error';
  banner.hidden = true;
  root.append(osdHost, banner);
  element.append(root);

  // The workers start (fetch and compile their script), and the drawer is chosen (a WebGL probe, ~20 ms of main
  // thread, in a task of its own), while the slide's directories are read, not after.
  const pool = options.pool ?? createDecoderPool();
  const choosingDrawer = new Promise<DrawerOption>((resolve) => setTimeout(() => resolve(options.osd?.drawer ?? preferredDrawer(doc))));
  let slide: Slide;
  let drawer: DrawerOption;
  try {
    // Slides seen before reopen from IndexedDB unless the host says otherwise.
    slide = isSlide(input) ? input : await openSlide(input, { persistentCache: true, ...options.open });
    drawer = await choosingDrawer;
  } catch (error) {
    if (!options.pool) pool.terminate();
    root.remove();
    throw error;
  }
  const events = new Emitter<ViewerEvents>();
  const counts = { loaded: 0, failed: 0, aborted: 0 };
  // Tiles that failed and have not loaded since, and whether the network was to blame: the banner stays while any are.
  const failing = new Map<string, boolean>();
  const tileKey = (t: TilePosition) => `${t.level}/${t.x}/${t.y}`;
  const retryTimers = new Set<ReturnType<typeof setTimeout>>();
  // Failed tiles that will be asked for again, and after how long (ms); taken when OpenSeadragon reports the failure.
  const retryPlan = new Map<string, number>();
  const workerRetries = new Map<string, number>();
  /** Network failures are retried after a pause, for as long as they last; a crashed worker's tiles at once, twice at most. */
  const retryDelay = (key: string, code: string): number | undefined => {
    if (isTransientCode(code)) return options.tileRetryMs ?? 5_000;
    if (code !== 'worker_failed') return undefined;
    // The pool has already replaced the worker; but it may be the tile that kills workers.
    const tries = workerRetries.get(key) ?? 0;
    if (tries >= WORKER_RETRIES) return undefined;
    workerRetries.set(key, tries + 1);
    return 0;
  };
  const stats = (): ViewerStats => {
    const { requests, bytes, metadataCacheHits, metadataCacheMisses, persistentCacheHits, persistentCacheMisses, coalescedReads } = slide.ioStats();
    return {
      requests,
      bytes,
      metadataCacheHits,
      metadataCacheMisses,
      persistentCacheHits,
      persistentCacheMisses,
      tileCache: { ...tileSource.tileCache.stats },
      decodedTiles: osd?.tileCache?.numTilesLoaded() ?? 0,
      coalescedReads,
      tilesLoaded: counts.loaded,
      tilesFailed: counts.failed,
      tilesAborted: counts.aborted,
      decoder: { ...pool.stats },
    };
  };
  let osd: OpenSeadragon.Viewer | undefined;
  const tileSource = new SlideTileSource(
    slide,
    pool,
    {
      loaded: (t) => {
        counts.loaded++;
        if (failing.delete(tileKey(t)) && failing.size === 0) banner.hidden = true;
        events.emit('tile-loaded', t);
        events.emit('stats', stats());
      },
      failed: (t, error) => {
        counts.failed++;
        const key = tileKey(t);
        const delay = retryDelay(key, error.code);
        failing.set(key, delay !== undefined);
        if (delay !== undefined) retryPlan.set(key, delay);
        banner.textContent = `Some tiles could not be shown (${error.code}): ${error.message}`;
        banner.hidden = false;
        events.emit('tile-failed', { ...t, error });
      },
    },
    options.tileCacheBytes,
  );

  const loaderLimit = options.imageLoaderLimit ?? LOADER_LIMIT;
  osd = OpenSeadragon({
    element: osdHost,
    tileSources: tileSource,
    showNavigationControl: false,
    showNavigator: options.navigator ?? true,
    navigatorPosition: 'BOTTOM_RIGHT',
    // The overview stays visible: OpenSeadragon would fade it out whenever the pointer rests.
    autoHideControls: false,
    imageLoaderLimit: loaderLimit,
    // OpenSeadragon starts one tile per frame by default, so a viewport's requests trickle out a frame apart and
    // never meet in the same tick to be merged; starting as many as may run lets touching tiles share a request.
    maxTilesPerFrame: loaderLimit,
    drawer,
    // The minimap needs no exact pixels, and a second WebGL context is one too many on some machines.
    navigatorDrawer: 'canvas',
    immediateRender: false,
    blendTime: 0,
    maxZoomPixelRatio: 4,
    visibilityRatio: 0.2,
    ...(options.keyboard === false ? { keyboardNavEnabled: false } : {}),
    ...options.osd,
  } as OpenSeadragon.Options);

  // A view whose every tile failed counts as fully loaded, and OpenSeadragon stops looking at its tiles until the
  // viewport moves: once per frame in which retries fell due (a dozen may at once), have it look again.
  let lookAgainFrame: number | undefined;
  const lookAgain = () => {
    lookAgainFrame ??= requestAnimationFrame(() => {
      lookAgainFrame = undefined;
      osd.world.update(true);
      osd.forceRedraw();
    });
  };

  // Once every tile the view needs has loaded and no retry is waiting, network failures (retried since, or no
  // longer needed) are history; a damaged tile or a replaced file is not, and keeps the banner. Checked after each
  // drawn frame, when OpenSeadragon's idea of "fully loaded" is up to date.
  osd.addHandler('update-viewport', () => {
    if (failing.size === 0 || retryTimers.size > 0 || lookAgainFrame !== undefined || !osd.world.getItemAt(0)?.getFullyLoaded()) return;
    for (const [key, transient] of failing) if (transient) failing.delete(key);
    if (failing.size === 0) banner.hidden = true;
  });

  osd.addHandler('tile-load-failed', (event) => {
    const message = (event as { message?: string }).message ?? '';
    // OpenSeadragon marks a failed tile as non-existent right after this event, for good: undo that for a tile
    // no longer wanted at once, and for one that will be asked for again when its pause is over.
    const tile = (event as unknown as { tile: { exists: boolean; level: number; x: number; y: number } }).tile;
    if (message === STALE_TILE) {
      counts.aborted++;
      queueMicrotask(() => (tile.exists = true));
      return;
    }
    const key = tileKey({ level: tileSource.levelMap.toSlide(tile.level), x: tile.x, y: tile.y });
    const delay = retryPlan.get(key);
    retryPlan.delete(key);
    if (delay === undefined) return;
    const timer = setTimeout(() => {
      retryTimers.delete(timer);
      tile.exists = true;
      lookAgain();
    }, delay);
    retryTimers.add(timer);
  });

  // OpenSeadragon never cancels work: after each viewport change, abort tiles the view no longer needs.
  let pruneScheduled = false;
  osd.addHandler('viewport-change', () => {
    if (pruneScheduled) return;
    pruneScheduled = true;
    requestAnimationFrame(() => {
      pruneScheduled = false;
      tileSource.abortUnwanted(tileWantedTest(osd, tileSource.levels));
    });
  });

  const stopPrefetch = options.prefetch === false ? () => undefined : prefetchWhenIdle(osd, tileSource, slide.levels, options.prefetch);
  if (options.keyboard !== false) bindKeys(osd, root);
  if (options.scaleBar !== false && slide.mpp) root.append(scaleBar(osd, doc, slide.mpp.x));
  root.append(...toolsAndPanel(doc, root, slide, pool, options.panel !== false));
  if (options.hashViewport) keepViewportInHash(osd, doc);

  await new Promise<void>((resolve) => (osd.world.getItemCount() > 0 ? resolve() : osd.addOnceHandler('open', () => resolve())));
  events.emit('opened', { slide });

  return {
    osd,
    slide,
    tileSource,
    pool,
    on: (event, handler) => events.on(event, handler),
    stats,
    setTheme(theme) {
      root.className = `wsi-root wsi-${theme}`;
    },
    destroy() {
      stopPrefetch();
      retryTimers.forEach(clearTimeout);
      if (lookAgainFrame !== undefined) cancelAnimationFrame(lookAgainFrame);
      events.clear();
      osd.destroy();
      if (!options.pool) pool.terminate();
      root.remove();
      void slide.close();
    },
  };
}

function bindKeys(osd: OpenSeadragon.Viewer, root: HTMLElement): void {
  osd.addHandler('canvas-key', (event) => {
    const e = event as unknown as { originalEvent: KeyboardEvent; preventDefaultAction: boolean };
    const key = e.originalEvent.key;
    if (key === 'f' || key === 'F') {
      // OpenSeadragon flips the image on F; here F means full screen, as in WSIStreamer's viewer.
      e.preventDefaultAction = true;
      if (e.originalEvent.type === 'keydown') toggleFullScreen(root);
    }
  });
}

function scaleBar(osd: OpenSeadragon.Viewer, doc: Document, mpp: number): HTMLElement {
  const bar = doc.createElement('div');
  bar.className = 'wsi-bar';
  const label = doc.createElement('div');
  const line = doc.createElement('div');
  line.className = 'wsi-bar-line';
  bar.append(label, line);
  const update = () => {
    const item = osd.world.getItemAt(0);
    if (!item) return;
    const screenPerImage = item.viewportToImageZoom(osd.viewport.getZoom(true));
    const { pixels, label: text } = scaleBarFor(mpp / screenPerImage);
    label.textContent = text;
    line.style.width = `${pixels}px`;
    bar.dataset.micrometresPerPixel = String(mpp / screenPerImage);
  };
  for (const event of ['open', 'update-viewport', 'animation', 'animation-finish', 'resize'] as const) osd.addHandler(event, update);
  return bar;
}

/** The buttons over the view (full screen, and "i" for the panel when it is wanted) and the panel itself. */
function toolsAndPanel(doc: Document, root: HTMLElement, slide: Slide, pool: DecoderPool, withPanel: boolean): HTMLElement[] {
  const tools = doc.createElement('div');
  tools.className = 'wsi-tools';
  tools.append(fullScreenButton(doc, root));
  if (!withPanel) return [tools];
  const info = doc.createElement('button');
  info.textContent = 'i';
  info.title = 'Slide information, label and macro';
  info.dataset.action = 'info';
  const panel = buildPanel(doc, slide, pool);
  info.addEventListener('click', () => (panel.hidden = !panel.hidden));
  tools.prepend(info);
  return [tools, panel];
}

function keepViewportInHash(osd: OpenSeadragon.Viewer, doc: Document): void {
  const win = doc.defaultView!;
  osd.addOnceHandler('open', () => {
    const start = parseHash(win.location.hash);
    const item = osd.world.getItemAt(0);
    if (!start || !item) return;
    osd.viewport.zoomTo(item.imageToViewportZoom(start.zoom), undefined, true);
    osd.viewport.panTo(item.imageToViewportCoordinates(start.x, start.y), true);
  });
  osd.addHandler('animation-finish', () => {
    const item = osd.world.getItemAt(0);
    if (!item) return;
    const centre = item.viewportToImageCoordinates(osd.viewport.getCenter(true));
    const zoom = item.viewportToImageZoom(osd.viewport.getZoom(true));
    win.history.replaceState(null, '', mergeHash(win.location.hash, { x: centre.x, y: centre.y, zoom }));
  });
}
