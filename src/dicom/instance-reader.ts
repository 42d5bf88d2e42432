import { SlideError } from '../errors.js';
import { ioSnapshot, type SlideSources } from '../slide/slide-io.js';
import type { SlideIoSnapshot } from '../slide/types.js';
import type { ReadOptions } from '../source/range-source.js';
import type { BulkData } from './attributes.js';
import { partTenAttributes } from './attributes.js';
import { readDicomHeader } from './dicom-header.js';
import { FrameLocator, joinFragments } from './frame-locator.js';
import { type WsiInstance, wsiInstance } from './wsi-instance.js';

/** A frame's bytes, and the transfer syntax they are in where the instance did not say (DICOMweb answers say it per frame). */
export interface FrameBytes {
  bytes: Uint8Array;
  transferSyntax?: string;
}

/** One instance of a series and where its frames and bulk data come from: a Part 10 file by range, or a DICOMweb server. */
export interface InstanceReader {
  readonly instance: WsiInstance;
  readonly id: string;
  readFrame(frame: number, opts: ReadOptions): Promise<FrameBytes>;
  readBulk(bulk: BulkData, opts: ReadOptions): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** The counters of every file of a series, summed: what the slide's `ioStats()` reports. */
export function summedIoStats(series: readonly SlideSources[]): () => SlideIoSnapshot {
  return () => {
    const snapshots = series.map((sources) => ioSnapshot(sources.io));
    return Object.fromEntries(
      Object.keys(snapshots[0]!).map((k) => [k, snapshots.reduce((sum, s) => sum + s[k as keyof SlideIoSnapshot], 0)]),
    ) as unknown as SlideIoSnapshot;
  };
}

/** A Part 10 file read by range: its header now (up to Pixel Data), each frame's own bytes when asked for. */
export async function partTenReader(sources: SlideSources, opts: ReadOptions): Promise<InstanceReader> {
  const header = await readDicomHeader(sources.meta, opts);
  const id = sources.meta.id;
  const instance = wsiInstance(partTenAttributes(header.dataSet), id, header.transferSyntax, header.pixelData);
  const locator = new FrameLocator(instance, instance.pixelData!, sources.meta);
  return {
    instance,
    id,
    async readFrame(frame, o) {
      const range = await locator.range(frame, o);
      const bytes = await sources.data.read(range.offset, range.length, o);
      return { bytes: range.items ? joinFragments(bytes, id) : bytes };
    },
    async readBulk(bulk, o) {
      if (!('offset' in bulk)) throw new SlideError('corrupt', `${id}: a bulk data URI in a Part 10 file.`, { source: id });
      return sources.data.read(bulk.offset, bulk.length, o);
    },
    close: async () => {
      await sources.data.close?.();
    },
  };
}
