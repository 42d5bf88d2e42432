import { headerSegments, JpegMarker } from '../slide/jpeg-header.js';

const APP2 = 0xe2;
const SIGNATURE = new TextEncoder().encode('ICC_PROFILE\0');
/** A segment's length field counts itself (2), the signature (12) and the chunk's number and count (2). */
const CHUNK_OVERHEAD = 2 + SIGNATURE.length + 2;
/** The most profile bytes one APP2 segment holds (the length field is 16 bits). */
const CHUNK_BYTES = 0xffff - CHUNK_OVERHEAD;

/**
 * An ICC profile as the APP2 `ICC_PROFILE` segments that embed it in a JPEG (ICC.1 Annex B.4: chunks of at most
 * 65,519 bytes, numbered from 1); undefined for a profile too large for the 255 chunks the scheme allows.
 */
export function jpegIccSegments(profile: Uint8Array): Uint8Array | undefined {
  const count = Math.max(1, Math.ceil(profile.length / CHUNK_BYTES));
  if (count > 255) return undefined;
  const out = new Uint8Array(profile.length + count * (2 + CHUNK_OVERHEAD));
  let at = 0;
  for (let i = 0; i < count; i++) {
    const chunk = profile.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
    const length = CHUNK_OVERHEAD + chunk.length;
    out.set([0xff, APP2, length >> 8, length & 0xff], at);
    out.set(SIGNATURE, at + 4);
    out.set([i + 1, count], at + 4 + SIGNATURE.length);
    out.set(chunk, at + 2 + CHUNK_OVERHEAD);
    at += 2 + length;
  }
  return out;
}

/** Whether a JPEG's header already carries an ICC profile of its own (one to leave alone). */
export function hasIccProfile(jpeg: Uint8Array): boolean {
  return headerSegments(jpeg).some((s) => s.marker === APP2 && s.length >= CHUNK_OVERHEAD && SIGNATURE.every((byte, i) => jpeg[s.pos + 4 + i] === byte));
}

/** The JPEG with the profile's segments put right after its SOI, where a decoder looks for them. */
export function withIccSegments(jpeg: Uint8Array, segments: Uint8Array): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== JpegMarker.SOI) return jpeg;
  const out = new Uint8Array(jpeg.length + segments.length);
  out.set(jpeg.subarray(0, 2));
  out.set(segments, 2);
  out.set(jpeg.subarray(2), 2 + segments.length);
  return out;
}
