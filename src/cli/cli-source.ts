import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SlideError } from '../errors.js';
import { checkAwsSdk } from '../optional-dependency.js';
import { HttpSource } from '../source/http-source.js';
import { NodeFileSource } from '../source/node-file-source.js';
import type { RangeSource } from '../source/range-source.js';
import { openSlide } from '../slide/open-slide.js';
import type { Slide } from '../slide/types.js';

/**
 * Runs `use` on the slide named by a CLI argument — one file, a local folder or an S3 prefix (a DICOM series: a source
 * per file), or a `dicomweb:` series (with `--dicomweb-token` as its bearer token) — and closes what it opened,
 * whatever happens.
 */
export async function withCliSlide<T>(arg: string, use: (slide: Slide) => Promise<T>, options: CliSourceOptions = {}): Promise<T> {
  if (arg.startsWith('dicomweb:')) {
    const token = options.dicomwebToken;
    const slide = await openSlide(arg, token ? { dicomweb: { headers: () => ({ Authorization: `Bearer ${token}` }) } } : {});
    try {
      return await use(slide);
    } finally {
      await slide.close();
    }
  }
  const series = (await folderFiles(arg)) ?? (await s3SeriesKeys(arg, options));
  const sources = series ? await Promise.all(series.map((f) => cliSource(f, options))) : [await cliSource(arg, options)];
  try {
    return await use(await openSlide(series ? sources : sources[0]!));
  } finally {
    await Promise.all(sources.map((s) => s.close?.()));
  }
}

/** For `s3://bucket/prefix/` (a trailing slash): the series' objects under the prefix, as s3:// URIs. */
async function s3SeriesKeys(arg: string, s3: CliS3Options): Promise<string[] | undefined> {
  if (!arg.startsWith('s3://') || !arg.endsWith('/')) return undefined;
  await checkAwsSdk('Reading s3:// slides');
  const [{ parseS3Uri }, { listDicomSeries }] = await Promise.all([import('../s3/s3-source.js'), import('../s3/list-series.js')]);
  const { bucket, key: prefix } = parseS3Uri(arg);
  const { endpoint, region } = s3Location(s3);
  const keys = await listDicomSeries({ bucket, prefix, ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) });
  return keys.map((key) => `s3://${bucket}/${key}`);
}

/** The files of a local folder (a DICOM series: one instance per file), sorted, hidden files left out; undefined for anything else. */
async function folderFiles(arg: string): Promise<string[] | undefined> {
  if (/^(https?|s3):\/\//i.test(arg)) return undefined;
  const info = await stat(arg).catch(() => undefined);
  if (!info?.isDirectory()) return undefined;
  const entries = await readdir(arg, { withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.toUpperCase() !== 'DICOMDIR').map((e) => join(arg, e.name));
  if (files.length === 0) throw new SlideError('not_found', `${arg} is a folder with no files in it.`);
  return files.sort();
}

export interface CliS3Options {
  endpoint?: string;
  region?: string;
}

export interface CliSourceOptions extends CliS3Options {
  /** Bearer token for `dicomweb:` slides. */
  dicomwebToken?: string;
}

/** Endpoint and region from the flags, else the AWS CLI's environment variables. */
function s3Location(s3: CliS3Options): CliS3Options {
  const endpoint = s3.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const region = s3.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return { ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) };
}

/**
 * A CLI argument as a source: http(s) URLs (presigned ones too) over HTTP; s3://bucket/key signed with the
 * SDK's usual credentials (environment, profile), endpoint and region from flags or AWS_ENDPOINT_URL /
 * AWS_REGION; anything else as a local path.
 */
export async function cliSource(arg: string, s3: CliS3Options = {}): Promise<RangeSource> {
  if (/^https?:\/\//i.test(arg)) return new HttpSource(arg);
  if (arg.startsWith('s3://')) {
    // Loaded only for s3:// arguments: the AWS SDK is an optional peer dependency.
    await checkAwsSdk('Reading s3:// slides');
    const { parseS3Uri, s3Source } = await import('../s3/s3-source.js');
    const { bucket, key } = parseS3Uri(arg);
    const { endpoint, region } = s3Location(s3);
    return s3Source({ bucket, key, ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) });
  }
  return new NodeFileSource(arg);
}
