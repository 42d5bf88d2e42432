import { describe, expect, it } from 'vitest';
import { hasIccProfile, jpegIccSegments, withIccSegments } from '../src/colour/jpeg-icc.js';

/** SOI, an APP0 of four bytes, SOS with an empty payload, one byte of scan, EOI: enough for a header walk. */
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x06, 1, 2, 3, 4, 0xff, 0xda, 0x00, 0x02, 0x55, 0xff, 0xd9]);

/** The profile bytes back out of a run of APP2 ICC_PROFILE segments, checking each one's numbering. */
function reassemble(segments: Uint8Array): { chunks: number; profile: number[] } {
  const profile: number[] = [];
  let at = 0;
  let chunks = 0;
  while (at < segments.length) {
    expect([segments[at], segments[at + 1]]).toEqual([0xff, 0xe2]);
    const length = (segments[at + 2]! << 8) | segments[at + 3]!;
    expect(new TextDecoder().decode(segments.subarray(at + 4, at + 16))).toBe('ICC_PROFILE\0');
    chunks++;
    expect(segments[at + 16]).toBe(chunks);
    profile.push(...segments.subarray(at + 18, at + 2 + length));
    at += 2 + length;
  }
  for (let i = 0, pos = 0; i < chunks; i++) {
    expect(segments[pos + 17]).toBe(chunks);
    pos += 2 + ((segments[pos + 2]! << 8) | segments[pos + 3]!);
  }
  return { chunks, profile };
}

describe('an ICC profile carried in a JPEG (ICC.1 Annex B.4)', () => {
  it('fits a small profile in one APP2 segment', () => {
    const profile = Uint8Array.from({ length: 19688 }, (_, i) => i % 251);
    const { chunks, profile: back } = reassemble(jpegIccSegments(profile)!);
    expect(chunks).toBe(1);
    expect(back).toEqual([...profile]);
  });

  it('splits a profile past 65,519 bytes into numbered chunks', () => {
    const profile = Uint8Array.from({ length: 65519 * 2 + 10 }, (_, i) => i % 253);
    const { chunks, profile: back } = reassemble(jpegIccSegments(profile)!);
    expect(chunks).toBe(3);
    expect(back).toEqual([...profile]);
  });

  it('refuses a profile larger than 255 chunks hold', () => {
    expect(jpegIccSegments(new Uint8Array(65519 * 255))).toBeDefined();
    expect(jpegIccSegments(new Uint8Array(65519 * 255 + 1))).toBeUndefined();
  });

  it('puts the segments right after SOI, leaving the rest as it was', () => {
    const segments = jpegIccSegments(new Uint8Array([9, 8, 7]))!;
    const out = withIccSegments(JPEG, segments);
    expect([...out]).toEqual([0xff, 0xd8, ...segments, ...JPEG.subarray(2)]);
    expect(hasIccProfile(out)).toBe(true);
  });

  it('tells a JPEG that carries its own profile from one that does not', () => {
    expect(hasIccProfile(JPEG)).toBe(false);
    // An APP2 of another kind (FlashPix) is no profile.
    const flashpix = new Uint8Array([0xff, 0xd8, 0xff, 0xe2, 0x00, 0x0a, ...new TextEncoder().encode('FPXR\0\0\0\0'), ...JPEG.subarray(10)]);
    expect(hasIccProfile(flashpix)).toBe(false);
  });
});
