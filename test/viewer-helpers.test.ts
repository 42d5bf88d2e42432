import { describe, expect, it } from 'vitest';
import { LevelMap } from '../src/viewer/level-map.js';
import { scaleBarFor } from '../src/viewer/scale-bar.js';
import { mergeHash, parseHash } from '../src/viewer/viewport-hash.js';

describe('scale bar', () => {
  it('picks 1-2-5 lengths that fit, in µm or mm', () => {
    expect(scaleBarFor(0.499)).toEqual({ pixels: 100, label: '50 µm' });
    expect(scaleBarFor(2)).toEqual({ pixels: 100, label: '200 µm' });
    expect(scaleBarFor(10)).toEqual({ pixels: 100, label: '1 mm' });
    expect(scaleBarFor(0.05).pixels).toBeLessThanOrEqual(160);
  });
});

describe('viewport hash', () => {
  it('round-trips and keeps the host’s own parameters', () => {
    const hash = mergeHash('#tab=2', { x: 1000.4, y: 1500.6, zoom: 0.123456 });
    expect(hash).toBe('#tab=2&x=1000&y=1501&z=0.1235');
    expect(parseHash(hash)).toEqual({ x: 1000, y: 1501, zoom: 0.1235 });
  });

  it('ignores missing or malformed values', () => {
    expect(parseHash('')).toBeUndefined();
    expect(parseHash('#x=1&y=2')).toBeUndefined();
    expect(parseHash('#x=1&y=2&z=-1')).toBeUndefined();
    expect(parseHash('#x=a&y=2&z=1')).toBeUndefined();
  });
});

describe('LevelMap', () => {
  const levels = [
    { width: 300, height: 250, tileWidth: 64, tileHeight: 64, tilesX: 5, tilesY: 4, downsample: 1 },
    { width: 75, height: 62, tileWidth: 64, tileHeight: 64, tilesX: 2, tilesY: 1, downsample: 4.016 },
  ];
  it('converts between OpenSeadragon levels (smallest first) and slide levels (full resolution first)', () => {
    const map = new LevelMap(levels);
    expect(map.maxOsdLevel).toBe(1);
    expect(map.toSlide(1)).toBe(0);
    expect(map.toOsd(1)).toBe(0);
    expect(map.level(0).width).toBe(75);
    expect(map.scale(0)).toBe(0.25);
    expect(() => map.level(2)).toThrow(RangeError);
  });
});
