import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SlideError } from '../errors.js';
import { DicomWebStore } from '../sidecar/dicomweb-store.js';
import { FolderStore } from '../sidecar/folder-store.js';
import { DEFAULTS, parseBytes } from '../sidecar/options.js';
import { S3Store } from '../sidecar/s3-store.js';
import type { SlideStore } from '../sidecar/store.js';
import { flagOrEnv, parseOrHelp, type CommandSpec, type FlagSpec } from './args.js';

const mib = (bytes: number) => `${bytes / 1024 / 1024}MiB`;

/** The store flags `serve` and `check` share. */
export const STORE_FLAGS: Record<string, FlagSpec> = {
  's3-bucket': { type: 'string', value: 'NAME', env: 'WSI_S3_BUCKET', description: 'Bucket to serve when no s3:// URI is given.' },
  's3-endpoint': { type: 'string', value: 'URL', env: 'WSI_S3_ENDPOINT', description: 'S3-compatible endpoint (MinIO, R2, …).' },
  's3-region': { type: 'string', value: 'REGION', env: 'WSI_S3_REGION', default: 'us-east-1', description: "The bucket's region." },
  'dicomweb-token': { type: 'string', value: 'TOKEN', env: 'WSI_DICOMWEB_TOKEN', description: 'Bearer token for a dicomweb: store.' },
};

export const SERVE: CommandSpec = {
  name: 'serve',
  summary: "WSIStreamer's HTTP interface (slides, metadata, thumbnails, tiles, signed URLs) over a bucket, a folder or a DICOMweb server.",
  args: '<s3://bucket[/prefix] | dicomweb:<service root> | folder>',
  flags: {
    host: { type: 'string', value: 'HOST', env: 'WSI_HOST', default: DEFAULTS.host, description: 'Address to listen on.' },
    port: { type: 'string', short: 'p', value: 'PORT', env: 'WSI_PORT', default: String(DEFAULTS.port), description: 'Port to listen on.' },
    'auth-enabled': { type: 'boolean', env: 'WSI_AUTH_ENABLED', default: 'false', description: 'Require HMAC-signed URLs on every route but /health.' },
    'auth-secret': { type: 'string', value: 'SECRET', env: 'WSI_AUTH_SECRET', description: 'HMAC-SHA256 secret for signed URLs (needed with --auth-enabled).' },
    'cache-slides': { type: 'string', value: 'N', env: 'WSI_CACHE_SLIDES', default: String(DEFAULTS.cacheSlides), description: 'Slides kept open.' },
    'cache-tiles': {
      type: 'string',
      value: 'SIZE',
      env: 'WSI_CACHE_TILES',
      default: mib(DEFAULTS.cacheTiles),
      description: 'Memory for encoded tiles and thumbnails.',
    },
    'cache-metadata': {
      type: 'string',
      value: 'SIZE',
      env: 'WSI_CACHE_METADATA',
      default: mib(DEFAULTS.cacheMetadata),
      description: 'Memory for slide directories, shared by the open slides.',
    },
    'block-size': {
      type: 'string',
      value: 'SIZE',
      env: 'WSI_BLOCK_SIZE',
      default: `${DEFAULTS.blockSize / 1024}KiB`,
      description: 'Metadata read block size.',
    },
    'jpeg-quality': {
      type: 'string',
      value: '1-100',
      env: 'WSI_JPEG_QUALITY',
      default: String(DEFAULTS.jpegQuality),
      description: 'Quality of tiles the sidecar encodes.',
    },
    'cache-max-age': {
      type: 'string',
      value: 'SECONDS',
      env: 'WSI_CACHE_MAX_AGE',
      default: String(DEFAULTS.cacheMaxAge),
      description: 'Cache-Control max-age of tiles and thumbnails.',
    },
    'cors-origins': { type: 'string', value: 'A,B', env: 'WSI_CORS_ORIGINS', default: 'any', description: 'Browser origins allowed.' },
    'storage-timeout-ms': {
      type: 'string',
      value: 'MS',
      env: 'WSI_STORAGE_TIMEOUT_MS',
      default: String(DEFAULTS.storageTimeoutMs),
      description: 'Storage reads slower than this fail with a JSON error.',
    },
    'annotations-file': {
      type: 'string',
      value: 'PATH',
      env: 'WSI_ANNOTATIONS_FILE',
      description: "Keep annotations in this JSON file (the fork's layout); without it they are kept in memory and lost on restart.",
    },
    ...STORE_FLAGS,
  },
  example: 'wsi-stream serve s3://my-slides/cases --auth-enabled --auth-secret "$SECRET" -p 8080',
};

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new SlideError('invalid_argument', `--${name} must be a whole number, not "${value}".`);
  return Number(value);
}

