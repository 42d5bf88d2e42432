import { SlideError } from '../errors.js';
import { JpegMarker } from './jpeg-header.js';

const { RST0, RST7 } = JpegMarker;

export interface RestartRun {
  /** The level JPEG's bytes from SOI through its SOS segment. */
  header: Uint8Array;
  /** Where the SOF segment's 0xFF sits in `header`. */
  sofPos: number;
  /**
   * Entropy-coded data of `intervals` consecutive restart intervals as stored (each ends in its RST marker, the last
   * in RST or EOI), preceded, unless the run starts the level, by the 2-byte marker ending the interval before it.
   */
  data: Uint8Array;
  /** The run's first interval, counted from the level's first: restart markers cycle RST0–RST7 by this count. */
  first: number;
  intervals: number;
  /** The tile's size in pixels, written into its SOF. */
  width: number;
  height: number;
  /** For messages. */
  source: string;
}

/**
 * A self-contained JPEG of a run of restart intervals cut from a large one (NDPI levels): the level's header with
 * the run's size in its SOF, then the intervals' data with their restart markers renumbered from RST0 (a decoder
 * checks the sequence), and EOI. Entropy-coded data never holds 0xFF followed by D0–D7 except as a marker (0xFF is
 * stuffed as FF 00), so the markers are found by scanning. Every marker must be the one its interval's number
 * implies, the one before the run included: otherwise the offsets that cut it (NDPI's MCU starts, which OpenSlide
 * also calls unreliable) are wrong, and the answer is `corrupt`, never a garbled tile.
 */
export function restartRunJpeg(run: RestartRun): Uint8Array {
  const { header } = run;
  const wrong = (what: string) =>
    new SlideError('corrupt', `${run.source}: ${what}, so the offsets that locate restart intervals (NDPI's MCU starts) are wrong. The file is damaged.`, {
      source: run.source,
    });
  let data = run.data;
  if (run.first > 0) {
    if (data[0] !== 0xff || data[1] !== RST0 + ((run.first - 1) & 7)) throw wrong(`restart interval ${run.first} does not follow a restart marker`);
    data = data.subarray(2);
  }
  const out = new Uint8Array(header.length + data.length + 2);
  out.set(header);
  out[run.sofPos + 5] = run.height >> 8;
  out[run.sofPos + 6] = run.height & 0xff;
  out[run.sofPos + 7] = run.width >> 8;
  out[run.sofPos + 8] = run.width & 0xff;
  out.set(data, header.length);
  const body = out.subarray(header.length, header.length + data.length);
  let markers = 0;
  let end = body.length;
  for (let i = 0; i + 1 < body.length; i++) {
    if (body[i] !== 0xff) continue;
    const next = body[i + 1]!;
    if (next >= RST0 && next <= RST7) {
      if (next !== RST0 + ((run.first + markers) & 7)) throw wrong(`restart interval ${run.first + markers} ends in RST${next - RST0}`);
      markers++;
      if (markers === run.intervals) {
        end = i;
        break;
      }
      body[i + 1] = RST0 + ((markers - 1) & 7);
      i++;
    } else if (next === JpegMarker.EOI) {
      end = i;
      break;
    }
  }
  const complete = markers === run.intervals || (markers === run.intervals - 1 && end < body.length);
  if (!complete) throw wrong(`a run of ${run.intervals} restart intervals holds ${markers} restart markers`);
  out[header.length + end] = 0xff;
  out[header.length + end + 1] = JpegMarker.EOI;
  return out.subarray(0, header.length + end + 2);
}
