import type OpenSeadragon from 'openseadragon';
import type { ImageView } from './view-sync.js';

/** A viewport as kept in the URL hash: centre in full-resolution pixels and zoom (screen pixels per image pixel). */
export type HashViewport = ImageView;

/** The hash names of a view's three numbers: `x`, `y`, `z` for the first view, `x1`, `y1`, `z1` for the second … */
const names = (index: number) => (['x', 'y', 'z'] as const).map((k) => (index === 0 ? k : `${k}${index}`));

/** Reads view `index`'s `#x=..&y=..&z=..` (other hash parameters are left alone); undefined when absent or malformed. */
export function parseHash(hash: string, index = 0): HashViewport | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const [x, y, zoom] = names(index).map((k) => Number(params.get(k) ?? Number.NaN));
  if (![x, y, zoom].every((n) => Number.isFinite(n)) || zoom! <= 0) return undefined;
  return { x: x!, y: y!, zoom: zoom! };
}

/** Replaces view `index`'s three parameters in a hash, keeping any others the host put there. */
export function mergeHash(hash: string, v: HashViewport, index = 0): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const [x, y, z] = names(index);
  params.set(x!, String(Math.round(v.x)));
  params.set(y!, String(Math.round(v.y)));
  params.set(z!, String(Number(v.zoom.toPrecision(4))));
  return `#${params.toString()}`;
}

/** What a viewer shows now, in its slide's terms; undefined before the slide is open. */
export function currentView(osd: OpenSeadragon.Viewer): ImageView | undefined {
  const item = osd.world.getItemAt(0);
  if (!item) return undefined;
  const centre = item.viewportToImageCoordinates(osd.viewport.getCenter(true));
  return { x: centre.x, y: centre.y, zoom: item.viewportToImageZoom(osd.viewport.getZoom(true)) };
}

/** Puts a viewer at a view at once (no animation). */
export function showView(osd: OpenSeadragon.Viewer, view: ImageView): void {
  const item = osd.world.getItemAt(0);
  if (!item) return;
  osd.viewport.zoomTo(item.imageToViewportZoom(view.zoom), undefined, true);
  osd.viewport.panTo(item.imageToViewportCoordinates(view.x, view.y), true);
}

/** Starts the view from the hash's viewport, and writes the viewport back there whenever the view comes to rest. */
export function keepViewportInHash(osd: OpenSeadragon.Viewer, doc: Document): void {
  const win = doc.defaultView!;
  osd.addOnceHandler('open', () => {
    const start = parseHash(win.location.hash);
    if (start) showView(osd, start);
  });
  osd.addHandler('animation-finish', () => {
    const view = currentView(osd);
    if (view) win.history.replaceState(null, '', mergeHash(win.location.hash, view));
  });
}
