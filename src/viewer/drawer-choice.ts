import type OpenSeadragon from 'openseadragon';

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
    choice = probeDrawer(doc);
    chosen.set(doc, choice);
  }
  return [...choice];
}

/** One probe per page: a WebGL context costs tens of milliseconds to create. */
const chosen = new WeakMap<Document, Array<'webgl' | 'canvas'>>();

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
