import { XMLParser } from 'fast-xml-parser';
import { SlideError } from '../errors.js';

/** One channel of an OME image, as its `<Channel>` says. */
export interface OmeChannel {
  name?: string;
  /** RGB from the OME `Color` attribute (a signed 32-bit RGBA integer). */
  colour?: [number, number, number];
  samplesPerPixel: number;
  excitationWavelength?: number;
  emissionWavelength?: number;
}

/** What the reader uses of the first `<Image>` of OME-XML. */
export interface OmeImage {
  name?: string;
  sizeX: number;
  sizeY: number;
  /** SizeC as written (3 for interleaved RGB); planes hold SizeC ÷ SamplesPerPixel channels each. */
  sizeC: number;
  sizeZ: number;
  sizeT: number;
  /** E.g. XYCZT: the planes' order in the file, fastest first after X and Y. */
  dimensionOrder: string;
  type: string;
  /** Micrometres per pixel, when the file gives a physical size. */
  physicalSize?: { x: number; y: number };
  channels: OmeChannel[];
  /** The TIFF directory (in the main chain) holding plane (c, z, t). */
  ifdOf(c: number, z: number, t: number): number;
}

/** OME-XML, as Bio-Formats, tifffile and libvips write it into the first ImageDescription. */
export function isOmeXml(description: string | undefined): boolean {
  return description !== undefined && /^\s*(<\?xml[^>]*>\s*)?<(\w+:)?OME[\s>]/.test(description);
}

/** Micrometres per unit, for the units OME allows on PhysicalSize (µm by default). */
const MICROMETRES: Record<string, number> = { m: 1e6, cm: 1e4, mm: 1e3, µm: 1, um: 1, nm: 1e-3, Å: 1e-4, pm: 1e-6 };

type XmlNode = Record<string, unknown>;

function list(value: unknown): XmlNode[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as XmlNode[];
}

function int(node: XmlNode, name: string, fallback: number): number {
  const value = Number.parseInt(String(node[`@${name}`] ?? ''), 10);
  return Number.isFinite(value) ? value : fallback;
}

function positive(node: XmlNode, name: string): number | undefined {
  const value = Number.parseFloat(String(node[`@${name}`] ?? ''));
  return value > 0 && Number.isFinite(value) ? value : undefined;
}

function colourOf(value: unknown): [number, number, number] | undefined {
  if (value === undefined) return undefined;
  const rgba = Number.parseInt(String(value), 10) >>> 0;
  return Number.isFinite(rgba) ? [(rgba >>> 24) & 255, (rgba >>> 16) & 255, (rgba >>> 8) & 255] : undefined;
}

/** The position of plane (c, z, t) in the file's plane order. */
function planeNumber(order: string, sizes: Record<'C' | 'Z' | 'T', number>, at: Record<'C' | 'Z' | 'T', number>): number {
  let index = 0;
  let stride = 1;
  for (const axis of order.slice(2) as Iterable<'C' | 'Z' | 'T'>) {
    index += at[axis] * stride;
    stride *= sizes[axis];
  }
  return index;
}

