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
