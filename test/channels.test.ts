import { describe, expect, it } from 'vitest';
import { nodeCodecs } from '../src/codec/node-codecs.js';
import { MemorySource, openSlide, Tag } from '../src/index.js';
import { parseOmeXml } from '../src/slide/ome-xml.js';
import { autoRange, compositePlanes, type ChannelSettings } from '../src/viewer/channel-composite.js';
import { omeTiff as buildOmeTiff } from './support/ome-builder.js';
import { buildTiff, PAYLOAD_OFFSET } from './support/tiff-builder.js';

const SHORT = 3;
const LONG = 4;
const ASCII = 2;

const channel = (colour: [number, number, number], min: number, max: number, visible = true): ChannelSettings => ({
  name: 'c',
  colour,
  min,
  max,
  visible,
  bitsPerSample: 8,
});

describe('compositing channels', () => {
  it('adds each visible channel, mapped from its range to its colour, on black, clipped', () => {
    const planes = [
      { width: 2, height: 1, bits: 8 as const, values: Uint8Array.of(0, 200) },
      { width: 2, height: 1, bits: 8 as const, values: Uint8Array.of(100, 200) },
    ];
    const out = compositePlanes(planes, [channel([255, 0, 0], 0, 200), channel([255, 255, 0], 100, 150)], 2, 1);
    // Pixel 0: red at 0 → nothing; yellow at its min → nothing. Pixel 1: red full, yellow full: red clips at 255.
    expect([...out]).toEqual([0, 0, 0, 255, 255, 255, 0, 255]);
    const hidden = compositePlanes(planes, [channel([255, 0, 0], 0, 200, false), channel([0, 0, 255], 0, 200)], 2, 1);
    expect([...hidden]).toEqual([0, 0, 128, 255, 0, 0, 255, 255]);
  });

  it('auto-contrast takes the 0.1 % and 99.9 % points of the histogram, over 16 bits too', () => {
    const values = new Uint16Array(10_000).map((_, i) => 1000 + i);
    values[0] = 0;
    values[1] = 65535;
    // Sorted: 0, 1002 … 10999, 65535; the 0.1 % point is the 11th value and the 99.9 % point the 9991st.
    expect(autoRange([{ width: 100, height: 100, bits: 16, values }], 16)).toEqual({ min: 1011, max: 10_991 });
    expect(autoRange([{ width: 1, height: 1, bits: 8, values: Uint8Array.of(7) }], 8)).toEqual({ min: 6, max: 8 });
  });
});

describe('16-bit channel planes', () => {
  /** A 4×2 16-bit greyscale tile, uncompressed, with horizontal differencing, in the given byte order. */
  function tiff16(littleEndian: boolean): Uint8Array {
    const values = [0, 1000, 65535, 42, 7, 8, 9, 60000];
    const payload = new Uint8Array(16);
    const view = new DataView(payload.buffer);
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 4; x++) {
        const i = y * 4 + x;
        view.setUint16(i * 2, (values[i]! - (x > 0 ? values[i - 1]! : 0)) & 0xffff, littleEndian);
      }
    }
    return buildTiff(
      [
        {
          entries: [
            { tag: Tag.ImageWidth, type: LONG, values: [4] },
            { tag: Tag.ImageLength, type: LONG, values: [2] },
            { tag: Tag.BitsPerSample, type: SHORT, values: [16] },
            { tag: Tag.Compression, type: SHORT, values: [1] },
            { tag: Tag.Photometric, type: SHORT, values: [1] },
            { tag: Tag.TileWidth, type: SHORT, values: [4] },
            { tag: Tag.TileLength, type: SHORT, values: [2] },
            { tag: Tag.Predictor, type: SHORT, values: [2] },
            { tag: Tag.TileOffsets, type: LONG, values: [PAYLOAD_OFFSET.classic] },
            { tag: Tag.TileByteCounts, type: LONG, values: [16] },
          ],
        },
      ],
      { payload, littleEndian },
    );
  }

  for (const littleEndian of [true, false]) {
    it(`keep their full range (${littleEndian ? 'little' : 'big'}-endian, Predictor 2)`, async () => {
      const slide = await openSlide(new MemorySource(tiff16(littleEndian)));
      const plane = await nodeCodecs().decodePlane(await slide.readTile(0, 0, 0));
      expect(plane.bits).toBe(16);
      expect([...plane.values]).toEqual([0, 1000, 65535, 42, 7, 8, 9, 60000]);
    });
  }
});

