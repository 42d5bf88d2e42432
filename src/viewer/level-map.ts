import type { SlideLevel } from '../slide/types.js';

/**
 * OpenSeadragon numbers levels from the smallest (0) up; slides number them from full resolution (0) down.
 * Every conversion between the two goes through here.
 */
export class LevelMap {
  readonly #levels: readonly SlideLevel[];

  constructor(levels: readonly SlideLevel[]) {
    this.#levels = levels;
  }

  get maxOsdLevel(): number {
    return this.#levels.length - 1;
  }

  toSlide(osdLevel: number): number {
    return this.#levels.length - 1 - osdLevel;
  }

  toOsd(slideLevel: number): number {
    return this.#levels.length - 1 - slideLevel;
  }

  level(osdLevel: number): SlideLevel {
    const level = this.#levels[this.toSlide(osdLevel)];
    if (!level) throw new RangeError(`OpenSeadragon level ${osdLevel} does not exist`);
    return level;
  }

  /** Scale of an OpenSeadragon level against full resolution: the true width ratio, not a power of two. */
  scale(osdLevel: number): number {
    return this.level(osdLevel).width / this.#levels[0]!.width;
  }
}

export interface ImageRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where tile (x, y) of `level` lies in full-resolution pixels, as the viewer draws it: on the level's own
 * grid, scaled by the level's width ratio on both axes, edge tiles at their true size. Drawing, stale-tile
 * checks and prefetch all use this, so they agree on every tile's place.
 */
export function tileImageRect(level: SlideLevel, base: SlideLevel, x: number, y: number): ImageRect {
  const scale = base.width / level.width;
  const px = x * level.tileWidth;
  const py = y * level.tileHeight;
  return {
    x: px * scale,
    y: py * scale,
    width: Math.min(level.tileWidth, level.width - px) * scale,
    height: Math.min(level.tileHeight, level.height - py) * scale,
  };
}

/** The first and last tile columns and rows of `level` that a full-resolution rectangle touches. */
export function tilesCovering(level: SlideLevel, base: SlideLevel, rect: ImageRect): { x0: number; y0: number; x1: number; y1: number } {
  const scale = base.width / level.width;
  return {
    x0: Math.floor(rect.x / scale / level.tileWidth),
    y0: Math.floor(rect.y / scale / level.tileHeight),
    x1: Math.floor((rect.x + rect.width) / scale / level.tileWidth),
    y1: Math.floor((rect.y + rect.height) / scale / level.tileHeight),
  };
}
