import { writeFile } from 'node:fs/promises';
import { SlideError } from '../errors.js';
import { nodeCodecs } from '../codec/node-codecs.js';
import { openSlide } from '../slide/open-slide.js';
import type { AssociatedName } from '../slide/types.js';
import { integerArg, parseArgs } from './args.js';
import { corsConfiguration } from '../source/cors-rule.js';
import { check } from './check.js';
import { withCliSource, type CliS3Options } from './cli-source.js';
import { serve } from './serve.js';
import { sign } from './sign.js';
import { infoJson, infoText } from './info.js';
import { writePng } from './png.js';

const USAGE = `usage:
  wsi-stream info <path|url|s3://bucket/key> [--json]
  wsi-stream tile <path|url|s3://bucket/key> <level> <x> <y> --out FILE [--png]
  wsi-stream associated <path|url|s3://bucket/key> <label|macro|thumbnail> --out FILE.png
  wsi-stream cors [--origin URL[,URL…]]
  wsi-stream serve <s3://bucket[/prefix]|folder> [--host H] [-p PORT] [--auth-enabled --auth-secret S] [--cache-slides N]
                   [--cache-tiles 100MB] [--cache-metadata 256MiB] [--block-size 256KiB] [--jpeg-quality 80] [--cache-max-age 3600] [--cors-origins A,B]
                   [--storage-timeout-ms 30000]
                   [--s3-endpoint URL] [--s3-region R]      (every flag also as WSI_* environment variable)
  wsi-stream sign --path P --secret S [--ttl 3600] [--base-url URL] [--params k=v,k2=v2] [--format url|json|signature]
  wsi-stream check <s3://bucket|folder> [--list-slides] [--test-slide KEY]
options for s3:// sources: --s3-endpoint URL --s3-region REGION (or AWS_ENDPOINT_URL, AWS_REGION; credentials as the AWS CLI finds them)`;

function s3Flags(flags: Map<string, string | true>): CliS3Options {
  const endpoint = flags.get('s3-endpoint');
  const region = flags.get('s3-region');
  return { ...(typeof endpoint === 'string' ? { endpoint } : {}), ...(typeof region === 'string' ? { region } : {}) };
}

async function info(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json']);
  const [source] = positional;
  if (!source || positional.length !== 1) throw new SlideError('invalid_argument', `info takes one slide.\n${USAGE}`);
  const slide = await withCliSource(source, (s) => openSlide(s), s3Flags(flags));
  process.stdout.write(flags.has('json') ? `${JSON.stringify(infoJson(slide), null, 2)}\n` : `${infoText(slide, source)}\n`);
}

async function tile(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['png']);
  const [source, level, x, y] = positional;
  const out = flags.get('out');
  if (!source || positional.length !== 4 || typeof out !== 'string') throw new SlideError('invalid_argument', `tile takes a slide, a level, x, y and --out FILE.\n${USAGE}`);
  const at = [integerArg(level, 'level'), integerArg(x, 'x'), integerArg(y, 'y')] as const;
  const encoded = await withCliSource(source, async (s) => (await openSlide(s)).readTile(...at), s3Flags(flags));
  if (flags.has('png')) {
    await writePng(await nodeCodecs().decode(encoded), out);
    process.stderr.write(`${out}: PNG ${encoded.width}×${encoded.height}${encoded.missing ? ' (tile not stored: transparent)' : ''}\n`);
    return;
  }
  if (encoded.missing) throw new SlideError('tile_missing', `tile (${x}, ${y}) of level ${level} is not stored in the file (the scanner skipped it); there is nothing to write.`);
  await writeFile(out, encoded.bytes);
  process.stderr.write(`${out}: ${encoded.codec} tile, ${encoded.width}×${encoded.height} (stored ${encoded.stored.width}×${encoded.stored.height}), ${encoded.bytes.length} bytes\n`);
}

async function associated(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, []);
  const [source, name] = positional;
  const out = flags.get('out');
  if (!source || positional.length !== 2 || !isAssociatedName(name) || typeof out !== 'string') {
    throw new SlideError('invalid_argument', `associated takes a slide, one of label, macro or thumbnail, and --out FILE.png.\n${USAGE}`);
  }
  const image = await withCliSource(source, async (s) => (await openSlide(s)).readAssociated(name), s3Flags(flags));
  await writePng(await nodeCodecs().decodeImage(image), out);
  process.stderr.write(`${out}: ${name} ${image.width}×${image.height}\n`);
}

function isAssociatedName(name: string | undefined): name is AssociatedName {
  return name === 'label' || name === 'macro' || name === 'thumbnail';
}

/** Prints the CORS configuration a bucket needs so browsers on these origins can read slides by range. */
async function cors(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, []);
  if (positional.length > 0) throw new SlideError('invalid_argument', `cors takes no arguments but --origin.\n${USAGE}`);
  const origin = flags.get('origin');
  const origins = typeof origin === 'string' ? origin.split(',').map((o) => o.trim()).filter(Boolean) : ['*'];
  process.stdout.write(`${JSON.stringify(corsConfiguration(origins), null, 2)}\n`);
}

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = { info, tile, associated, cors, serve, sign, check };

/** Runs the CLI; every failure becomes one line `wsi-stream: <code>: <message>` and exit code 1 (2 for usage). */
export async function main(argv: string[]): Promise<number> {
  // `wsi-stream s3://bucket` serves, as WSIStreamer does with no command.
  const [command, ...rest] = argv[0]?.startsWith('s3://') || argv[0]?.startsWith('--') ? ['serve', ...argv] : argv;
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    process.stderr.write(command === undefined || command === '--help' || command === '-h' ? `${USAGE}\n` : `wsi-stream: invalid_argument: unknown command "${command}".\n${USAGE}\n`);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  try {
    await run(rest);
    // Commands that report several results (check) set the exit code themselves.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    const code = SlideError.is(e) ? e.code : 'internal';
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`wsi-stream: ${code}: ${message.replace(/\n/g, ' ')}\n`);
    return code === 'invalid_argument' ? 2 : 1;
  }
}
