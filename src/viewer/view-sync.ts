/**
 * How views follow each other, in units shared by the slides: micrometres from each slide's MPP (`physical`), or
 * image pixels (`pixel`, and `physical` when a slide has no MPP). Pure arithmetic, tested without a browser.
 */
export type SyncMode = 'physical' | 'pixel' | 'none';

/** A view in shared units: the centre, and screen pixels per unit. */
export interface SharedView {
  x: number;
  y: number;
  scale: number;
}

/** A view in one slide's own terms: centre in its full-resolution pixels, zoom in screen pixels per image pixel. */
export interface ImageView {
  x: number;
  y: number;
  zoom: number;
}

/** Each slide's size of one image pixel in shared units (µm, or 1 for pixel sync and for any group with a slide lacking MPP). */
export function unitsPerPixel(mode: SyncMode, mpps: ReadonlyArray<{ x: number; y: number } | undefined>): Array<{ x: number; y: number }> {
  const physical = mode === 'physical' && mpps.every((m) => m !== undefined);
  return mpps.map((m) => (physical ? m! : { x: 1, y: 1 }));
}

export function toShared(view: ImageView, unit: { x: number; y: number }): SharedView {
  return { x: view.x * unit.x, y: view.y * unit.y, scale: view.zoom / unit.x };
}

export function toImage(view: SharedView, unit: { x: number; y: number }): ImageView {
  return { x: view.x / unit.x, y: view.y / unit.y, zoom: view.scale * unit.x };
}

/**
 * Where a follower goes when the leader moves: the same shared point shifted by the followers' offsets from the leader
 * (each offset is a view's centre minus the first view's, in shared units), at the same scale.
 */
export function followerView(leader: SharedView, leaderOffset: { x: number; y: number }, followerOffset: { x: number; y: number }): SharedView {
  return { x: leader.x - leaderOffset.x + followerOffset.x, y: leader.y - leaderOffset.y + followerOffset.y, scale: leader.scale };
}

/** Whether a view is (to rounding) the one the group set: its own change event, not a user's move. */
export function sameView(a: ImageView, b: ImageView): boolean {
  return Math.abs(a.x - b.x) < 1e-3 && Math.abs(a.y - b.y) < 1e-3 && Math.abs(a.zoom / b.zoom - 1) < 1e-6;
}
