import { SlideError } from '../errors.js';
import type { RangeSource, ReadOptions } from '../source/range-source.js';
import { Compression, Photometric, Tag } from '../tiff/tags.js';
import { codecOf, colourOf, type DirectoryInfo } from './directory.js';
import { standaloneJpeg } from './jpeg.js';
import { unreadableJpeg } from './jpeg-header.js';
import type { EncodedTile } from './types.js';

/** No real tile or strip is anywhere near these; bigger is a hostile file asking for a huge allocation. */
const MAX_BLOCK_BYTES = 256 * 1024 * 1024;
const MAX_BLOCK_SAMPLES = 2 ** 26;

export interface BlockRequest {
  info: DirectoryInfo;
  /** Index into the offsets and byte-count arrays. */
  index: number;
  width: number;
  height: number;
}

/**
 * Reads one tile or strip: its offset and byte count (one element each of arrays that may be huge, read
 * through the directory's metadata cache, so neighbours come along), then its bytes in one request from `data`.
 */
export async function readBlock(data: RangeSource, req: BlockRequest, opts: ReadOptions): Promise<EncodedTile> {
  const { info } = req;
  const codec = codecOf(info, data.id);
  const [offsetTag, countTag] = info.tiled ? [Tag.TileOffsets, Tag.TileByteCounts] : [Tag.StripOffsets, Tag.StripByteCounts];
  if (!info.ifd.has(countTag)) {
    throw new SlideError(
      'corrupt',
      `${data.id}: the directory at offset ${info.ifd.offset} has no byte counts for its ${info.tiled ? 'tiles' : 'strips'}. The file is damaged.`,
      { source: data.id },
    );
  }
  // A level's JPEG tables go out with its first tile's offsets, not after its bytes: one round trip fewer.
  const tables = codec === 'jpeg' && info.ifd.has(Tag.JPEGTables) ? info.ifd.value(Tag.JPEGTables, opts) : undefined;
  // Awaited below, or not at all for a missing tile, whose read then fails for nobody.
  tables?.catch(() => undefined);
  const [offset, byteCount] = await Promise.all([info.ifd.element(offsetTag, req.index, opts), info.ifd.element(countTag, req.index, opts)]);
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(byteCount) || offset < 0 || byteCount < 0) {
    throw new SlideError('corrupt', `${data.id}: a tile's offset (${offset}) or length (${byteCount}) is not a byte position. The file is damaged.`, {
      source: data.id,
    });
  }
  if (info.blockWidth * info.blockHeight * info.layout.samplesPerPixel > MAX_BLOCK_SAMPLES) {
    throw new SlideError(
      'corrupt',
      `${data.id}: a ${info.blockWidth}×${info.blockHeight} tile of ${info.layout.samplesPerPixel} samples is far beyond any real tile. The file is damaged.`,
      { source: data.id },
    );
  }
  const base = {
    codec,
    width: req.width,
    height: req.height,
    stored: { width: info.blockWidth, height: info.blockHeight },
    colour: colourOf(info),
    layout: info.layout,
  };
  // Scanners leave never-scanned tiles out: offset or count 0. Not corruption; the tile is simply not there.
  if (offset === 0 || byteCount === 0) return { ...base, bytes: new Uint8Array(0), missing: true };
  if (byteCount > MAX_BLOCK_BYTES) {
    throw new SlideError('corrupt', `${data.id}: a tile claims ${byteCount} bytes, more than any real tile. The file is damaged.`, { source: data.id });
  }
  const raw = await data.read(offset, byteCount, opts);
  if (codec !== 'jpeg') return { ...base, bytes: raw };
  const unreadable = unreadableJpeg(raw, data.id);
  if (unreadable) throw unreadable;
  const tableBytes = await tables;
  const rgb = info.photometric === Photometric.RGB && info.compression === Compression.JPEG;
  return { ...base, bytes: standaloneJpeg(raw, { ...(tableBytes instanceof Uint8Array ? { tables: tableBytes } : {}), rgb }) };
}

/** Tiles of a tiled directory are numbered row by row. */
export function tileRequest(info: DirectoryInfo, x: number, y: number): BlockRequest {
  const tilesX = Math.ceil(info.width / info.blockWidth);
  return {
    info,
    index: y * tilesX + x,
    width: Math.min(info.blockWidth, info.width - x * info.blockWidth),
    height: Math.min(info.blockHeight, info.height - y * info.blockHeight),
  };
}
