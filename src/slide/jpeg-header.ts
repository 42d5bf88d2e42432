import { SlideError } from '../errors.js';

/** JPEG marker codes the readers look at. */
export const JpegMarker = {
  SOF0: 0xc0,
  SOF1: 0xc1,
  SOF2: 0xc2,
  SOF3: 0xc3,
  DHT: 0xc4,
  SOI: 0xd8,
  EOI: 0xd9,
  SOS: 0xda,
  DQT: 0xdb,
  DRI: 0xdd,
  APP14: 0xee,
  /** Restart markers RST0–RST7: each interval ends in the next, cycling. */
  RST0: 0xd0,
  RST7: 0xd7,
} as const;

/** One marker segment before the entropy-coded data: its marker, where its 0xFF sits, and its length field. */
export interface JpegSegment {
  marker: number;
  pos: number;
  /** The segment's length field (payload + 2); 0 for EOI. */
  length: number;
}

/**
 * The marker segments from after SOI up to and including the first SOS (or EOI), walking the length fields; stops
 * early, without error, where the bytes end. Fill bytes (0xFF 0xFF) are skipped as the standard allows.
 */
export function headerSegments(jpeg: Uint8Array): JpegSegment[] {
  const segments: JpegSegment[] = [];
  let pos = 2;
  while (pos + 4 <= jpeg.length && jpeg[pos] === 0xff) {
    const marker = jpeg[pos + 1]!;
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === JpegMarker.EOI) {
      segments.push({ marker, pos, length: 0 });
      break;
    }
    const length = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
    segments.push({ marker, pos, length });
    if (marker === JpegMarker.SOS) break;
    pos += 2 + length;
  }
  return segments;
}

/** SOF0–SOF15: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
function isFrameMarker(marker: number): boolean {
  return marker >= JpegMarker.SOF0 && marker <= 0xcf && marker !== JpegMarker.DHT && marker !== 0xc8 && marker !== 0xcc;
}

/** What a tiler must know of a JPEG: its frame, its MCU and restart interval, and where the entropy-coded data begins. */
export interface JpegFrame {
  /** The SOF marker: 0xC0 baseline, 0xC1 extended, 0xC2 progressive, 0xC3 lossless … */
  sof: number;
  precision: number;
  /** As the SOF says; 0 where the real size exceeds JPEG's 65,535 limit (NDPI) and the container must give it. */
  width: number;
  height: number;
  components: number;
  mcuWidth: number;
  mcuHeight: number;
  /** MCUs per restart interval; 0 when the stream has no restart markers. */
  restartInterval: number;
  /** Offset of the SOF segment's 0xFF, to rewrite the size in a copy of the header. */
  sofPos: number;
  /** Offset of the SOS segment's 0xFF: where a DRI segment goes in a copy of the header. */
  sosPos: number;
  /** Bytes of SOI through the end of the SOS segment: what precedes the entropy-coded data. */
  headerLength: number;
}

/** The frame of a JPEG from its first bytes; undefined when those bytes end before the SOS segment does. */
export function parseJpegFrame(jpeg: Uint8Array): JpegFrame | undefined {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== JpegMarker.SOI) return undefined;
  const segments = headerSegments(jpeg);
  const sos = segments.find((s) => s.marker === JpegMarker.SOS);
  const sof = segments.find((s) => isFrameMarker(s.marker));
  if (!sos || !sof || sos.pos + 2 + sos.length > jpeg.length || sof.pos + 10 > jpeg.length) return undefined;
  const at = (offset: number) => jpeg[sof.pos + offset]!;
  const components = at(9);
  let maxH = 1;
  let maxV = 1;
  for (let c = 0; c < components && sof.pos + 12 + 3 * c < jpeg.length; c++) {
    const sampling = at(11 + 3 * c);
    maxH = Math.max(maxH, sampling >> 4);
    maxV = Math.max(maxV, sampling & 0x0f);
  }
  const dri = segments.find((s) => s.marker === JpegMarker.DRI);
  return {
    sof: sof.marker,
    precision: at(4),
    height: (at(5) << 8) | at(6),
    width: (at(7) << 8) | at(8),
    components,
    // A one-component scan is not interleaved: its MCU is one 8×8 block whatever the sampling factors say.
    mcuWidth: components === 1 ? 8 : 8 * maxH,
    mcuHeight: components === 1 ? 8 : 8 * maxV,
    restartInterval: dri ? (jpeg[dri.pos + 4]! << 8) | jpeg[dri.pos + 5]! : 0,
    sofPos: sof.pos,
    sosPos: sos.pos,
    headerLength: sos.pos + 2 + sos.length,
  };
}

/** JPEG-LS's start-of-frame marker (ITU-T T.87), which some TIFF writers put behind compression 7. */
const SOF55 = 0xf7;

/**
 * The refusal for a JPEG stream no host decoder reads, named after what it is (JPEG-LS, 12-bit or lossless JPEG), or
 * undefined for the 8-bit DCT JPEG that browsers, sharp and libjpeg all decode.
 */
export function unreadableJpeg(jpeg: Uint8Array, sourceId: string): SlideError | undefined {
  const sof = headerSegments(jpeg).find((s) => isFrameMarker(s.marker) || s.marker === SOF55);
  if (!sof || sof.pos + 5 > jpeg.length) return undefined;
  const source = { source: sourceId };
  if (sof.marker === SOF55) {
    return new SlideError(
      'unsupported_jpeg_ls',
      `${sourceId} stores its tiles as JPEG-LS, which wsi-stream does not decode in TIFF. Convert it with \`vips tiffsave --tile --pyramid --compression jpeg\`.`,
      source,
    );
  }
  const precision = jpeg[sof.pos + 4]!;
  if (precision !== 8 || sof.marker === JpegMarker.SOF3) {
    return new SlideError(
      'unsupported_jpeg_12bit',
      `${sourceId} stores ${precision}-bit ${sof.marker === JpegMarker.SOF3 ? 'lossless ' : ''}JPEG, which browsers cannot decode; wsi-stream reads 8-bit JPEG only. Convert it with \`vips tiffsave --tile --pyramid --compression jpeg\`.`,
      source,
    );
  }
  return undefined;
}
