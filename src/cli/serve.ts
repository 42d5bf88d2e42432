import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SlideError } from '../errors.js';
import { FolderStore } from '../sidecar/folder-store.js';
import { DEFAULTS, parseBytes } from '../sidecar/options.js';
import { S3Store } from '../sidecar/s3-store.js';
import { createSidecar } from '../sidecar/server.js';
import type { SlideStore } from '../sidecar/store.js';
import { flagOrEnv, parseArgs } from './args.js';

const BOOLEANS = ['auth-enabled'];

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new SlideError('invalid_argument', `--${name} must be a whole number, not "${value}".`);
  return Number(value);
}

/** `s3://bucket[/prefix]`, `--s3-bucket`, or a local folder, as the sidecar's store. */
export function storeFrom(target: string | undefined, flags: Map<string, string | true>): SlideStore {
  const endpoint = flagOrEnv(flags, 's3-endpoint', 'WSI_S3_ENDPOINT');
  const region = flagOrEnv(flags, 's3-region', 'WSI_S3_REGION') ?? 'us-east-1';
  const bucketFlag = flagOrEnv(flags, 's3-bucket', 'WSI_S3_BUCKET');
  const m = target ? /^s3:\/\/([^/]+)\/?(.*)$/.exec(target) : null;
  if (m || (!target && bucketFlag)) {
    const bucket = m ? m[1]! : bucketFlag!;
    return new S3Store({ bucket, region, ...(endpoint ? { endpoint } : {}) }, m?.[2] ?? '');
  }
  if (target) return new FolderStore(target);
  throw new SlideError('invalid_argument', 'Give slides to serve: s3://bucket[/prefix], --s3-bucket NAME, or a folder.');
}

/** The built viewer page: the package's own (dist/pages), else the repository's full build (build/pages). */
function pagesDir(): string | undefined {
  return ['../pages', '../../build/pages']
    .map((relative) => resolve(fileURLToPath(new URL(relative, import.meta.url))))
    .find((dir) => existsSync(resolve(dir, 'view', 'index.html')));
}

/** `wsi-stream serve …` (and `wsi-stream s3://bucket`): the WSIStreamer-compatible sidecar. */
export async function serve(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, BOOLEANS, { p: 'port' });
  if (positional.length > 1) throw new SlideError('invalid_argument', 'serve takes one bucket or folder.');
  const store = storeFrom(positional[0], flags);
  const authEnabled = /^(1|true|yes)$/i.test(flagOrEnv(flags, 'auth-enabled', 'WSI_AUTH_ENABLED') ?? 'false');
  const secret = flagOrEnv(flags, 'auth-secret', 'WSI_AUTH_SECRET');
  if (authEnabled && !secret) throw new SlideError('invalid_argument', 'Auth is enabled but no secret was given: set --auth-secret or WSI_AUTH_SECRET.');
  const cacheTiles = flagOrEnv(flags, 'cache-tiles', 'WSI_CACHE_TILES');
  const blockSize = flagOrEnv(flags, 'block-size', 'WSI_BLOCK_SIZE');
  const cacheMetadata = flagOrEnv(flags, 'cache-metadata', 'WSI_CACHE_METADATA');
  const storageTimeout = flagOrEnv(flags, 'storage-timeout-ms', 'WSI_STORAGE_TIMEOUT_MS');
  const cors = flagOrEnv(flags, 'cors-origins', 'WSI_CORS_ORIGINS');
  const quality = number(flagOrEnv(flags, 'jpeg-quality', 'WSI_JPEG_QUALITY'), 'jpeg-quality', DEFAULTS.jpegQuality);
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
  const sidecar = createSidecar({
    store,
    host: flagOrEnv(flags, 'host', 'WSI_HOST') ?? DEFAULTS.host,
    port: number(flagOrEnv(flags, 'port', 'WSI_PORT'), 'port', DEFAULTS.port),
    ...(authEnabled && secret ? { authSecret: secret } : {}),
    cacheSlides: number(flagOrEnv(flags, 'cache-slides', 'WSI_CACHE_SLIDES'), 'cache-slides', DEFAULTS.cacheSlides),
    cacheTiles: cacheTiles ? parseBytes(cacheTiles) : DEFAULTS.cacheTiles,
    blockSize: blockSize ? parseBytes(blockSize) : DEFAULTS.blockSize,
    cacheMetadata: cacheMetadata ? parseBytes(cacheMetadata) : DEFAULTS.cacheMetadata,
    storageTimeoutMs: number(storageTimeout, 'storage-timeout-ms', DEFAULTS.storageTimeoutMs),
    jpegQuality: quality,
    cacheMaxAge: number(flagOrEnv(flags, 'cache-max-age', 'WSI_CACHE_MAX_AGE'), 'cache-max-age', DEFAULTS.cacheMaxAge),
    ...(cors ? { corsOrigins: cors.split(',').map((o) => o.trim()).filter(Boolean) } : {}),
    ...(pages ? { pagesDir: pages } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const url = await sidecar.listen();
  process.stdout.write(`wsi-stream sidecar serving ${store.description} at ${url}${authEnabled ? ' (signed URLs required)' : ''}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void sidecar.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
