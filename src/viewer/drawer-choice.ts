import type OpenSeadragon from 'openseadragon';
import { localStorageOrUndefined } from '../local-storage.js';

/** What OpenSeadragon takes as its `drawer`: a name, a drawer class, or a list of candidates, the first supported used. */
export type DrawerOption = NonNullable<OpenSeadragon.Options['drawer']>;

/**
 * The drawer candidates with each one named by OpenSeadragon ('webgl', 'canvas') replaced by the class `replace` gives
 * for it, where it gives one; a host's own drawer class is kept as given.
 */
export function replaceNamedDrawers(drawer: DrawerOption, replace: (name: string) => OpenSeadragon.DrawerConstructor | undefined): DrawerOption {
  const candidates = Array.isArray(drawer) ? drawer : [drawer];
  return candidates.map((candidate) => (typeof candidate === 'string' ? (replace(candidate) ?? candidate) : candidate));
}

/**
 * The OpenSeadragon drawer to use. WebGL draws tiles at their exact size (native pixels stay exact at 1:1),
 * but where WebGL is emulated in software (SwiftShader, llvmpipe: headless browsers, VMs without a GPU)
 * each frame costs ten times more than the canvas drawer's, so there the canvas drawer is chosen, accepting
 * its one-pixel tile stretch (it hides seams) for a usable frame rate.
 */
export function preferredDrawer(doc: Document): Array<'webgl' | 'canvas'> {
  let choice = chosen.get(doc);
  if (!choice) {
    choice = rememberedChoice() ?? remember(probeDrawer(doc));
    chosen.set(doc, choice);
  }
  return [...choice];
}

/** One probe per page: a WebGL context costs tens of milliseconds to create. */
const chosen = new WeakMap<Document, Array<'webgl' | 'canvas'>>();

/**
 * The probe's answer is kept in localStorage for this browser, named by its user agent string (a new version probes
 * again): a reload skips the WebGL context, about 10 ms of main thread before the first frame (the 4:2:0 fixture's
 * warm reload: 201 → 190 ms, `npm run bench:reload`). A stale answer costs speed or exactness at 1:1, never a tile.
 */
const REMEMBERED = 'wsi-stream-drawer';

function rememberedChoice(): Array<'webgl' | 'canvas'> | undefined {
  try {
    const stored: unknown = JSON.parse(localStorageOrUndefined()?.getItem(REMEMBERED) ?? 'null');
    if (typeof stored !== 'object' || stored === null) return undefined;
    const { userAgent, drawers } = stored as { userAgent?: unknown; drawers?: unknown };
    if (userAgent !== navigator.userAgent || !Array.isArray(drawers)) return undefined;
    const known = drawers.filter((d): d is 'webgl' | 'canvas' => d === 'webgl' || d === 'canvas');
    return known.length === drawers.length && known.includes('canvas') ? known : undefined;
  } catch {
    return undefined;
  }
}

function remember(drawers: Array<'webgl' | 'canvas'>): Array<'webgl' | 'canvas'> {
  try {
    localStorageOrUndefined()?.setItem(REMEMBERED, JSON.stringify({ userAgent: navigator.userAgent, drawers }));
  } catch {
    // Unremembered (storage full or refused): the next page probes again.
  }
  return drawers;
}

function probeDrawer(doc: Document): Array<'webgl' | 'canvas'> {
  try {
    const gl = doc.createElement('canvas').getContext('webgl');
    if (!gl) return ['canvas'];
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer) ? ['canvas'] : ['webgl', 'canvas'];
  } catch {
    return ['canvas'];
  }
}
