import { SlideError } from '../errors.js';
import type { ReadOptions } from '../source/range-source.js';
import { sortProperties } from './properties.js';
import { checkedLevel } from './slide-checks.js';
import type {
  AssociatedName,
  ColourProfile,
  EncodedImage,
  EncodedTile,
  Slide,
  SlideChannel,
  SlideFormat,
  SlideIoSnapshot,
  SlideLevel,
  TileReadOptions,
} from './types.js';

/** What a format reader works out when a slide opens: everything `Slide` exposes but the reads. */
export interface SlideFacts {
  format: SlideFormat;
  sourceId: string;
  levels: readonly SlideLevel[];
  /** Sorted by name when stored, as OpenSlide lists them. */
  properties: Record<string, string>;
  associated: readonly AssociatedName[];
  mpp?: { x: number; y: number };
  magnification?: number;
  colourProfile?: ColourProfile;
  channels?: readonly SlideChannel[];
  planes?: { readonly z: number; readonly t: number };
}

/** The facts every format reader's slide holds, and the checks they share; each reader adds its reads. */
export abstract class SlideBase implements Slide {
  readonly format: SlideFormat;
  readonly sourceId: string;
  readonly width: number;
  readonly height: number;
  readonly levels: readonly SlideLevel[];
  readonly properties: Readonly<Record<string, string>>;
  readonly associated: readonly AssociatedName[];
  readonly mpp?: { x: number; y: number };
  readonly magnification?: number;
  readonly colourProfile?: ColourProfile;
  readonly channels?: readonly SlideChannel[];
  readonly planes?: { readonly z: number; readonly t: number };

  constructor(facts: SlideFacts) {
    this.format = facts.format;
    this.sourceId = facts.sourceId;
    this.levels = facts.levels;
    this.width = facts.levels[0]!.width;
    this.height = facts.levels[0]!.height;
    this.properties = sortProperties(facts.properties);
    this.associated = facts.associated;
    if (facts.mpp) this.mpp = facts.mpp;
    if (facts.magnification !== undefined) this.magnification = facts.magnification;
    if (facts.colourProfile) this.colourProfile = facts.colourProfile;
    if (facts.channels) this.channels = facts.channels;
    if (facts.planes) this.planes = facts.planes;
  }

  abstract readTile(level: number, x: number, y: number, opts?: TileReadOptions): Promise<EncodedTile>;
  abstract readAssociated(name: AssociatedName, opts?: ReadOptions): Promise<EncodedImage>;
  abstract associatedSize(name: AssociatedName): { width: number; height: number } | undefined;
  abstract ioStats(): SlideIoSnapshot;
  abstract close(): Promise<void>;

  /** The geometry of a tile a caller asks for (of a channel and plane), or `out_of_bounds` saying what the slide has. */
  protected checkedTile(level: number, x: number, y: number, opts: TileReadOptions): SlideLevel {
    return checkedLevel(this.levels, level, x, y, this.sourceId, opts, this.channels?.length ?? 1, this.planes);
  }

  /** The refusal for an associated image the slide does not have, listing those it has. */
  protected noSuchAssociated(name: AssociatedName): SlideError {
    return new SlideError('no_such_associated', `${this.sourceId} has no ${name} image; it has: ${this.associated.join(', ') || 'none'}.`, {
      source: this.sourceId,
    });
  }
}
