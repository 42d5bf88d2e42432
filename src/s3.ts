export { s3Source, s3UrlFetcher, parseS3Uri, type S3SourceOptions } from './s3/s3-source.js';
export { presignedUrlSource } from './source/presigned-url-source.js';
export { listSlides, isSlideKey, SLIDE_EXTENSIONS, type ListSlidesOptions, type SlideListing } from './s3/list-slides.js';
export { s3Client, type S3Location } from './s3/client.js';
export { corsConfiguration } from './source/cors-rule.js';
export type { ExpiringUrl, UrlFetcher } from './source/url-provider.js';
export { listDicomSeries, s3SeriesSources } from './s3/list-series.js';
