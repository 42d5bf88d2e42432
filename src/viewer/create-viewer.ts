import OpenSeadragon from 'openseadragon';
import type { OutputColourSpace } from '../colour/output-space.js';
import type { SlideError } from '../errors.js';
import { isSlide, oneFileSource, openSlide, type OpenSlideOptions, type SlideInput } from '../slide/open-slide.js';
import type { Slide, TileCodec } from '../slide/types.js';
import { createDecoderPool } from '../workers/default-pool.js';
import type { DecoderPool, DecoderPoolStats } from '../workers/pool.js';
import type { TileCacheStats } from './tile-bytes-cache.js';
import { Emitter } from '../emitter.js';
import { nextTask } from '../source/next-task.js';
import { bitmapCanvasDrawer, withBitmapCanvasDrawer } from './bitmap-canvas-drawer.js';
import { type DrawerOption, preferredDrawer } from './drawer-choice.js';
import { bindFullScreenKey } from './full-screen.js';
import { addNavigator, forgetIdleTileRecords, muteStaleTileErrors } from './osd-workarounds.js';
import { toolsAndPanel } from './panel.js';
import { type ColourMode, type ColourState, colourControl, prepareColour } from './viewer-colour.js';
import { chooseOutputColourSpace, DISPLAY_P3_BITMAP, displayP3Drawers, learnDisplayP3Bitmaps } from './wide-gamut.js';
import { type ChannelControls, channelControls, channelPanel } from './viewer-channels.js';
import { type HomeViewPixelStats, homeViewPixels } from './home-view-pixels.js';
import { prefetchWhenIdle, type PrefetchOptions } from './prefetch.js';
import { labelRegion, slideName } from './region-label.js';
import { scaleBarElement } from './scale-bar.js';
import { SlideTileSource } from './slide-tile-source.js';
import { tileWantedTest } from './stale-tiles.js';
import { ensureStyles } from './styles.js';
import { keepViewportInHash, parseHash } from './viewport-hash.js';
import { homeViewLevels } from './home-view.js';
import { TileFailures } from './tile-failures.js';
import { TileRetries } from './tile-retries.js';
import { type AnnotationOptions, attachAnnotations, type ViewerAnnotations } from './annotations/viewer-annotations.js';

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
  /** The home view's decoded tiles kept across visits (slides decoded in WASM), where the viewer opened the slide with its persistent cache. */
  homeViewPixels?: HomeViewPixelStats;
}

export interface ViewerEvents extends Record<string, unknown> {
  opened: { slide: Slide };
  'tile-loaded': TilePosition;
  'tile-failed': TilePosition & { error: SlideError };
  /** The slide's colour profile could not be read or used: it is shown uncorrected. Also in `colour().problem`. */
  'colour-warning': { error: SlideError };
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
  /**
   * `'icc'` (default): a slide's embedded ICC profile is applied (LittleCMS in the decode workers), converting to sRGB;
   * `'none'`: the stored values are drawn, and the profile is never read.
   */
  colour?: ColourMode;
  /**
   * The canvas's colour space: `'srgb'` (default), or `'display-p3'` to show a profile's colours beyond sRGB on a
   * wide-gamut screen. Honoured only where the slide has a profile, the screen reports a P3 gamut and the browser
   * makes Display P3 canvases (else sRGB; `colour().output` says which).
   */
  colourSpace?: OutputColourSpace;
  /**
   * Read and decode the home view's tiles while the viewer is being built, before OpenSeadragon asks (default on;
   * skipped when the page's hash holds a view). `false` for a host that moves the view as soon as it opens.
   */
  fetchAhead?: boolean;
  /** The slide's name for screen readers (the viewer region's label); default: its file name. */
  label?: string;
  /**
   * Shapes drawn, measured, imported and exported over the slide, saved to a sidecar (`{ sidecar, slideId }`) or to
   * IndexedDB per slide (default); `false` leaves them out.
   */
  annotations?: AnnotationOptions | false;
  /**
   * Listeners attached before the viewer starts work. `opened` and `colour-warning` are raised as `createViewer`
   * finishes, and the home view's tiles are read ahead while it is built, so a `tile-failed` can come before it
   * resolves too: a listener added afterwards with `viewer.on` misses those.
   */
  on?: { [K in keyof ViewerEvents]?: (payload: ViewerEvents[K]) => void };
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
  /** Whether the slide's colour profile is applied, its name, or why it cannot be. */
  colour(): ColourState;
  /** Switches between managed and stored colours; tiles are decoded again from memory, not fetched again. */
  setColour(mode: ColourMode): Promise<void>;
  /**
   * Fluorescence (a slide whose channels are planes): list the channels and set each one's colour, range and
   * visibility; every change redraws from decoded planes held in memory, with no request. Undefined for RGB slides.
   */
  readonly channels?: ChannelControls;
  /** The slide's annotations and the drawing tools; undefined with `annotations: false`. */
  readonly annotations?: ViewerAnnotations;
  setTheme(theme: 'dark' | 'light'): void;
  destroy(): void;
}

