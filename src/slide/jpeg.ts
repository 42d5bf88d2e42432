import { headerSegments, JpegMarker } from './jpeg-header.js';

const { SOI, EOI, DQT, APP14 } = JpegMarker;

/**
 * Adobe APP14 with transform 0: tells every decoder that the three components are RGB, not YCbCr.
 * Aperio "JPEG/RGB" tiles lack it, and without it decoders convert from YCbCr and the slide turns pink.
 * Layout: marker, length 14, "Adobe", version 100, flags0 0, flags1 0, transform 0.
 */
const ADOBE_RGB = Uint8Array.of(0xff, APP14, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00);

/** Marker codes before the first SOS (a tile's header is a few hundred bytes). */
function headerMarkers(jpeg: Uint8Array): Set<number> {
  return new Set(headerSegments(jpeg).map((s) => s.marker));
}

export interface JpegFixOptions {
  /** The directory's JPEGTables (quantisation and Huffman tables shared by all tiles), if any. */
  tables?: Uint8Array;
  /** Photometric is RGB: mark the stream so decoders skip the YCbCr conversion. */
  rgb: boolean;
}

/**
 * Makes a TIFF JPEG tile a standalone JPEG: JPEGTables without its EOI, then the tile without its SOI
 * (TIFF Technical Note 2), unless the tile carries its own tables; and the Adobe marker for RGB data.
 */
export function standaloneJpeg(tile: Uint8Array, { tables, rgb }: JpegFixOptions): Uint8Array {
  if (tile.length < 4 || tile[0] !== 0xff || tile[1] !== SOI) return tile;
  const markers = headerMarkers(tile);
  const splice = tables !== undefined && tables.length >= 4 && !markers.has(DQT) && tables[0] === 0xff && tables[1] === SOI;
  const addAdobe = rgb && !markers.has(APP14);
  if (!splice && !addAdobe) return tile;

  // tables = SOI, DQT/DHT…, EOI: keep all but the trailing EOI.
  const tableBody = splice
    ? tables.subarray(2, tables[tables.length - 2] === 0xff && tables[tables.length - 1] === EOI ? tables.length - 2 : tables.length)
    : new Uint8Array(0);
  const marker = addAdobe ? ADOBE_RGB : new Uint8Array(0);
  const out = new Uint8Array(2 + marker.length + tableBody.length + tile.length - 2);
  out[0] = 0xff;
  out[1] = SOI;
  out.set(marker, 2);
  out.set(tableBody, 2 + marker.length);
  out.set(tile.subarray(2), 2 + marker.length + tableBody.length);
  return out;
}
