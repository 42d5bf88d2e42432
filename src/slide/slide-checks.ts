import { SlideError } from '../errors.js';
import type { Ifd } from '../tiff/ifd.js';
import { Tag } from '../tiff/tags.js';
import type { ColourProfile, SlideLevel, TileReadOptions } from './types.js';

/** A label or macro is at most a few million pixels; more is a damaged size asking for a huge allocation. */
export const MAX_ASSOCIATED_PIXELS = 2 ** 27;

/** `corrupt` when an associated image's size is beyond any real label, macro or thumbnail. */
export function checkAssociatedSize(name: string, width: number, height: number, sourceId: string): void {
  if (width > 0 && height > 0 && width * height <= MAX_ASSOCIATED_PIXELS) return;
  throw new SlideError('corrupt', `${sourceId}: the ${name} image claims ${width}×${height} pixels, beyond any real one. The file is damaged.`, {
    source: sourceId,
  });
}

/** The largest profiles scanners write are about 13 MB (GT450); a tag claiming more than this is damage. */
const MAX_PROFILE_BYTES = 64 * 1024 * 1024;

/** The geometry of a tile (of a channel and plane) a caller asks for, or `out_of_bounds` saying what the slide has. */
export function checkedLevel(
  levels: readonly SlideLevel[],
  level: number,
  x: number,
  y: number,
  sourceId: string,
  { channel = 0, z = 0, t = 0 }: TileReadOptions = {},
  channels = 1,
  planes: { z: number; t: number } = { z: 1, t: 1 },
): SlideLevel {
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
    const has = channels === 1 ? 'one channel' : `channels 0–${channels - 1}`;
    throw new SlideError('out_of_bounds', `Channel ${channel} does not exist: ${sourceId} has ${has}.`, { source: sourceId });
  }
  if (!Number.isInteger(z) || !Number.isInteger(t) || z < 0 || t < 0 || z >= planes.z || t >= planes.t) {
    throw new SlideError('out_of_bounds', `Plane Z ${z}, T ${t} does not exist: ${sourceId} has ${planes.z} Z and ${planes.t} T planes.`, { source: sourceId });
  }
  const geometry = levels[level];
  if (!geometry) {
    throw new SlideError('out_of_bounds', `Level ${level} does not exist: ${sourceId} has levels 0–${levels.length - 1}.`, { source: sourceId });
  }
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= geometry.tilesX || y >= geometry.tilesY) {
    throw new SlideError('out_of_bounds', `Tile (${x}, ${y}) is outside level ${level}, which has ${geometry.tilesX}×${geometry.tilesY} tiles.`, {
      source: sourceId,
    });
  }
  return geometry;
}

/**
 * The ICC profile of a TIFF directory (tag 34675), if it has one: its size known now, its bytes read on request and
 * not kept in the directory (a GT450 profile is 13 MB; the one caller that wants them builds a transform).
 */
export function tiffColourProfile(ifd: Ifd, sourceId: string): ColourProfile | undefined {
  const profile = ifd.entries.get(Tag.ICCProfile);
  if (!profile || profile.count === 0) return undefined;
  const { type, count } = profile;
  return {
    size: count,
    read: async (opts) => {
      // BYTE or UNDEFINED, as TIFF/EP and every scanner write it; anything else is not a profile.
      if ((type !== 1 && type !== 7) || count > MAX_PROFILE_BYTES) {
        throw new SlideError('corrupt', `${sourceId}: the ICC profile tag (type ${type}, ${count} values) holds no profile. The file is damaged.`, {
          source: sourceId,
        });
      }
      return (await ifd.bytes(Tag.ICCProfile, opts))!;
    },
  };
}
