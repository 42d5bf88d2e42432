import { SlideError } from '../errors.js';

/** Typed reads at byte positions in one byte order; 64-bit integers come back as safe JS numbers or an error. */
export class ByteView {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  readonly #view: DataView;

  constructor(bytes: Uint8Array, littleEndian: boolean) {
    this.bytes = bytes;
    this.littleEndian = littleEndian;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  u8(pos: number): number {
    return this.#view.getUint8(pos);
  }
  i8(pos: number): number {
    return this.#view.getInt8(pos);
  }
  u16(pos: number): number {
    return this.#view.getUint16(pos, this.littleEndian);
  }
  i16(pos: number): number {
    return this.#view.getInt16(pos, this.littleEndian);
  }
  u32(pos: number): number {
    return this.#view.getUint32(pos, this.littleEndian);
  }
  i32(pos: number): number {
    return this.#view.getInt32(pos, this.littleEndian);
  }
  f32(pos: number): number {
    return this.#view.getFloat32(pos, this.littleEndian);
  }
  f64(pos: number): number {
    return this.#view.getFloat64(pos, this.littleEndian);
  }

  /** BigTIFF offsets and counts: exact up to 2^53 (8 PiB), an error beyond, never a silently rounded offset. */
  u64(pos: number): number {
    const value = this.#view.getBigUint64(pos, this.littleEndian);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new SlideError('corrupt', `A 64-bit value ${value} exceeds 2^53, beyond any real file: the file is corrupt.`);
    }
    return Number(value);
  }

  i64(pos: number): number {
    const value = this.#view.getBigInt64(pos, this.littleEndian);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new SlideError('corrupt', `A signed 64-bit value ${value} is beyond ±2^53: the file is corrupt.`);
    }
    return Number(value);
  }
}
