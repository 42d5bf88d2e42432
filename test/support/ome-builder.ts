import { Tag } from '../../src/index.js';
import { buildTiff, PAYLOAD_OFFSET } from './tiff-builder.js';

const SHORT = 3;
const LONG = 4;
const ASCII = 2;

/**
 * An OME-TIFF of 16×16 uncompressed directories, one per plane (each `256 × samples` bytes, in the file's plane order),
 * with `pixels` as the Pixels element's attributes and `channelXml` inside it.
 */
export function omeTiff(pixels: string, channelXml: string, planes: readonly Uint8Array[], samples: number): Uint8Array {
  const description = `<?xml version="1.0"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0"><Pixels ${pixels}>${channelXml}<TiffData IFD="0" PlaneCount="${planes.length}"/></Pixels></Image></OME>`;
  const size = 256 * samples;
  const payload = new Uint8Array(size * planes.length);
  for (const [p, plane] of planes.entries()) payload.set(plane, p * size);
  return buildTiff(
    planes.map((_, p) => ({
      entries: [
        { tag: Tag.ImageWidth, type: LONG, values: [16] },
        { tag: Tag.ImageLength, type: LONG, values: [16] },
        { tag: Tag.BitsPerSample, type: SHORT, values: Array(samples).fill(8) },
        { tag: Tag.Compression, type: SHORT, values: [1] },
        { tag: Tag.Photometric, type: SHORT, values: [samples === 3 ? 2 : 1] },
        ...(p === 0 ? [{ tag: Tag.ImageDescription, type: ASCII, values: description }] : []),
        { tag: Tag.SamplesPerPixel, type: SHORT, values: [samples] },
        { tag: Tag.TileWidth, type: SHORT, values: [16] },
        { tag: Tag.TileLength, type: SHORT, values: [16] },
        { tag: Tag.TileOffsets, type: LONG, values: [PAYLOAD_OFFSET.classic + p * size] },
        { tag: Tag.TileByteCounts, type: LONG, values: [size] },
      ],
    })),
    { payload },
  );
}
