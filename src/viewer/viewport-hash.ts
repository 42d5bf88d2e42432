import type OpenSeadragon from 'openseadragon';

/** A viewport as kept in the URL hash: centre in full-resolution pixels and zoom (screen pixels per image pixel). */
export interface HashViewport {
  x: number;
  y: number;
  zoom: number;
}

export function formatHash(v: HashViewport): string {
  return `x=${Math.round(v.x)}&y=${Math.round(v.y)}&z=${Number(v.zoom.toPrecision(4))}`;
}

/** Reads `#x=..&y=..&z=..` (other hash parameters are left alone); undefined when absent or malformed. */
export function parseHash(hash: string): HashViewport | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const [x, y, zoom] = ['x', 'y', 'z'].map((k) => Number(params.get(k) ?? NaN));
  if (![x, y, zoom].every((n) => Number.isFinite(n)) || zoom! <= 0) return undefined;
  return { x: x!, y: y!, zoom: zoom! };
}

/** Replaces our three parameters in a hash, keeping any others the host put there. */
export function mergeHash(hash: string, v: HashViewport): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [k, value] of new URLSearchParams(formatHash(v))) params.set(k, value);
  return `#${params.toString()}`;
}

/** Starts the view from the hash's viewport, and writes the viewport back there whenever the view comes to rest. */
export function keepViewportInHash(osd: OpenSeadragon.Viewer, doc: Document): void {
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
