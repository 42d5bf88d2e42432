/** A URL's identity for caches: origin and path, without query and fragment, so re-signed URLs keep it. */
export function urlIdentity(url: string): string {
  const u = new URL(url, typeof location === 'undefined' ? undefined : location.href);
  return `${u.origin}${u.pathname}`;
}
