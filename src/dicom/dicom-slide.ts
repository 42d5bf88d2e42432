import { SlideError } from '../errors.js';
import { openslideProperties } from '../slide/properties.js';
import { SlideBase, type SlideFacts } from '../slide/slide-base.js';
import { checkAssociatedSize } from '../slide/slide-checks.js';
import type { SlideSources } from '../slide/slide-io.js';
import type { AssociatedName, EncodedImage, EncodedTile, SlideIoSnapshot, SlideLevel, TileReadOptions } from '../slide/types.js';
import type { ReadOptions } from '../source/range-source.js';
import { dicomProperties } from './dicom-properties.js';
import { type InstanceReader, partTenReader, summedIoStats } from './instance-reader.js';
import { frameFormat, type InstanceRole, type WsiInstance } from './wsi-instance.js';

/** One instance of the series, with where its frames come from. */
type Part = InstanceReader;

/** A level: the instances (concatenation parts) holding its frames, and which part and frame each tile is. */
interface DicomLevel {
  parts: Part[];
  geometry: SlideLevel;
  /** Sparse tilings: tile "column/row" → part and frame; TILED_FULL levels compute it. */
  sparse?: Map<string, { part: Part; frame: number }>;
}

const ASSOCIATED: Partial<Record<InstanceRole, AssociatedName>> = { label: 'label', overview: 'macro', thumbnail: 'thumbnail' };

function inconsistent(id: string, what: string): SlideError {
  return new SlideError('inconsistent_series', `${id}: ${what}. Open all the files of one slide's series, and only those.`, { source: id });
}

