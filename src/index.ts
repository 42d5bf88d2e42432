export { SlideError, type SlideErrorCode } from './errors.js';
export type { RangeSource, ReadOptions } from './source/range-source.js';
export { MemorySource } from './source/memory-source.js';
export { BlobSource } from './source/blob-source.js';
export { HttpSource, type HttpSourceOptions, type HttpSourceStats } from './source/http-source.js';
export { sendEarlyProbe, type EarlyProbeOptions } from './source/early-probe.js';
export type { RetryOptions } from './source/retry.js';
export { presignedUrlSource } from './source/presigned-url-source.js';
export { CachedUrl, type ExpiringUrl, type UrlFetcher, type UrlProvider } from './source/url-provider.js';
export { BlockCache, type BlockCacheOptions, type BlockCacheStats } from './source/block-cache.js';
export { MetricsSource, type RequestMetrics } from './source/metrics-source.js';
export { PrefetchedSource } from './source/prefetched-source.js';
export { CoalescingSource, type CoalescingOptions, type CoalescingStats } from './source/coalescing-source.js';
export { PersistentCache, type PersistentCacheOptions, type PersistentCacheStats } from './source/persistent-cache.js';
export { TiffReader } from './tiff/tiff-reader.js';
export { Ifd, type IfdEntry } from './tiff/ifd.js';
export { Tag, Compression, Photometric } from './tiff/tags.js';
export { isSlide, openSlide, toSource, type OpenSlideOptions, type SlideInput } from './slide/open-slide.js';
export { openDicomWebSeries, parseDicomWebUrl, type DicomWebOptions, type DicomWebSeries } from './dicom/dicomweb.js';
export { FORMAT_READERS, type FormatReader } from './slide/format-readers.js';
export type { SlideSources } from './slide/slide-io.js';
export { TiffSlide } from './slide/tiff-slide.js';
export { standaloneJpeg } from './slide/jpeg.js';
export type {
  Slide,
  SlideLevel,
  SlideFormat,
  SlideIoSnapshot,
  ColourProfile,
  EncodedTile,
  EncodedImage,
  AssociatedName,
  TileCodec,
  TileColour,
  SampleLayout,
} from './slide/types.js';
