import { describe, expect, it } from 'vitest';
import { LevelMap } from '../src/viewer/level-map.js';
import { scaleBarFor } from '../src/viewer/scale-bar.js';
import { mergeHash, parseHash } from '../src/viewer/viewport-hash.js';
import { followerView, sameView, toImage, toShared, unitsPerPixel } from '../src/viewer/view-sync.js';

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

describe('views side by side', () => {
  it('a second view keeps its own numbered parameters in the hash', () => {
    const hash = mergeHash(mergeHash('', { x: 1, y: 2, zoom: 0.5 }), { x: 30, y: 40, zoom: 2 }, 1);
    expect(hash).toBe('#x=1&y=2&z=0.5&x1=30&y1=40&z1=2');
    expect([parseHash(hash), parseHash(hash, 1), parseHash(hash, 2)]).toEqual([{ x: 1, y: 2, zoom: 0.5 }, { x: 30, y: 40, zoom: 2 }, undefined]);
  });

  it('physical sync: the same micrometres at the same screen scale, shifted by the offsets', () => {
    const units = unitsPerPixel('physical', [
      { x: 0.5, y: 0.5 },
      { x: 0.25, y: 0.25 },
    ]);
    const leader = toShared({ x: 1000, y: 2000, zoom: 0.5 }, units[0]!);
    expect(leader).toEqual({ x: 500, y: 1000, scale: 1 });
    // The second slide has twice the pixels per µm: the same place is twice as far in pixels, drawn half as large per pixel.
    expect(toImage(followerView(leader, { x: 0, y: 0 }, { x: 10, y: -20 }), units[1]!)).toEqual({ x: 2040, y: 3920, zoom: 0.25 });
  });

  it('without MPP on every slide, physical sync falls back to pixels', () => {
    expect(unitsPerPixel('physical', [{ x: 0.5, y: 0.5 }, undefined])).toEqual([
      { x: 1, y: 1 },
      { x: 1, y: 1 },
    ]);
  });

  it('tells the view the group set from a view someone moved', () => {
    expect(sameView({ x: 10, y: 20, zoom: 1 }, { x: 10.0000001, y: 20, zoom: 1.00000001 })).toBe(true);
    expect(sameView({ x: 10, y: 20, zoom: 1 }, { x: 11, y: 20, zoom: 1 })).toBe(false);
  });
});