describe('OME-XML', () => {
  const xml = (pixels: string, inner = '') =>
    `<?xml version="1.0"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0" Name="x"><Pixels ${pixels}>${inner}</Pixels></Image></OME>`;

  it('finds each channel’s directory by DimensionOrder and TiffData, and converts colours and units', () => {
    const ome = parseOmeXml(
      xml(
        'DimensionOrder="XYZCT" SizeC="2" SizeZ="3" SizeT="1" SizeX="10" SizeY="10" Type="uint16" PhysicalSizeX="250" PhysicalSizeXUnit="nm" PhysicalSizeY="0.25"',
        '<Channel ID="Channel:0:0" Name="DAPI" Color="65535"/><Channel ID="Channel:0:1" Name="FITC" Color="16711935"/><TiffData IFD="4" PlaneCount="6"/>',
      ),
      'x',
    );
    // XYZCT: Z runs fastest, so channel 1 at Z 0 is plane 3, the fourth directory after IFD 4.
    expect([ome.ifdOf(0, 0, 0), ome.ifdOf(1, 0, 0), ome.ifdOf(1, 2, 0)]).toEqual([4, 7, 9]);
    expect(ome.channels.map((c) => [c.name, c.colour])).toEqual([
      ['DAPI', [0, 0, 255]],
      ['FITC', [0, 255, 0]],
    ]);
    expect(ome.physicalSize).toEqual({ x: 0.25, y: 0.25 });
  });

  it('text that is no OME image is corrupt, with a message', () => {
    expect(() => parseOmeXml('<OME><Image/></OME>', 'x')).toThrow(expect.objectContaining({ code: 'corrupt' }));
    expect(() => parseOmeXml('<?xml version="1.0"?><OME><Image><Pixels SizeX="1"', 'x')).toThrow(expect.objectContaining({ code: 'corrupt' }));
  });

  it('an OME file whose XML names a channel directory it lacks is corrupt at open', async () => {
    const description = xml('DimensionOrder="XYCZT" SizeC="3" SizeX="16" SizeY="16" Type="uint8"');
    const file = buildTiff(
      [
        {
          entries: [
            { tag: Tag.ImageWidth, type: LONG, values: [16] },
            { tag: Tag.ImageLength, type: LONG, values: [16] },
            { tag: Tag.BitsPerSample, type: SHORT, values: [8] },
            { tag: Tag.Compression, type: SHORT, values: [1] },
            { tag: Tag.Photometric, type: SHORT, values: [1] },
            { tag: Tag.ImageDescription, type: ASCII, values: description },
            { tag: Tag.TileWidth, type: SHORT, values: [16] },
            { tag: Tag.TileLength, type: SHORT, values: [16] },
            { tag: Tag.TileOffsets, type: LONG, values: [PAYLOAD_OFFSET.classic] },
            { tag: Tag.TileByteCounts, type: LONG, values: [256] },
          ],
        },
      ],
      { payload: new Uint8Array(256) },
    );
    await expect(openSlide(new MemorySource(file))).rejects.toMatchObject({ code: 'corrupt', message: expect.stringContaining('channel 1') });
  });
});

describe('OME Z and T planes', () => {
  /** An OME-TIFF of `planes` 16×16 uncompressed directories, each filled with its index × 10 (`samples` per pixel). */
  const omeTiff = (pixels: string, channelXml: string, planes: number, samples: number) =>
    buildOmeTiff(
      pixels,
      channelXml,
      Array.from({ length: planes }, (_, p) => new Uint8Array(256 * samples).fill(p * 10)),
      samples,
    );
  const first = async (slide: Awaited<ReturnType<typeof openSlide>>, opts: object) => (await nodeCodecs().decode(await slide.readTile(0, 0, 0, opts))).data[0];

  it('channels × Z in XYZCT order: each plane from its own directory', async () => {
    const slide = await openSlide(
      new MemorySource(
        omeTiff('DimensionOrder="XYZCT" SizeC="2" SizeZ="3" SizeT="1" SizeX="16" SizeY="16" Type="uint8"', '<Channel ID="c0"/><Channel ID="c1"/>', 6, 1),
      ),
    );
    expect(slide.planes).toEqual({ z: 3, t: 1 });
    expect(slide.channels?.length).toBe(2);
    expect([await first(slide, {}), await first(slide, { z: 2 }), await first(slide, { channel: 1 }), await first(slide, { channel: 1, z: 1 })]).toEqual([
      0, 20, 30, 40,
    ]);
    await expect(slide.readTile(0, 0, 0, { z: 3 })).rejects.toMatchObject({ code: 'out_of_bounds', message: expect.stringContaining('3 Z') });
  });

  it('interleaved RGB with Z: SizeC 3 is one plane per Z', async () => {
    const slide = await openSlide(
      new MemorySource(
        omeTiff(
          'DimensionOrder="XYCZT" SizeC="3" SizeZ="2" SizeT="1" SizeX="16" SizeY="16" Type="uint8" Interleaved="true"',
          '<Channel ID="c0" SamplesPerPixel="3"/>',
          2,
          3,
        ),
      ),
    );
    expect([slide.channels, slide.planes]).toEqual([undefined, { z: 2, t: 1 }]);
    expect([await first(slide, {}), await first(slide, { z: 1 })]).toEqual([0, 10]);
  });
});
