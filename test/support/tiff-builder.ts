/**
 * Builds small TIFF and BigTIFF files for edge cases no real fixture has: loops, stripped images, huge
 * counts, offsets past 2^53, both byte orders. Values larger than the entry are placed after the IFD.
 */
export interface BuilderEntry {
  tag: number;
  type: number;
  /** Numbers for numeric types, bytes for BYTE/UNDEFINED, a string for ASCII. */
  values: number[] | Uint8Array | string;
  /** Overrides the count written (to lie about it). */
  count?: number;
  /** Overrides the value offset written (to point anywhere). */
  offset?: number;
}

export interface BuilderIfd {
  entries: BuilderEntry[];
  /** Overrides the next-IFD pointer (for loops); default chains to the following IFD or 0. */
  next?: number;
}

const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 16: 8, 18: 8, 13: 4 };

export interface BuilderOptions {
  bigTiff?: boolean;
  littleEndian?: boolean;
  /** Bytes placed right after the header (tile data), at PAYLOAD_OFFSET. */
  payload?: Uint8Array;
}

export function buildTiff(ifds: BuilderIfd[], options: BuilderOptions = {}): Uint8Array {
  return buildTiffWithOffsets(ifds, options).bytes;
}

/** Also tells where each IFD landed, for tests that point at directories (SubIFDs, loops). */
export function buildTiffWithOffsets(ifds: BuilderIfd[], options: BuilderOptions = {}): { bytes: Uint8Array; ifdOffsets: number[] } {
  const big = options.bigTiff ?? false;
  const le = options.littleEndian ?? true;
  const valueBytes = ifds.flatMap((ifd) => ifd.entries).reduce((sum, e) => sum + encode(e, le).length + 24, 0);
  const buf = new ArrayBuffer(64 + (options.payload?.length ?? 0) + ifds.length * 16 + valueBytes);
  const view = new DataView(buf);
  let pos = 0;
  const u16 = (p: number, v: number) => view.setUint16(p, v, le);
  const u32 = (p: number, v: number) => view.setUint32(p, v, le);
  const u64 = (p: number, v: number | bigint) => view.setBigUint64(p, BigInt(v), le);
  const off = (p: number, v: number | bigint) => (big ? u64(p, v) : u32(p, Number(v)));
  view.setUint8(0, le ? 0x49 : 0x4d);
  view.setUint8(1, le ? 0x49 : 0x4d);
  u16(2, big ? 43 : 42);
  if (big) {
    u16(4, 8);
    u16(6, 0);
  }
  pos = big ? 16 : 8;
  if (options.payload) {
    new Uint8Array(buf).set(options.payload, pos);
    pos += options.payload.length;
  }
  pos += pos % 2;
  const firstIfdPointer = big ? 8 : 4;
  let previousNextPointer: number | undefined = firstIfdPointer;
  const ifdOffsets: number[] = [];
  for (const ifd of ifds) {
    const start = pos;
    ifdOffsets.push(start);
    if (previousNextPointer !== undefined) off(previousNextPointer, start);
    const entrySize = big ? 20 : 12;
    const countSize = big ? 8 : 2;
    const sorted = [...ifd.entries].sort((a, b) => a.tag - b.tag);
    if (big) u64(pos, sorted.length);
    else u16(pos, sorted.length);
    let data = start + countSize + sorted.length * entrySize + (big ? 8 : 4);
    sorted.forEach((e, i) => {
      const p = start + countSize + i * entrySize;
      const bytes = encode(e, le);
      const count = e.count ?? (typeof e.values === 'string' ? e.values.length + 1 : e.values.length);
      u16(p, e.tag);
      u16(p + 2, e.type);
      if (big) u64(p + 4, count);
      else u32(p + 4, count);
      const valuePos = p + (big ? 12 : 8);
      if (e.offset !== undefined) off(valuePos, e.offset);
      else if (bytes.length <= (big ? 8 : 4)) new Uint8Array(buf).set(bytes, valuePos);
      else {
        off(valuePos, data);
        new Uint8Array(buf).set(bytes, data);
        data += bytes.length + (bytes.length % 2);
      }
    });
    const nextPointer = start + countSize + sorted.length * entrySize;
    previousNextPointer = nextPointer;
    if (ifd.next !== undefined) {
      off(nextPointer, ifd.next);
      previousNextPointer = undefined;
    }
    pos = data;
  }
  return { bytes: new Uint8Array(buf.slice(0, pos)), ifdOffsets };
}

function encode(e: BuilderEntry, le: boolean): Uint8Array {
  if (typeof e.values === 'string') return new TextEncoder().encode(`${e.values}\0`);
  if (e.values instanceof Uint8Array) return e.values;
  const size = SIZES[e.type] ?? 1;
  const out = new DataView(new ArrayBuffer(e.values.length * size));
  e.values.forEach((v, i) => {
    if (size === 1) out.setUint8(i, v);
    else if (size === 2) out.setUint16(i * 2, v, le);
    else if (size === 4) out.setUint32(i * 4, v, le);
    else if (e.type === 5) {
      out.setUint32(i * 8, v, le);
      out.setUint32(i * 8 + 4, 1, le);
    } else out.setBigUint64(i * 8, BigInt(v), le);
  });
  return new Uint8Array(out.buffer);
}

/** Where `payload` bytes start: right after the header. */
export const PAYLOAD_OFFSET = { classic: 8, big: 16 };
