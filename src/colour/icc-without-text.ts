/**
 * Tags that describe a profile in words or keep its records (ICC.1:2022 §9.2) and take no part in converting colours:
 * descriptions, copyright, device maker and model, metadata, characterisation target, viewing conditions' description,
 * calibration date.
 */
const TEXT_TAGS = new Set(['desc', 'cprt', 'dmnd', 'dmdd', 'meta', 'targ', 'vued', 'calt']);

const HEADER = 128;
const TAG_ENTRY = 12;
/** Bytes 84–99 of the header: the profile's MD5, which no longer holds once tags are dropped; zero means "not computed". */
const PROFILE_ID = { from: 84, to: 100 };

/**
 * The profile without its text tags: the part a colour conversion reads. Every JPEG tile that takes the browser's
 * converting route carries a copy of the profile, which the decoder parses per tile, and the text is most of it: an
 * Adobe RGB profile of 18,604 bytes converts from 368 of them, and the whole profile cost that route ~15% of its
 * throughput (bench:decode). Tags that share data keep sharing it. Undefined where the tag table cannot be read.
 */
export function withoutTextTags(profile: Uint8Array): Uint8Array | undefined {
  if (profile.length < HEADER + 4) return undefined;
  const view = new DataView(profile.buffer, profile.byteOffset, profile.byteLength);
  const count = view.getUint32(HEADER);
  if (count > (profile.length - HEADER - 4) / TAG_ENTRY) return undefined;
  const kept: Array<{ signature: Uint8Array; offset: number; size: number }> = [];
  for (let i = 0; i < count; i++) {
    const at = HEADER + 4 + i * TAG_ENTRY;
    const signature = profile.subarray(at, at + 4);
    const offset = view.getUint32(at + 4);
    const size = view.getUint32(at + 8);
    if (offset + size > profile.length) return undefined;
    if (!TEXT_TAGS.has(String.fromCharCode(...signature))) kept.push({ signature, offset, size });
  }
  // Each distinct tag data once, 4-byte aligned as ICC.1 asks, after the new tag table.
  const placed = new Map<string, number>();
  let end = HEADER + 4 + kept.length * TAG_ENTRY;
  for (const { offset, size } of kept) {
    const key = `${offset}:${size}`;
    if (placed.has(key)) continue;
    placed.set(key, end);
    end = Math.ceil((end + size) / 4) * 4;
  }
  const out = new Uint8Array(end);
  const outView = new DataView(out.buffer);
  out.set(profile.subarray(0, HEADER));
  outView.setUint32(0, end);
  out.fill(0, PROFILE_ID.from, PROFILE_ID.to);
  outView.setUint32(HEADER, kept.length);
  kept.forEach(({ signature, offset, size }, i) => {
    const at = HEADER + 4 + i * TAG_ENTRY;
    const to = placed.get(`${offset}:${size}`)!;
    out.set(signature, at);
    outView.setUint32(at + 4, to);
    outView.setUint32(at + 8, size);
    out.set(profile.subarray(offset, offset + size), to);
  });
  return out;
}