/** The directory (or URL prefix) the files share, as the series' identity in caches and messages. */
function commonPrefix(ids: readonly string[]): string {
  if (ids.length === 1) return ids[0]!;
  let prefix = ids[0]!;
  for (const id of ids) while (!id.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.slice(0, prefix.lastIndexOf('/') + 1) || prefix;
}

/**
 * A DICOM WSI slide: a series of VL Whole Slide Microscopy instances, one (or several, concatenated) per level, plus
 * label, overview and thumbnail instances. Each instance is read by range: its header up to Pixel Data at open, each
 * frame's own bytes when its tile is asked for (located by the frame locator).
 */
export class DicomSlide extends SlideBase {
  readonly #levels: DicomLevel[];
  readonly #associated: Map<AssociatedName, Part>;
  readonly #all: Part[];

  /** Reads every file's header (one request each, in parallel) and builds the pyramid. */
  static async open(series: readonly SlideSources[], opts: ReadOptions): Promise<DicomSlide> {
    return DicomSlide.fromInstances(await Promise.all(series.map((sources) => partTenReader(sources, opts))), summedIoStats(series));
  }

  /** A slide of instances read from anywhere (files, a DICOMweb server), with the counters of the reads below them. */
  static fromInstances(parts: readonly InstanceReader[], ioStats: () => SlideIoSnapshot, sourceId?: string): DicomSlide {
    return new DicomSlide([...parts], ioStats, sourceId);
  }

  readonly #ioStats: () => SlideIoSnapshot;

  private constructor(parts: Part[], ioStats: () => SlideIoSnapshot, sourceId?: string) {
    const id = sourceId ?? commonPrefix(parts.map((p) => p.id));
    const levels = pyramidOf(parts, id);
    const associated = new Map<AssociatedName, Part>();
    for (const part of parts) {
      const name = ASSOCIATED[part.instance.role];
      if (name && !associated.has(name)) associated.set(name, part);
    }
    super(dicomFacts(id, levels, [...associated.keys()].sort()));
    this.#all = parts;
    this.#ioStats = ioStats;
    this.#levels = levels;
    this.#associated = associated;
  }

  ioStats(): SlideIoSnapshot {
    return this.#ioStats();
  }

  associatedSize(name: AssociatedName): { width: number; height: number } | undefined {
    const part = this.#associated.get(name);
    return part ? { width: part.instance.width, height: part.instance.height } : undefined;
  }

  async readTile(level: number, x: number, y: number, opts: TileReadOptions = {}): Promise<EncodedTile> {
    const geometry = this.checkedTile(level, x, y, opts);
    const dicomLevel = this.#levels[level]!;
    const where = this.#frameOf(dicomLevel, x, y);
    const width = Math.min(geometry.tileWidth, geometry.width - x * geometry.tileWidth);
    const height = Math.min(geometry.tileHeight, geometry.height - y * geometry.tileHeight);
    const stored = { width: geometry.tileWidth, height: geometry.tileHeight };
    const first = dicomLevel.parts[0]!.instance;
    if (!where) return { ...frameFormat(first, first.transferSyntax ?? '1.2.840.10008.1.2.1'), width, height, stored, bytes: new Uint8Array(0), missing: true };
    const { bytes, transferSyntax } = await where.part.readFrame(where.frame, opts);
    return { ...frameFormat(where.part.instance, transferSyntax ?? where.part.instance.transferSyntax), width, height, stored, bytes };
  }

  /** The part and frame holding tile (x, y): row-major across the concatenation for TILED_FULL, by position otherwise. */
  #frameOf(level: DicomLevel, x: number, y: number): { part: Part; frame: number } | undefined {
    if (level.sparse) return level.sparse.get(`${x}/${y}`);
    const index = y * level.geometry.tilesX + x;
    for (const part of level.parts) {
      const offset = part.instance.concatenation?.frameOffset ?? 0;
      if (index >= offset && index < offset + part.instance.frames) return { part, frame: index - offset };
    }
    return undefined;
  }

  async readAssociated(name: AssociatedName, opts: ReadOptions = {}): Promise<EncodedImage> {
    const part = this.#associated.get(name);
    if (!part) throw this.noSuchAssociated(name);
    const { instance } = part;
    checkAssociatedSize(name, instance.width, instance.height, this.sourceId);
    if (instance.frames !== 1 || instance.frameWidth !== instance.width || instance.frameHeight !== instance.height) {
      throw new SlideError('unsupported_pixels', `${this.sourceId}: the ${name} image is tiled (${instance.frames} frames), which is not read yet.`, {
        source: this.sourceId,
      });
    }
    const { bytes, transferSyntax } = await part.readFrame(0, opts);
    const { width, height } = instance;
    const format = frameFormat(instance, transferSyntax ?? instance.transferSyntax);
    return { name, width, height, strips: [{ ...format, bytes, width, height, stored: { width, height }, top: 0 }] };
  }

  async close(): Promise<void> {
    await Promise.all(this.#all.map((p) => p.close()));
  }
}

/** The series' levels, largest first: its VOLUME instances grouped by matrix size; one series only. */
function pyramidOf(parts: Part[], id: string): DicomLevel[] {
  const series = new Set(parts.map((p) => p.instance.seriesUid));
  if (series.size > 1) throw inconsistent(id, `the files belong to ${series.size} series (${[...series].join(', ')})`);
  const volumes = parts.filter((p) => p.instance.role === 'volume');
  if (volumes.length === 0)
    throw new SlideError('not_pyramidal', `${id}: the series has no VOLUME instance, only ${parts.map((p) => p.instance.role).join(', ')}.`, { source: id });
  const bySize = new Map<string, Part[]>();
  for (const part of volumes) {
    const key = `${part.instance.width}x${part.instance.height}`;
    bySize.set(key, [...(bySize.get(key) ?? []), part]);
  }
  const grouped = [...bySize.values()].sort((a, b) => b[0]!.instance.width - a[0]!.instance.width);
  const base = grouped[0]![0]!.instance;
  return grouped.map((levelParts) => levelOf(levelParts, base, id));
}

/** The slide's facts from level 0's instance: MPP from Pixel Spacing, objective power, the optical path's ICC profile, `dicom.*` properties. */
function dicomFacts(sourceId: string, levels: DicomLevel[], associated: AssociatedName[]): SlideFacts {
  const geometry = levels.map((l) => l.geometry);
  const basePart = levels[0]!.parts[0]!;
  const base = basePart.instance;
  const properties: Record<string, string> = { ...openslideProperties('dicom', geometry, undefined), ...dicomProperties(base.attributes) };
  const facts: SlideFacts = { format: 'dicom', sourceId, levels: geometry, properties, associated };
  if (base.mpp) {
    facts.mpp = base.mpp;
    properties['openslide.mpp-x'] = String(base.mpp.x);
    properties['openslide.mpp-y'] = String(base.mpp.y);
  }
  if (base.objectivePower) {
    facts.magnification = base.objectivePower;
    properties['openslide.objective-power'] = String(base.objectivePower);
  }
  const withProfile = levels[0]!.parts.find((p) => p.instance.iccProfile);
  const profile = withProfile?.instance.iccProfile;
  // A file knows the profile's size; a DICOMweb server's bulk data URI does not say it (0 until read).
  if (withProfile && profile) facts.colourProfile = { size: 'length' in profile ? profile.length : 0, read: (o) => withProfile.readBulk(profile, o ?? {}) };
  return facts;
}

/** A level from its instances: one frame size, and for sparse tilings every frame's place. */
function levelOf(parts: Part[], base: WsiInstance, id: string): DicomLevel {
  const first = parts[0]!.instance;
  for (const { instance } of parts) {
    if (instance.frameWidth !== first.frameWidth || instance.frameHeight !== first.frameHeight || instance.transferSyntax !== first.transferSyntax) {
      throw inconsistent(
        id,
        `the ${first.width}×${first.height} level mixes frames of ${first.frameWidth}×${first.frameHeight} and ${instance.frameWidth}×${instance.frameHeight} (or two codecs)`,
      );
    }
  }
  // Instances of one size beyond a concatenation's parts are other focal planes or optical paths: the first one is read.
  const concatenated = first.concatenation
    ? parts
        .filter((p) => p.instance.concatenation?.uid === first.concatenation!.uid)
        .sort((a, b) => a.instance.concatenation!.frameOffset - b.instance.concatenation!.frameOffset)
    : [parts[0]!];
  const tilesX = Math.ceil(first.width / first.frameWidth);
  const tilesY = Math.ceil(first.height / first.frameHeight);
  const geometry: SlideLevel = {
    width: first.width,
    height: first.height,
    tileWidth: first.frameWidth,
    tileHeight: first.frameHeight,
    tilesX,
    tilesY,
    downsample: (base.width / first.width + base.height / first.height) / 2,
  };
  const level: DicomLevel = { parts: concatenated, geometry };
  if (concatenated.some((p) => p.instance.positions)) {
    level.sparse = new Map();
    for (const part of concatenated) {
      for (const [frame, [column, row]] of (part.instance.positions ?? []).entries()) {
        if (column >= tilesX || row >= tilesY)
          throw new SlideError('corrupt', `${id}: a frame lies outside the level's ${tilesX}×${tilesY} tiles. The file is damaged.`, { source: id });
        level.sparse.set(`${column}/${row}`, { part, frame });
      }
    }
  } else {
    const frames = concatenated.reduce((n, p) => n + p.instance.frames, 0);
    if (frames < tilesX * tilesY)
      throw inconsistent(
        id,
        `the ${first.width}×${first.height} level has ${frames} frames for ${tilesX}×${tilesY} tiles (an instance of its concatenation is missing)`,
      );
  }
  return level;
}
