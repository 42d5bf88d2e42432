import { JpegMarker, parseJpegFrame } from './jpeg-header.js';
import type { EncodedTile } from './types.js';

/** JPEG's image sides and restart interval are 16-bit fields. */
const MAX_16BIT = 0xffff;

/** A strip of an associated image: a standalone JPEG (tables spliced) and its first row. */
export type EncodedStrip = EncodedTile & { top: number };

/**
 * An associated image's JPEG strips as one JPEG, or undefined where they cannot be joined exactly. Each strip's scan
 * starts as a restart interval does (DC predictions at zero, on a byte boundary) and ends as one does (padded to a
 * byte), so the strips' scans one after another, restart markers between them, are the scan of one JPEG whose restart
 * interval is a strip's MCUs: one decode instead of one per strip (CMU-1's thumbnail has 48, each a worker job and a
 * bitmap to stack), pixel for pixel the same. Joined only when every strip's header (tables, frame, scan) is the same
 * bar its height, its components are not subsampled, every strip but the last is whole MCU rows, and none has
 * restart markers of its own.
 */
export function joinedJpegStrips(strips: readonly EncodedStrip[], width: number, height: number): EncodedStrip | undefined {
  if (strips.length < 2 || strips.some((s) => s.codec !== 'jpeg' || s.missing)) return undefined;
  const first = strips[0]!;
  const frame = parseJpegFrame(first.bytes);
  if (!frame || (frame.sof !== JpegMarker.SOF0 && frame.sof !== JpegMarker.SOF1) || frame.restartInterval !== 0) return undefined;
  const rows = strips[1]!.top;
  // Subsampled chroma is interpolated across rows, so a joined image would differ from the strips at their seams
  // (by up to 32 levels in the tests): only streams of full-resolution components (8×8 MCUs) are joined.
  if (frame.width !== width || frame.mcuWidth !== 8 || frame.mcuHeight !== 8 || rows <= 0 || rows % frame.mcuHeight !== 0) return undefined;
  const interval = Math.ceil(width / frame.mcuWidth) * (rows / frame.mcuHeight);
  if (width > MAX_16BIT || interval > MAX_16BIT) return undefined;
  const header = first.bytes.subarray(0, frame.headerLength);
  const scans: Uint8Array[] = [];
  let storedHeight = 0;
  for (const [i, strip] of strips.entries()) {
    const bytes = strip.bytes;
    if (strip.top !== i * rows || !sameHeader(bytes, header, frame.sofPos)) return undefined;
    const sofHeight = (bytes[frame.sofPos + 5]! << 8) | bytes[frame.sofPos + 6]!;
    const last = i === strips.length - 1;
    if (last ? sofHeight < strip.height || sofHeight > rows : sofHeight !== rows) return undefined;
    const end = eoiAt(bytes, frame.headerLength);
    if (end === undefined) return undefined;
    scans.push(bytes.subarray(frame.headerLength, end));
    storedHeight = strip.top + sofHeight;
  }
  if (storedHeight > MAX_16BIT || storedHeight < height) return undefined;
  const { sosPos } = frame;
  const dri = Uint8Array.of(0xff, JpegMarker.DRI, 0x00, 0x04, interval >> 8, interval & 0xff);
  const out = new Uint8Array(header.length + dri.length + scans.reduce((sum, scan) => sum + scan.length + 2, 0));
  out.set(header.subarray(0, sosPos));
  out.set(dri, sosPos);
  out.set(header.subarray(sosPos), sosPos + dri.length);
  out[frame.sofPos + 5] = storedHeight >> 8;
  out[frame.sofPos + 6] = storedHeight & 0xff;
  let at = header.length + dri.length;
  for (const [i, scan] of scans.entries()) {
    out.set(scan, at);
    at += scan.length;
    out[at] = 0xff;
    out[at + 1] = i === scans.length - 1 ? JpegMarker.EOI : JpegMarker.RST0 + (i & 7);
    at += 2;
  }
  return { ...first, bytes: out, height, stored: { width: first.stored.width, height: storedHeight }, top: 0 };
}

/** Whether a strip's header is `header` byte for byte, but for the height in its frame (SOF) segment. */
function sameHeader(bytes: Uint8Array, header: Uint8Array, sofPos: number): boolean {
  if (bytes.length <= header.length) return false;
  for (let i = 0; i < header.length; i++) if (bytes[i] !== header[i] && i !== sofPos + 5 && i !== sofPos + 6) return false;
  return true;
}

/** Where the EOI marker that ends a strip's scan sits (past trailing padding), or undefined for a strip cut short. */
function eoiAt(bytes: Uint8Array, from: number): number | undefined {
  for (let i = bytes.length - 2; i >= from; i--) if (bytes[i] === 0xff && bytes[i + 1] === JpegMarker.EOI) return i;
  return undefined;
}
