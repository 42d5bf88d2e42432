import { createRequire } from 'node:module';
import dicomParser from 'dicom-parser';
import { concatBytes } from '../../src/source/concat-bytes.js';

/** OpenJPH's encoder, as `@cornerstonejs/codec-openjph` builds it: lossless (reversible 5/3 wavelet) by default. */
interface HtEncoder {
  getDecodedBuffer(info: {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned: boolean;
    isUsingColorTransform: boolean;
  }): Uint8Array;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

const HTJ2K_LOSSLESS = '1.2.840.10008.1.2.4.201';

function element(group: number, tag: number, vr: string, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, group, true);
  view.setUint16(2, tag, true);
  out.set(new TextEncoder().encode(vr), 4);
  view.setUint16(6, value.length, true);
  out.set(value, 8);
  return out;
}

/** A UID value, padded with NUL to an even length as DICOM wants. */
function uid(text: string): Uint8Array {
  return new TextEncoder().encode(text.length % 2 ? `${text}\0` : text);
}

/** An item or delimiter of encapsulated pixel data: tag (FFFE,xxxx) and a 4-byte length. */
function item(tag: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const padded = body.length % 2 ? body.length + 1 : body.length;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfffe, true);
  view.setUint16(2, tag, true);
  view.setUint32(4, tag === 0xe000 ? padded : 0, true);
  out.set(body, 8);
  return out;
}

/**
 * A native (uncompressed, explicit VR little endian) 8-bit DICOM WSI file re-encoded frame by frame to HTJ2K lossless
 * with OpenJPH, the reversible colour transform on: the same pixels in the transfer syntax no shared fixture has.
 * Everything but the transfer syntax and the pixel data is copied as it was.
 */
export async function toHtj2kDicom(file: Uint8Array): Promise<Uint8Array> {
  const dataSet = dicomParser.parseDicom(file, { untilTag: 'x7fe00010' });
  const rows = dataSet.uint16('x00280010')!;
  const columns = dataSet.uint16('x00280011')!;
  const samples = dataSet.uint16('x00280002')!;
  const frames = Number(dataSet.string('x00280008') ?? '1');
  const syntax = dataSet.elements.x00020010!;
  const pixels = dataSet.elements.x7fe00010!;
  const metaEnd = 144 + new DataView(file.buffer, file.byteOffset).getUint32(140, true);

  const factory = createRequire(import.meta.url)('@cornerstonejs/codec-openjph') as (o: object) => Promise<{ HTJ2KEncoder: new () => HtEncoder }>;
  const { HTJ2KEncoder } = await factory({ print: () => undefined, printErr: () => undefined });
  const frameBytes = rows * columns * samples;
  const encoded: Uint8Array[] = [];
  for (let f = 0; f < frames; f++) {
    const encoder = new HTJ2KEncoder();
    try {
      const start = pixels.dataOffset + f * frameBytes;
      encoder
        .getDecodedBuffer({ width: columns, height: rows, bitsPerSample: 8, componentCount: samples, isSigned: false, isUsingColorTransform: samples === 3 })
        .set(file.subarray(start, start + frameBytes));
      encoder.encode();
      encoded.push(encoder.getEncodedBuffer().slice());
    } finally {
      encoder.delete();
    }
  }

  const newSyntax = element(0x0002, 0x0010, 'UI', uid(HTJ2K_LOSSLESS));
  const metaBody = [file.subarray(144, syntax.dataOffset - 8), newSyntax, file.subarray(syntax.dataOffset + syntax.length, metaEnd)];
  const metaLength = metaBody.reduce((n, b) => n + b.length, 0);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, metaLength, true);
  const pixelHeader = new Uint8Array([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  return concatBytes([
    file.subarray(0, 132),
    element(0x0002, 0x0000, 'UL', groupLength),
    ...metaBody,
    file.subarray(metaEnd, pixels.dataOffset - 12),
    pixelHeader,
    item(0xe000),
    ...encoded.map((e) => item(0xe000, e)),
    item(0xe0dd),
  ]);
}