/** Tiles fetched and decoded at once, by default: a viewport's worth, started together. */
const LOADER_LIMIT = 64;
/** Times a tile lost with a crashed decode worker is asked for again. */
const WORKER_RETRIES = 2;

/** Opens a slide and shows it: dark theme, navigator, scale bar, keyboard, metadata and associated images. */
export async function createViewer(
  element: HTMLElement,
  input: SlideInput | readonly SlideInput[] | Slide,
  options: CreateViewerOptions = {},
): Promise<WsiViewer> {
  const doc = element.ownerDocument;
  // The slide's first request goes out before anything else is built: styles, elements and the workers (spawning them
  // took 4–6 ms of main thread on cold loads, the styles 1–3) follow it. Slides seen before reopen from IndexedDB
  // unless the host says otherwise. The workers load the slide's decoder (JPEG 2000's WASM) as soon as the open names
  // it, not when the first tile needs it: a codec named before they exist (the one noted at the last visit) waits.
  const named: TileCodec[] = [];
  let warmCodec: (codec: TileCodec) => void = (codec) => named.push(codec);
  const onTileCodec = (codec: TileCodec) => {
    warmCodec(codec);
    options.open?.onTileCodec?.(codec);
  };
  const source = isSlide(input) ? undefined : oneFileSource(input, options.open);
  const persistentCache = options.open?.persistentCache ?? true;
  const opening = isSlide(input) ? Promise.resolve(input) : openSlide(source ?? input, { ...options.open, persistentCache, onTileCodec });
  // Awaited below; handled here too, should building the viewer throw first.
  opening.catch(() => undefined);
  // The rest in the task after this one: the open's first read reaches `fetch` through a few promise turns.
  await nextTask();
  // A slide the viewer opens with its persistent cache keeps its home view's pixels beside it (see HomeViewPixels):
  // those kept at an earlier visit are read from IndexedDB beside the open's own reads, where the home view is read
  // ahead (only its reads take them).
  const fetchAhead = options.fetchAhead !== false && !parseHash(doc.location.hash);
  const earlyKeeper = source ? homeViewPixels(source.id, persistentCache) : undefined;
  if (fetchAhead) earlyKeeper?.preload();
  ensureStyles(doc);
  muteStaleTileErrors();
  const root = doc.createElement('div');
  root.className = `wsi-root wsi-${options.theme ?? 'dark'}`;
  const osdHost = doc.createElement('div');
  osdHost.className = 'wsi-osd';
  const banner = doc.createElement('div');
  banner.className = 'wsi-error';
  banner.setAttribute('role', 'alert');
  banner.hidden = true;
  root.append(osdHost, banner);
  element.append(root);

  // The workers start (fetch and compile their script), and the drawer is chosen (a WebGL probe, ~20 ms of main
  // thread, in a task of its own), while the slide's directories are read, not after.
  const pool = options.pool ?? createDecoderPool();
  warmCodec = (codec) => pool.warmCodec(codec);
  for (const codec of named) pool.warmCodec(codec);
  const choosingDrawer = new Promise<DrawerOption>((resolve) => setTimeout(() => resolve(options.osd?.drawer ?? preferredDrawer(doc))));
  let slide: Slide;
  let drawer: DrawerOption;
  try {
    slide = await opening;
    drawer = await choosingDrawer;
    // The end of the open and what follows (the tile source, the home view's reads) in separate tasks: one task, they
    // made tasks of 54–94 ms on cold loads of the N=11 slide.
    await nextTask();
  } catch (error) {
    if (!options.pool) pool.terminate();
    root.remove();
    throw error;
  }
  const events = new Emitter<ViewerEvents>();
  for (const [event, handler] of Object.entries(options.on ?? {})) if (handler) events.on(event, handler as (payload: unknown) => void);
  const counts = { loaded: 0, failed: 0, aborted: 0 };
  const tileKey = (t: TilePosition) => `${t.level}/${t.x}/${t.y}`;
  const retries = new TileRetries(new TileFailures({ retryMs: options.tileRetryMs ?? 5_000, workerRetries: WORKER_RETRIES }), banner);
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
      ...(tileSource.homeViewPixels ? { homeViewPixels: { ...tileSource.homeViewPixels.stats } } : {}),
    };
  };
  let osd: OpenSeadragon.Viewer | undefined;
  const tileSource = new SlideTileSource(
    slide,
    pool,
    {
      loaded: (t) => {
        counts.loaded++;
        retries.loaded(tileKey(t));
        events.emit('tile-loaded', t);
        events.emit('stats', stats());
      },
      failed: (t, error) => {
        counts.failed++;
        retries.failed(tileKey(t), error);
        events.emit('tile-failed', { ...t, error });
      },
    },
    options.tileCacheBytes,
  );
  // The profile is read and handed to the workers while the first tiles are fetched: only their decoding waits for it
  // (for a DICOMweb series, reading it is a round trip of its own, and LittleCMS compiles in the workers meanwhile).
  const colourWanted = options.colour ?? 'icc';
  const output = chooseOutputColourSpace(doc, options.colourSpace, slide.colourProfile !== undefined);
  if (output === 'display-p3') {
    learnDisplayP3Bitmaps();
    tileSource.bitmapType = DISPLAY_P3_BITMAP;
  }
  // A DICOM series' keeper is made now: its identity is known only once it is open.
  const keeper = source || isSlide(input) ? earlyKeeper : homeViewPixels(slide.sourceId, persistentCache);
  if (keeper) {
    keeper.output = output;
    tileSource.homeViewPixels = keeper;
  }
  const colourReady = prepareColour(slide, pool, colourWanted, output);
  let colour: Awaited<typeof colourReady> = { state: slide.colourProfile ? { profileBytes: slide.colourProfile.size } : {} };
  tileSource.colourProfile = colourWanted === 'icc' && slide.colourProfile ? colourReady.then((c) => c.profileId) : undefined;
  // The home view's tiles are fetched now, while OpenSeadragon is built, unless the page opens on a view of its own.
  // Those a worker decodes in WASM are decoded on one worker until OpenSeadragon's first frame is over (see fetchAhead).
  const ahead = new AbortController();
  let firstFrameDrawn!: () => void;
  const afterFirstFrame = new Promise<void>((resolve) => (firstFrameDrawn = resolve));
  if (fetchAhead) {
    const minPixelRatio = options.osd?.minPixelRatio ?? OpenSeadragon.DEFAULT_SETTINGS.minPixelRatio ?? 0.5;
    tileSource.fetchAhead(homeViewLevels(tileSource.levels, osdHost.clientWidth, osdHost.clientHeight, minPixelRatio), ahead.signal, afterFirstFrame);
  }
  // The mode shown is whichever profile the tile source decodes with: one place, nothing to keep in step.
  const colourState = (): ColourState => ({ ...colour.state, mode: tileSource.colourProfile === undefined ? 'none' : 'icc', output });
  let colourLine: ReturnType<typeof colourControl> | undefined;
  const setColour = async (mode: ColourMode) => {
    await colourReady;
    if (!osd || mode === colourState().mode || colour.state.profileBytes === undefined) return;
    // Turned on for the first time: the profile is read now.
    if (mode === 'icc' && colour.profileId === undefined) {
      colour = await prepareColour(slide, pool, 'icc', output);
      colourLine?.refresh();
      if (colour.state.problem) return events.emit('colour-warning', { error: colour.state.problem });
    }
    tileSource.colourProfile = mode === 'icc' ? colour.profileId : undefined;
    // The encoded tiles stay in memory; only their decoding is done again.
    redrawTiles();
  };
  /** Drops the drawn tiles (their cache keys name the look they were drawn with), so they are made again from memory. */
  const redrawTiles = () => {
    if (!osd) return;
    osd.world.getItemAt(0)?.reset();
    osd.navigator?.world.getItemAt(0)?.reset();
    osd.forceRedraw();
  };
  const channels = tileSource.channels ? channelControls(tileSource, redrawTiles) : undefined;
  if (channels) {
    // Before the first tile is drawn, so the first view is already in contrast (the coarsest level's tiles, few and small).
    // A failure here (the coarsest tiles unreadable) shows on those tiles themselves; the full range stays.
    await channels.autoContrast().catch(() => undefined);
  }

  // OpenSeadragon is built in a task of its own, after the one that ended the open and asked for the home view's
  // tiles: with the defaults (navigator, panel) both in one task made a long task of 51–83 ms in 7 of 8 cold loads of
  // the N=40 slide and 3 of 8 of N=11; split, 1 of 8 and none, the first viewport no later. Its navigator is built in
  // the task after that (see addNavigator).
  await nextTask();
  const loaderLimit = options.imageLoaderLimit ?? LOADER_LIMIT;
  osd = OpenSeadragon({
    element: osdHost,
    tileSources: tileSource,
    showNavigationControl: false,
    navigatorPosition: 'BOTTOM_RIGHT',
    // The overview stays visible: OpenSeadragon would fade it out whenever the pointer rests.
    autoHideControls: false,
    imageLoaderLimit: loaderLimit,
    // OpenSeadragon starts one tile per frame by default, so a viewport's requests trickle out a frame apart and
    // never meet in the same tick to be merged; starting as many as may run lets touching tiles share a request.
    maxTilesPerFrame: loaderLimit,
    // The minimap needs no exact pixels, and a second WebGL context is one too many on some machines.
    navigatorDrawer: output === 'display-p3' ? 'canvas' : bitmapCanvasDrawer(),
    immediateRender: false,
    blendTime: 0,
    maxZoomPixelRatio: 4,
    visibilityRatio: 0.2,
    ...(options.keyboard === false ? { keyboardNavEnabled: false } : {}),
    ...options.osd,
    // A Display P3 canvas needs drawers that make one, whichever drawers the host named; otherwise the canvas drawer
    // takes the workers' bitmaps as they are.
    drawer: output === 'display-p3' ? displayP3Drawers(drawer) : withBitmapCanvasDrawer(drawer),
    // Built a task later, beside it (see addNavigator).
    showNavigator: false,
  } as OpenSeadragon.Options);

  // The first 'update-viewport' is raised inside the first frame's work: the decodes start in the task after it.
  osd.addOnceHandler('update-viewport', () => setTimeout(firstFrameDrawn));
  retries.attach(
    osd,
    (tile) => tileKey({ level: tileSource.levelMap.toSlide(tile.level), x: tile.x, y: tile.y }),
    () => counts.aborted++,
  );

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

  const stopForgetting = forgetIdleTileRecords(osd);
  const stopPrefetch = options.prefetch === false ? () => undefined : prefetchWhenIdle(osd, tileSource, slide.levels, options.prefetch);
  if (options.keyboard !== false) bindFullScreenKey(osd, root);
  if (options.scaleBar !== false && slide.mpp) root.append(scaleBarElement(osd, doc, slide.mpp.x));
  colourLine = colourControl(doc, colourState, (mode) => void setColour(mode));
  const [buttons, ...panels] = toolsAndPanel(doc, root, slide, pool, options.panel !== false, channels ? channelPanel(doc, channels) : colourLine);
  root.append(buttons!, ...panels);
  if (options.hashViewport) keepViewportInHash(osd, doc);
  labelRegion(root, osd, slide, options.label ?? slideName(slide));

  await new Promise<void>((resolve) => (osd.world.getItemCount() > 0 ? resolve() : osd.addOnceHandler('open', () => resolve())));
  if (options.osd?.showNavigator ?? options.navigator ?? true) {
    await nextTask();
    addNavigator(osd);
  }
  // Their stored shapes load while the first tiles are fetched (`annotations.loaded`); they never read slide bytes.
  const annotations = options.annotations === false ? undefined : attachAnnotations(osd, slide, options.annotations ?? {});
  if (annotations?.toolbarButton) buttons!.append(annotations.toolbarButton);
  root.append(...(annotations?.elements ?? []));
  colour = await colourReady;
  if (tileSource.colourProfile !== undefined) tileSource.colourProfile = colour.profileId;
  colourLine.refresh();
  // A profile that could not be used: the tiles keyed as corrected are made again under the stored values' key.
  if (colour.state.problem) redrawTiles();
  events.emit('opened', { slide });
  if (colour.state.problem) events.emit('colour-warning', { error: colour.state.problem });

  return {
    osd,
    slide,
    tileSource,
    pool,
    on: (event, handler) => events.on(event, handler),
    stats,
    colour: colourState,
    setColour,
    ...(channels ? { channels } : {}),
    ...(annotations ? { annotations: annotations.api } : {}),
    setTheme(theme) {
      root.className = `wsi-root wsi-${theme}`;
    },
    destroy() {
      ahead.abort();
      stopForgetting();
      stopPrefetch();
      annotations?.destroy();
      retries.stop();
      events.clear();
      osd.destroy();
      if (!options.pool) pool.terminate();
      root.remove();
      void slide.close();
    },
  };
}
