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
