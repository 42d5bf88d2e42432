import { SlideError } from './errors.js';

/**
 * The Node-only parts (sidecar, CLI, S3 in Node) use packages a browser app must not install: sharp ships
 * native libvips binaries and the AWS SDK is large. They are optional peer dependencies, loaded here, so a
 * missing one is a `missing_dependency` error that names the package and the command that installs it.
 */
export async function importOptional<T>(name: string, neededFor: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((cause as Error).message).includes(name)) {
      throw new SlideError(
        'missing_dependency',
        `${neededFor} needs the package "${name}", which is not installed. Install it beside wsi-stream: npm install ${name}`,
        { cause },
      );
    }
    throw cause;
  }
}

type Sharp = typeof import('sharp').default;

let sharp: Promise<Sharp> | undefined;

/** sharp (libvips), loaded once: JPEG decoding and JPEG/PNG encoding on the Node side. */
export function loadSharp(neededFor = 'Decoding and encoding images in Node (the sidecar and the CLI)'): Promise<Sharp> {
  sharp ??= importOptional<{ default: Sharp }>('sharp', neededFor).then(
    (m) => m.default,
    (e: unknown) => {
      sharp = undefined;
      throw e;
    },
  );
  return sharp;
}

/** The AWS SDK packages the S3 helpers import (`wsi-stream/s3`, the sidecar over a bucket, s3:// in the CLI). */
export async function checkAwsSdk(neededFor: string): Promise<typeof import('@aws-sdk/client-s3')> {
  const [sdk] = await Promise.all([
    importOptional<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3', neededFor),
    importOptional('@aws-sdk/s3-request-presigner', neededFor),
  ]);
  return sdk;
}
