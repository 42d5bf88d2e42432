import { describe, expect, it } from 'vitest';
import type { SlideLevel } from '../src/slide/types.js';
import { homeViewLevels } from '../src/viewer/home-view.js';

const level = (width: number, height: number, tile = 256): SlideLevel => ({
  width,
  height,
  tileWidth: tile,
  tileHeight: tile,
  tilesX: Math.ceil(width / tile),
  tilesY: Math.ceil(height / tile),
  downsample: 8000 / width,
});
const pyramid = [level(8000, 6000), level(4000, 3000), level(2000, 1500), level(1000, 750), level(500, 375)];

describe('homeViewLevels: the levels OpenSeadragon asks tiles of when it opens on the whole slide', () => {
  it('the finest level drawn at half a screen pixel per level pixel or more, and every coarser one', () => {
    // 1280×800 fits the 4:3 slide 1067 pixels wide: 2000 wide is drawn at 0.53, 4000 wide at 0.27.
    expect(homeViewLevels(pyramid, 1280, 800, 0.5)).toEqual([2, 3, 4]);
    expect(homeViewLevels(pyramid, 1280, 800, 0.25)).toEqual([1, 2, 3, 4]);
    // A viewer wider than the slide's aspect is bound by its height.
    expect(homeViewLevels(pyramid, 4000, 400, 0.5)).toEqual([3, 4]);
  });

  it('the coarsest level alone when every level is drawn smaller than that; nothing for a viewer without a size', () => {
    expect(homeViewLevels(pyramid, 100, 100, 0.5)).toEqual([4]);
    expect(homeViewLevels(pyramid, 0, 800, 0.5)).toEqual([]);
  });

  it('nothing when the home view would need more than 256 tiles (an unusual minPixelRatio): OpenSeadragon is left to choose', () => {
    expect(homeViewLevels(pyramid, 1280, 800, 0.05)).toEqual([]);
  });
});