/** Parses the first image of OME-XML; `corrupt` when the text is not XML or has no `<Image><Pixels>`. */
export function parseOmeXml(xml: string, sourceId: string): OmeImage {
  let doc: XmlNode;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true }).parse(xml) as XmlNode;
  } catch (cause) {
    throw new SlideError(
      'corrupt',
      `${sourceId}: its OME-XML cannot be parsed (${cause instanceof Error ? cause.message : String(cause)}). The file is damaged.`,
      {
        source: sourceId,
        cause,
      },
    );
  }
  const image = list((doc.OME as XmlNode | undefined)?.Image)[0];
  const pixels = list(image?.Pixels)[0];
  if (!image || !pixels) throw new SlideError('corrupt', `${sourceId}: its OME-XML has no <Image> with <Pixels>. The file is damaged.`, { source: sourceId });
  const order = /^XY[CZT]{3}$/.test(String(pixels['@DimensionOrder'])) ? String(pixels['@DimensionOrder']) : 'XYCZT';
  const channels = list(pixels.Channel).map((c) => {
    const channel: OmeChannel = { samplesPerPixel: int(c, 'SamplesPerPixel', 1) };
    const name = c['@Name'];
    if (name !== undefined) channel.name = String(name);
    const colour = colourOf(c['@Color']);
    if (colour) channel.colour = colour;
    const excitation = positive(c, 'ExcitationWavelength');
    const emission = positive(c, 'EmissionWavelength');
    if (excitation) channel.excitationWavelength = excitation;
    if (emission) channel.emissionWavelength = emission;
    return channel;
  });
  // Planes count channels as stored: interleaved RGB (one Channel of 3 samples, SizeC 3) is one plane per Z and T.
  const sizeC = Math.max(1, int(pixels, 'SizeC', 1));
  const samples = channels[0]?.samplesPerPixel ?? 1;
  const sizes = {
    C: samples > 1 && sizeC % samples === 0 ? sizeC / samples : sizeC,
    Z: Math.max(1, int(pixels, 'SizeZ', 1)),
    T: Math.max(1, int(pixels, 'SizeT', 1)),
  };
  // TiffData maps runs of planes (from FirstC/Z/T, in the plane order) to runs of directories; without it, plane i is directory i.
  const runs = list(pixels.TiffData).map((d) => ({
    ifd: int(d, 'IFD', 0),
    start: planeNumber(order, sizes, { C: int(d, 'FirstC', 0), Z: int(d, 'FirstZ', 0), T: int(d, 'FirstT', 0) }),
    count: int(d, 'PlaneCount', d['@IFD'] === undefined ? sizes.C * sizes.Z * sizes.T : 1),
  }));
  const result: OmeImage = {
    sizeX: int(pixels, 'SizeX', 0),
    sizeY: int(pixels, 'SizeY', 0),
    sizeC,
    sizeZ: sizes.Z,
    sizeT: sizes.T,
    dimensionOrder: order,
    type: String(pixels['@Type'] ?? ''),
    channels,
    ifdOf(c, z, t) {
      const plane = planeNumber(order, sizes, { C: c, Z: z, T: t });
      const run = runs.find((r) => plane >= r.start && plane < r.start + r.count);
      return run ? run.ifd + plane - run.start : plane;
    },
  };
  if (image['@Name'] !== undefined) result.name = String(image['@Name']);
  const x = positive(pixels, 'PhysicalSizeX');
  const y = positive(pixels, 'PhysicalSizeY');
  const unitX = MICROMETRES[String(pixels['@PhysicalSizeXUnit'] ?? 'µm')];
  const unitY = MICROMETRES[String(pixels['@PhysicalSizeYUnit'] ?? 'µm')];
  if (x && y && unitX && unitY) result.physicalSize = { x: x * unitX, y: y * unitY };
  return result;
}

/** `ome.*` properties: what a panel shows of the OME metadata. */
export function omeProperties(ome: OmeImage): Record<string, string> {
  const properties: Record<string, string> = {
    'ome.Pixels.DimensionOrder': ome.dimensionOrder,
    'ome.Pixels.Type': ome.type,
    'ome.Pixels.SizeC': String(ome.sizeC),
    'ome.Pixels.SizeZ': String(ome.sizeZ),
    'ome.Pixels.SizeT': String(ome.sizeT),
  };
  if (ome.name !== undefined) properties['ome.Image.Name'] = ome.name;
  ome.channels.forEach((c, i) => {
    if (c.name !== undefined) properties[`ome.Channel[${i}].Name`] = c.name;
    if (c.colour) properties[`ome.Channel[${i}].Color`] = `#${c.colour.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
    if (c.excitationWavelength) properties[`ome.Channel[${i}].ExcitationWavelength`] = String(c.excitationWavelength);
    if (c.emissionWavelength) properties[`ome.Channel[${i}].EmissionWavelength`] = String(c.emissionWavelength);
  });
  return properties;
}
