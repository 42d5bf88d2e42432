import type { ByteView } from './byte-view.js';
import { FieldType, fieldSize } from './tags.js';

/** A decoded tag value: raw bytes for BYTE/UNDEFINED (tables, profiles), text for ASCII, numbers otherwise. */
export type TagValue = Uint8Array | string | number[];

/** Decodes `count` values of `type` from `view` starting at `pos`. */
export function decodeValues(view: ByteView, pos: number, type: number, count: number): TagValue {
  switch (type) {
    case FieldType.BYTE:
    case FieldType.UNDEFINED:
      return view.bytes.slice(pos, pos + count);
    case FieldType.ASCII:
      return decodeAscii(view.bytes.subarray(pos, pos + count));
  }
  const size = fieldSize(type)!;
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = decodeOne(view, pos + i * size, type);
  return out;
}

export function decodeOne(view: ByteView, pos: number, type: number): number {
  switch (type) {
    case FieldType.BYTE:
    case FieldType.UNDEFINED:
    case FieldType.ASCII:
      return view.u8(pos);
    case FieldType.SBYTE:
      return view.i8(pos);
    case FieldType.SHORT:
      return view.u16(pos);
    case FieldType.SSHORT:
      return view.i16(pos);
    case FieldType.LONG:
    case FieldType.IFD:
      return view.u32(pos);
    case FieldType.SLONG:
      return view.i32(pos);
    case FieldType.RATIONAL:
      return view.u32(pos) / view.u32(pos + 4);
    case FieldType.SRATIONAL:
      return view.i32(pos) / view.i32(pos + 4);
    case FieldType.FLOAT:
      return view.f32(pos);
    case FieldType.DOUBLE:
      return view.f64(pos);
    case FieldType.LONG8:
    case FieldType.IFD8:
      return view.u64(pos);
    case FieldType.SLONG8:
      return view.i64(pos);
    default:
      throw new RangeError(`field type ${type}`);
  }
}

/**
 * ASCII values end at their first NUL (TIFF allows several NUL-separated strings; OpenSlide, like libtiff,
 * shows the first). Scanners write Latin-1 or UTF-8 into "ASCII": decode as UTF-8, which keeps plain ASCII exact.
 */
function decodeAscii(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return new TextDecoder('utf-8').decode(nul === -1 ? bytes : bytes.subarray(0, nul));
}
