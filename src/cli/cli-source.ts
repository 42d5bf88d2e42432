import { SlideError } from '../errors.js';
import { HttpSource } from '../source/http-source.js';
import { NodeFileSource } from '../source/node-file-source.js';
import type { RangeSource } from '../source/range-source.js';

/** Runs `use` on the source named by a CLI argument and closes the file it opened, whatever happens. */
export async function withCliSource<T>(arg: string, use: (source: RangeSource) => Promise<T>): Promise<T> {
  const source = cliSource(arg);
  try {
    return await use(source);
  } finally {
    await source.close?.();
  }
}

/** A CLI argument as a source: http(s) URLs (presigned ones too) over HTTP, anything else as a local path. */
export function cliSource(arg: string): RangeSource {
  if (/^https?:\/\//i.test(arg)) return new HttpSource(arg);
  if (arg.startsWith('s3://')) {
    throw new SlideError('invalid_argument', `reading ${arg} directly needs S3 credentials support, which this build lacks; pass a presigned HTTPS URL instead (aws s3 presign ${arg}).`);
  }
  return new NodeFileSource(arg);
}
