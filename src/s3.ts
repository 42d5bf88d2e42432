export { s3Source, s3UrlFetcher, presignedUrlSource, parseS3Uri, type S3SourceOptions } from './s3/s3-source.js';
export { listSlides, isSlideKey, SLIDE_EXTENSIONS, type ListSlidesOptions, type SlideListing } from './s3/list-slides.js';
export { s3Client, type S3Location } from './s3/client.js';
export { CachedUrl, type ExpiringUrl, type UrlFetcher, type UrlProvider } from './source/url-provider.js';
export { corsConfiguration } from './source/cors-rule.js';
