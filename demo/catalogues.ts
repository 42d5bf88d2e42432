import { createDecoderPool, openSlide, presignedUrlSource, slideThumbnail, type SlideInput } from '../src/viewer.js';

/** One slide in the browser list: what it is called, how to open it, and how to draw its thumbnail. */
export interface CatalogueEntry {
  title: string;
  /** The query string that reopens it (`?slide=…`, `?series=…`, `?sidecar=…&id=…`); none when it would carry secrets. */
  link?: Record<string, string> | URLSearchParams;
  open(): SlideInput | SlideInput[];
  thumbnail(signal: AbortSignal): Promise<HTMLCanvasElement | HTMLImageElement | undefined>;
}

export interface S3Settings {
  region: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  identityPoolId: string;
}

/** Thumbnails drawn in the page share one small pool: a list of slides should not start four workers per slide. */
let thumbnailPool: ReturnType<typeof createDecoderPool> | undefined;

/** Opens the slide (a few small requests), draws its embedded thumbnail or coarsest level, and closes it. */
async function drawnThumbnail(input: SlideInput | SlideInput[], signal: AbortSignal): Promise<HTMLCanvasElement | undefined> {
  thumbnailPool ??= createDecoderPool({ size: 1 });
  const slide = await openSlide(input, { signal, persistentCache: true });
  try {
    return await slideThumbnail(document, slide, thumbnailPool, 160, signal);
  } finally {
    await slide.close();
  }
}

/** The bundled samples (demo/public/samples/index.json), beside the built page: a file each, or a DICOM series' files. */
export async function sampleCatalogue(samples: URL): Promise<CatalogueEntry[]> {
  const response = await fetch(new URL('index.json', samples));
  if (!response.ok) return [];
  const list = (await response.json()) as Array<{ title: string } & ({ file: string } | { files: string[] })>;
  return list.map((sample) => {
    if ('files' in sample) {
      const urls = sample.files.map((file) => new URL(file, samples).href);
      const link = new URLSearchParams(urls.map((url) => ['series', url]));
      return { title: sample.title, link, open: () => urls, thumbnail: (signal) => drawnThumbnail(urls, signal) };
    }
    const url = new URL(sample.file, samples).href;
    return { title: sample.title, link: { slide: url }, open: () => url, thumbnail: (signal) => drawnThumbnail(url, signal) };
  });
}

async function sidecarJson<T>(url: URL, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal });
  const body = (await response.json().catch(() => ({}))) as T & { message?: string };
  if (!response.ok) throw new Error(`The sidecar answered ${response.status} for ${url.pathname}: ${body.message ?? 'no message'}`);
  return body;
}

/**
 * A wsi-stream (or WSIStreamer-compatible) sidecar's listing: thumbnails come from the sidecar, slides open from
 * the URLs it presigns (renewed as they expire), so pixels still travel straight from storage to this page.
 */
export async function sidecarCatalogue(base: string, signal: AbortSignal): Promise<CatalogueEntry[]> {
  const root = new URL(base.endsWith('/') ? base : `${base}/`);
  const { slides } = await sidecarJson<{ slides: string[] }>(new URL('slides?limit=200', root), signal);
  return slides.map((id) => {
    const path = `slides/${encodeURIComponent(id)}`;
    return {
      title: id,
      link: { sidecar: base, id },
      // The cache key names the slide, not the URL: a renewed URL still finds the cached ranges.
      open: () =>
        presignedUrlSource(`${root.href}${path}`, async (s) => {
          const answer = await sidecarJson<{ url: string; expires_at: number | null }>(new URL(`${path}/url`, root), s ?? signal);
          return answer.expires_at === null ? answer.url : { url: answer.url, expiresAt: answer.expires_at * 1000 };
        }),
      thumbnail: async () => {
        const image = new Image();
        image.src = new URL(`${path}/thumbnail?max_size=160`, root).href;
        await image.decode();
        return image;
      },
    };
  });
}

/** `s3://bucket/key` opens one slide; `s3://bucket[/prefix/]` lists the slides under the prefix. */
export function parseS3Target(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri.trim());
  if (!m) throw new Error(`"${uri}" is not an S3 URI: write s3://bucket/prefix/ or s3://bucket/key.svs.`);
  return { bucket: m[1]!, key: m[2]! };
}

/** The AWS SDK is loaded only when a bucket is opened: pages reading plain URLs never download it. */
async function s3Options(settings: S3Settings, bucket: string) {
  const { fromCognitoIdentityPool } = settings.identityPoolId ? await import('@aws-sdk/credential-providers') : { fromCognitoIdentityPool: undefined };
  const credentials = fromCognitoIdentityPool
    ? fromCognitoIdentityPool({ identityPoolId: settings.identityPoolId, clientConfig: { region: settings.region } })
    : settings.accessKeyId
      ? {
          accessKeyId: settings.accessKeyId,
          secretAccessKey: settings.secretAccessKey,
          ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}),
        }
      : null;
  return { bucket, region: settings.region || 'us-east-1', ...(settings.endpoint ? { endpoint: settings.endpoint } : {}), credentials };
}

/**
 * A slide in a bucket, signed in this page with the credentials given (never sent anywhere but S3); a prefix (a key
 * ending in "/") is a DICOM series, its objects listed and opened together.
 */
export async function s3Input(settings: S3Settings, bucket: string, key: string): Promise<SlideInput | SlideInput[]> {
  const { s3SeriesSources, s3Source } = await import('../src/s3.js');
  const options = await s3Options(settings, bucket);
  return key.endsWith('/') ? s3SeriesSources({ ...options, prefix: key }) : s3Source({ ...options, key });
}

/** The query string that reopens an S3 slide or series, when it needs no secret (a public bucket). */
function s3Link(settings: S3Settings, bucket: string, key: string, credentials: unknown): Record<string, string> | undefined {
  if (credentials !== null) return undefined;
  return {
    slide: `s3://${bucket}/${key}`,
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  };
}

/** The slides under a bucket prefix, thumbnails drawn here from each slide's own thumbnail image. */
export async function bucketCatalogue(settings: S3Settings, bucket: string, prefix: string, signal: AbortSignal): Promise<CatalogueEntry[]> {
  const { listSlides, s3Source } = await import('../src/s3.js');
  const options = await s3Options(settings, bucket);
  const listing = await listSlides({ ...options, prefix, pageSize: 200, signal });
  const entries: CatalogueEntry[] = listing.slides.map(({ key }) => {
    const open = () => s3Source({ ...options, key });
    const link = s3Link(settings, bucket, key, options.credentials);
    return { title: key.slice(prefix.length), ...(link ? { link } : {}), open, thumbnail: (s) => drawnThumbnail(open(), s) };
  });
  if (listing.dicom.length === 0) return entries;
  // The prefix's DICOM files are the instances of one series: one entry for them all.
  const series = () => listing.dicom.map(({ key }) => s3Source({ ...options, key }));
  const link = s3Link(settings, bucket, prefix, options.credentials);
  const title = `${prefix || `${bucket}/`} — DICOM series, ${listing.dicom.length} file${listing.dicom.length === 1 ? '' : 's'}`;
  return [{ title, ...(link ? { link } : {}), open: series, thumbnail: (s) => drawnThumbnail(series(), s) }, ...entries];
}
