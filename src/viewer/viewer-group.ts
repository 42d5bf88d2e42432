import type { SlideInput } from '../slide/open-slide.js';
import type { Slide } from '../slide/types.js';
import { createDecoderPool } from '../workers/default-pool.js';
import type { DecoderPool } from '../workers/pool.js';
import { type CreateViewerOptions, createViewer, type WsiViewer } from './create-viewer.js';
import { followerView, type ImageView, type SharedView, type SyncMode, sameView, toImage, toShared, unitsPerPixel } from './view-sync.js';
import { currentView, mergeHash, parseHash, showView } from './viewport-hash.js';

export interface ViewerGroupOptions extends Omit<CreateViewerOptions, 'pool' | 'hashViewport'> {
  /** `physical` (default): pan and zoom follow in micrometres, from each slide's MPP; `pixel`: in image pixels; `none`: independent. */
  sync?: SyncMode;
  /** Keep every view in the URL hash (`x`, `y`, `z` for the first, `x1`, `y1`, `z1` for the second …) and start from it. */
  hashViewport?: boolean;
  /** Shared by every viewer of the group; one is made (and terminated with the group) when absent. */
  pool?: DecoderPool;
}

export interface ViewerGroup {
  readonly viewers: readonly WsiViewer[];
  /** The one decoder pool every viewer of the group decodes with. */
  readonly pool: DecoderPool;
  readonly sync: SyncMode;
  /** Whether the views move together (default). */
  readonly locked: boolean;
  /** Unlocked, each view moves alone (to align the slides); locked again, the views keep the offsets they have then. */
  setLocked(locked: boolean): void;
  /** Each view's centre minus the first view's, in shared units (µm for physical sync, else image pixels). */
  offsets(): Array<{ x: number; y: number }>;
  setTheme(theme: 'dark' | 'light'): void;
  destroy(): void;
}

/**
 * Slides side by side (an H&E beside its IHC stains): one viewer per element, one decoder pool, and pan and zoom that
 * follow each other in physical units, so slides of different resolutions show the same micrometres. Whichever view
 * the user moves leads; the others follow at once, keeping the offsets between them (set by unlocking, moving one
 * view, and locking again). A view's own change event is told from a user's by comparing it with the view the group
 * set, so programmatic moves (a host's `viewport.panTo`) lead as well.
 */
export async function createViewerGroup(
  elements: readonly HTMLElement[],
  sources: ReadonlyArray<SlideInput | readonly SlideInput[] | Slide>,
  options: ViewerGroupOptions = {},
): Promise<ViewerGroup> {
  if (elements.length !== sources.length || elements.length === 0) throw new RangeError('createViewerGroup needs one element per source, and at least one.');
  const pool = options.pool ?? createDecoderPool();
  const { sync: mode = 'physical', hashViewport = false, ...viewerOptions } = options;
  let viewers: WsiViewer[];
  try {
    viewers = await Promise.all(sources.map((source, i) => createViewer(elements[i]!, source, { ...viewerOptions, pool, hashViewport: false })));
  } catch (error) {
    if (!options.pool) pool.terminate();
    throw error;
  }
  const units = unitsPerPixel(
    mode,
    viewers.map((v) => v.slide.mpp),
  );
  const win = elements[0]!.ownerDocument.defaultView!;
  /** The view the group last put each viewer in: its change event for that view is the group's own. */
  const applied: Array<ImageView | undefined> = viewers.map(() => undefined);
  const shared = (i: number): SharedView | undefined => {
    const view = currentView(viewers[i]!.osd);
    return view && toShared(view, units[i]!);
  };

  if (hashViewport) restoreFromHash(viewers, win);
  let offsets = viewers.map((_, i) => {
    const a = shared(0);
    const b = shared(i);
    return a && b ? { x: b.x - a.x, y: b.y - a.y } : { x: 0, y: 0 };
  });
  let locked = mode !== 'none';

  const follow = (leader: number) => {
    const view = shared(leader);
    if (!view) return;
    for (const [i, viewer] of viewers.entries()) {
      if (i === leader) continue;
      const target = toImage(followerView(view, offsets[leader]!, offsets[i]!), units[i]!);
      applied[i] = target;
      showView(viewer.osd, target);
    }
  };
  for (const [i, viewer] of viewers.entries()) {
    viewer.osd.addHandler('viewport-change', () => {
      if (!locked) return;
      const now = currentView(viewer.osd);
      const set = applied[i];
      if (now && set && sameView(now, set)) return;
      applied[i] = undefined;
      follow(i);
    });
    if (hashViewport) viewer.osd.addHandler('animation-finish', () => writeHash(viewers, win));
  }
  // Scales start equal (the first slide's), centres where the slides opened or the link put them.
  if (locked) follow(0);

  return {
    viewers,
    pool,
    sync: mode,
    get locked() {
      return locked;
    },
    setLocked(on) {
      if (mode === 'none') return;
      if (on && !locked) {
        offsets = viewers.map((_, i) => {
          const a = shared(0)!;
          const b = shared(i)!;
          return { x: b.x - a.x, y: b.y - a.y };
        });
        // The scales may have drifted apart while unlocked: the first view's wins.
        locked = true;
        follow(0);
      }
      locked = on;
    },
    offsets: () => offsets.map((o) => ({ ...o })),
    setTheme(theme) {
      for (const v of viewers) v.setTheme(theme);
    },
    destroy() {
      for (const v of viewers) v.destroy();
      if (!options.pool) pool.terminate();
    },
  };
}

function restoreFromHash(viewers: readonly WsiViewer[], win: Window): void {
  for (const [i, viewer] of viewers.entries()) {
    const view = parseHash(win.location.hash, i);
    if (view) showView(viewer.osd, view);
  }
}

function writeHash(viewers: readonly WsiViewer[], win: Window): void {
  let hash = win.location.hash;
  for (const [i, viewer] of viewers.entries()) {
    const view = currentView(viewer.osd);
    if (view) hash = mergeHash(hash, view, i);
  }
  win.history.replaceState(null, '', hash);
}
