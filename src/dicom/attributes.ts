import type { DataSet } from 'dicom-parser';

/** A binary value's place in the file its dataset was parsed from, or the URI a DICOMweb server gives for it. */
export type BulkData = { offset: number; length: number } | { uri: string };

/**
 * A DICOM dataset as the WSI reader reads it, whether parsed from a Part 10 file (dicom-parser) or given as DICOM
 * JSON by a DICOMweb server. Tags are written `xggggeeee`, as dicom-parser names them.
 */
export interface Attributes {
  /** Value `index` of a string attribute, trimmed; undefined when absent. */
  string(tag: string, index?: number): string | undefined;
  /** Number of values of a string attribute. */
  count(tag: string): number;
  /** A US or UL value. */
  uint(tag: string): number | undefined;
  /** An SL value. */
  int(tag: string): number | undefined;
  /** Value `index` of an IS or DS attribute. */
  decimal(tag: string, index?: number): number | undefined;
  items(tag: string): Attributes[];
  bulk(tag: string): BulkData | undefined;
  /** Raw bytes of a binary value held in the dataset itself (Part 10 only: the Extended Offset Table). */
  bytes(tag: string): Uint8Array | undefined;
}

const finite = (n: number) => (Number.isFinite(n) ? n : undefined);

/** A dataset dicom-parser read from a Part 10 file's header. */
export function partTenAttributes(dataSet: DataSet): Attributes {
  const count = (tag: string) => dataSet.numStringValues(tag) ?? 0;
  // dicom-parser throws past a string's last value: ask only for values that exist.
  const string = (tag: string, index = 0) => (dataSet.elements[tag] && index < Math.max(1, count(tag)) ? dataSet.string(tag, index) : undefined);
  return {
    string,
    count,
    uint(tag) {
      const element = dataSet.elements[tag];
      if (!element || element.length === 0) return undefined;
      // Implicit VR has no VR on the element: UL values are four bytes, US two.
      return element.vr === 'UL' || (element.vr === undefined && element.length === 4) ? dataSet.uint32(tag) : dataSet.uint16(tag);
    },
    int: (tag) => (dataSet.elements[tag]?.length ? dataSet.int32(tag) : undefined),
    decimal: (tag, index = 0) => finite(Number.parseFloat(string(tag, index) ?? '')),
    items: (tag) => (dataSet.elements[tag]?.items ?? []).flatMap((item) => (item.dataSet ? [partTenAttributes(item.dataSet)] : [])),
    bulk(tag) {
      const element = dataSet.elements[tag];
      return element && element.length > 0 ? { offset: element.dataOffset, length: element.length } : undefined;
    },
    bytes(tag) {
      const element = dataSet.elements[tag];
      return element ? dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length) : undefined;
    },
  };
}

/** One attribute of the DICOM JSON model (PS3.18 F.2). */
interface JsonAttribute {
  vr?: string;
  Value?: unknown[];
  BulkDataURI?: string;
  InlineBinary?: string;
}

/** A dataset in the DICOM JSON model, as DICOMweb's metadata gives it. */
export function jsonAttributes(json: Record<string, JsonAttribute>): Attributes {
  const value = (tag: string, index = 0) => json[tag.slice(1).toUpperCase()]?.Value?.[index];
  const text = (v: unknown) =>
    v === undefined || v === null ? undefined : typeof v === 'object' ? ((v as { Alphabetic?: string }).Alphabetic ?? undefined) : String(v).trim();
  const number = (tag: string, index = 0) => {
    const v = value(tag, index);
    return v === undefined || v === null ? undefined : finite(Number(v));
  };
  return {
    string: (tag, index = 0) => text(value(tag, index)),
    count: (tag) => json[tag.slice(1).toUpperCase()]?.Value?.length ?? 0,
    uint: (tag) => number(tag),
    int: (tag) => number(tag),
    decimal: (tag, index = 0) => number(tag, index),
    items: (tag) => (json[tag.slice(1).toUpperCase()]?.Value ?? []).map((item) => jsonAttributes(item as Record<string, JsonAttribute>)),
    bulk(tag) {
      const uri = json[tag.slice(1).toUpperCase()]?.BulkDataURI;
      return uri ? { uri } : undefined;
    },
    bytes(tag) {
      const inline = json[tag.slice(1).toUpperCase()]?.InlineBinary;
      return inline ? Uint8Array.from(atob(inline), (c) => c.charCodeAt(0)) : undefined;
    },
  };
}