/** `s3://bucket[/prefix]`, `--s3-bucket`, `dicomweb:<service root>`, or a local folder, as the sidecar's store. */
export function storeFrom(target: string | undefined, flags: Map<string, string | true>): SlideStore {
  const endpoint = flagOrEnv(flags, 's3-endpoint', STORE_FLAGS['s3-endpoint']!.env!);
  const region = flagOrEnv(flags, 's3-region', STORE_FLAGS['s3-region']!.env!) ?? 'us-east-1';
  const bucketFlag = flagOrEnv(flags, 's3-bucket', STORE_FLAGS['s3-bucket']!.env!);
  const m = target ? /^s3:\/\/([^/]+)\/?(.*)$/.exec(target) : null;
  if (m || (!target && bucketFlag)) {
    const bucket = m ? m[1]! : bucketFlag!;
    return new S3Store({ bucket, region, ...(endpoint ? { endpoint } : {}) }, m?.[2] ?? '');
  }
  if (target?.startsWith('dicomweb:')) return new DicomWebStore(target.slice('dicomweb:'.length), flagOrEnv(flags, 'dicomweb-token', 'WSI_DICOMWEB_TOKEN'));
  if (target) return new FolderStore(target);
  throw new SlideError('invalid_argument', 'Give slides to serve: s3://bucket[/prefix], --s3-bucket NAME, dicomweb:<service root>, or a folder.');
}

/** The built viewer page: the package's own (dist/pages), else the repository's full build (build/pages). */
function pagesDir(): string | undefined {
  return ['../pages', '../../build/pages']
    .map((relative) => resolve(fileURLToPath(new URL(relative, import.meta.url))))
    .find((dir) => existsSync(resolve(dir, 'view', 'index.html')));
}

/** `wsi-stream serve …` (and `wsi-stream s3://bucket`): the WSIStreamer-compatible sidecar. */
export async function serve(argv: string[]): Promise<void> {
  const parsed = parseOrHelp(SERVE, argv);
  if (!parsed) return;
  const { positional, flags } = parsed;
  const setting = (name: string) => flagOrEnv(flags, name, SERVE.flags[name]!.env!);
  if (positional.length > 1) throw new SlideError('invalid_argument', 'serve takes one bucket or folder.');
  const store = storeFrom(positional[0], flags);
  const authEnabled = /^(1|true|yes)$/i.test(setting('auth-enabled') ?? 'false');
  const secret = setting('auth-secret');
  if (authEnabled && !secret) throw new SlideError('invalid_argument', 'Auth is enabled but no secret was given: set --auth-secret or WSI_AUTH_SECRET.');
  const cacheTiles = setting('cache-tiles');
  const blockSize = setting('block-size');
  const cacheMetadata = setting('cache-metadata');
  const storageTimeout = setting('storage-timeout-ms');
  const cors = setting('cors-origins');
  const quality = number(setting('jpeg-quality'), 'jpeg-quality', DEFAULTS.jpegQuality);
  if (quality < 1 || quality > 100) throw new SlideError('invalid_argument', '--jpeg-quality must be 1–100.');
  try {
    await store.check();
  } catch (e) {
    throw new SlideError(
      SlideError.is(e) ? e.code : 'network',
      `cannot read ${store.description}: ${e instanceof Error ? e.message : String(e)} Check: the bucket or folder exists; credentials are set (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile); --s3-region matches the bucket; --s3-endpoint for S3-compatible stores; the credentials allow s3:ListBucket and s3:GetObject.`,
      { cause: e },
    );
  }
  const pages = pagesDir();
  // A file that cannot be used stops the start here, untouched (the fork started empty and overwrote it).
  const annotationsFile = setting('annotations-file');
  const { AnnotationStore } = await import('../sidecar/annotations/annotation-store.js');
  const annotations = await AnnotationStore.open(annotationsFile || undefined);
  // Loaded here, not at the top: the sidecar needs sharp, which the CLI's other commands do without.
  const { createSidecar } = await import('../sidecar/server.js');
  const sidecar = createSidecar({
    store,
    host: setting('host') ?? DEFAULTS.host,
    port: number(setting('port'), 'port', DEFAULTS.port),
    ...(authEnabled && secret ? { authSecret: secret } : {}),
    cacheSlides: number(setting('cache-slides'), 'cache-slides', DEFAULTS.cacheSlides),
    cacheTiles: cacheTiles ? parseBytes(cacheTiles) : DEFAULTS.cacheTiles,
    blockSize: blockSize ? parseBytes(blockSize) : DEFAULTS.blockSize,
    cacheMetadata: cacheMetadata ? parseBytes(cacheMetadata) : DEFAULTS.cacheMetadata,
    storageTimeoutMs: number(storageTimeout, 'storage-timeout-ms', DEFAULTS.storageTimeoutMs),
    jpegQuality: quality,
    cacheMaxAge: number(setting('cache-max-age'), 'cache-max-age', DEFAULTS.cacheMaxAge),
    ...(cors
      ? {
          corsOrigins: cors
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
        }
      : {}),
    ...(pages ? { pagesDir: pages } : {}),
    annotations,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const url = await sidecar.listen();
  process.stdout.write(`wsi-stream sidecar serving ${store.description} at ${url}${authEnabled ? ' (signed URLs required)' : ''}\n`);
  process.stdout.write(`Annotations: ${annotations.description} (${annotations.size} loaded)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void sidecar.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
