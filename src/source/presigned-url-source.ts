import { HttpSource, type HttpSourceOptions } from './http-source.js';
import { CachedUrl, type UrlFetcher } from './url-provider.js';

/**
 * A source over presigned URLs the app hands out (from the sidecar or its own backend), renewed as they expire.
 * `id` names the object for the caches (e.g. `s3://bucket/key`), so a renewed URL still hits them.
 */
export function presignedUrlSource(id: string, fetchUrl: UrlFetcher, http: Omit<HttpSourceOptions, 'id'> = {}): HttpSource {
  return new HttpSource(new CachedUrl(fetchUrl), { ...http, id });
}
