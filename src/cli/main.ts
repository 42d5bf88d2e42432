import { writeFile } from 'node:fs/promises';
import { PACKAGE_VERSION } from '../package-version.js';
import { SlideError } from '../errors.js';
import { nodeCodecs } from '../codec/node-codecs.js';
import type { AssociatedName } from '../slide/types.js';
import { flagOrEnv, integerArg, nearest, parseOrHelp, type CommandSpec, type FlagSpec } from './args.js';
import { corsConfiguration } from '../source/cors-rule.js';
import { CHECK, check } from './check.js';
import { type CliSourceOptions, withCliSlide } from './cli-source.js';
import { SERVE, serve } from './serve.js';
import { SIGN, sign } from './sign.js';
import { infoJson, infoText } from './info.js';
import { colourNote, writePng } from './png.js';
import { slideColourTransform } from '../colour/slide-colour.js';

const SOURCE_FLAGS: Record<string, FlagSpec> = {
  's3-endpoint': {
    type: 'string',
    value: 'URL',
    env: 'AWS_ENDPOINT_URL',
    description: 'S3-compatible endpoint for s3:// slides (credentials as the AWS CLI finds them).',
  },
  's3-region': { type: 'string', value: 'REGION', env: 'AWS_REGION', description: 'Region for s3:// slides.' },
  'dicomweb-token': { type: 'string', value: 'TOKEN', env: 'WSI_DICOMWEB_TOKEN', description: 'Bearer token sent with every request for dicomweb: slides.' },
};
const SLIDE_ARG = '<path|folder|url|s3://bucket/key|s3://bucket/prefix/|dicomweb:ROOT/studies/UID/series/UID>';
/** Decoded pixels as a colour-managed viewer shows them (tile needs --png with it). */
const COLOUR_FLAGS: Record<string, FlagSpec> = {
  srgb: { type: 'boolean', description: "Convert the pixels from the slide's ICC profile to sRGB (LittleCMS); a slide without one is written as stored." },
};

const INFO: CommandSpec = {
  name: 'info',
  summary: "Prints a slide's format, levels, resolution, associated images and properties.",
  args: SLIDE_ARG,
  flags: { json: { type: 'boolean', description: 'Print JSON instead of a table.' }, ...SOURCE_FLAGS },
  example: 'wsi-stream info CMU-1-Small-Region.svs --json',
};
const TILE: CommandSpec = {
  name: 'tile',
  summary: 'Writes one native tile: as stored (a standalone JPEG, JPEG 2000 codestream, …) or decoded to PNG.',
  args: `${SLIDE_ARG} <level> <x> <y>`,
  flags: {
    out: { type: 'string', value: 'FILE', description: 'Where to write the tile (required).' },
    png: { type: 'boolean', description: 'Decode and write a PNG.' },
    channel: { type: 'string', value: 'N', description: 'Slides whose channels are planes (OME fluorescence): which channel (default 0).' },
    ...COLOUR_FLAGS,
    ...SOURCE_FLAGS,
  },
  example: 'wsi-stream tile slide.svs 0 3 2 --out tile.jpg',
};
const ASSOCIATED: CommandSpec = {
  name: 'associated',
  summary: 'Writes an associated image (label, macro or thumbnail) as PNG.',
  args: `${SLIDE_ARG} <label|macro|thumbnail>`,
  flags: {
    out: { type: 'string', value: 'FILE.png', description: 'Where to write the PNG (required).' },
    ...COLOUR_FLAGS,
    ...SOURCE_FLAGS,
  },
  example: 'wsi-stream associated slide.svs label --out label.png',
};
const CORS: CommandSpec = {
  name: 'cors',
  summary: 'Prints the CORS configuration a bucket needs so browsers on these origins can read slides by range.',
  args: '',
  flags: { origin: { type: 'string', value: 'URL[,URL…]', default: '*', description: 'Origins of the pages that open slides.' } },
  example: 'wsi-stream cors --origin https://lab.example.org > cors.json',
};

function sourceFlags(flags: Map<string, string | true>): CliSourceOptions {
  const endpoint = flags.get('s3-endpoint');
  const region = flags.get('s3-region');
  const token = flagOrEnv(flags, 'dicomweb-token', 'WSI_DICOMWEB_TOKEN');
  return {
    ...(typeof endpoint === 'string' ? { endpoint } : {}),
    ...(typeof region === 'string' ? { region } : {}),
    ...(typeof token === 'string' ? { dicomwebToken: token } : {}),
  };
}

async function info(argv: string[]): Promise<void> {
  const parsed = parseOrHelp(INFO, argv);
  if (!parsed) return;
  const { positional, flags } = parsed;
  const [source] = positional;
  if (!source || positional.length !== 1) throw new SlideError('invalid_argument', 'info takes one slide. Run wsi-stream info --help.');
  const text = await withCliSlide(
    source,
    async (slide) => (flags.has('json') ? JSON.stringify(infoJson(slide), null, 2) : infoText(slide, source)),
    sourceFlags(flags),
  );
  process.stdout.write(`${text}\n`);
}

async function tile(argv: string[]): Promise<void> {
  const parsed = parseOrHelp(TILE, argv);
  if (!parsed) return;
  const { positional, flags } = parsed;
  const [source, level, x, y] = positional;
  const out = flags.get('out');
  if (!source || positional.length !== 4 || typeof out !== 'string')
    throw new SlideError('invalid_argument', 'tile takes a slide, a level, x, y and --out FILE. Run wsi-stream tile --help.');
  const at = [integerArg(level, 'level'), integerArg(x, 'x'), integerArg(y, 'y')] as const;
  const channelFlag = flags.get('channel');
  const channel = typeof channelFlag === 'string' ? integerArg(channelFlag, '--channel') : 0;
  if (flags.has('srgb') && !flags.has('png')) throw new SlideError('invalid_argument', '--srgb converts decoded pixels: give --png too.');
  const { encoded, colour } = await withCliSlide(
    source,
    async (slide) => {
      return { encoded: await slide.readTile(...at, { channel }), colour: flags.has('srgb') ? await slideColourTransform(slide) : undefined };
    },
    sourceFlags(flags),
  );
  if (flags.has('png')) {
    await writePng(await nodeCodecs().decode(encoded, colour ? { colour } : {}), out);
    const missing = encoded.missing ? ' (tile not stored: transparent)' : '';
    process.stderr.write(`${out}: PNG ${encoded.width}×${encoded.height}${missing}${colourNote(flags.has('srgb'), colour)}\n`);
    return;
  }
  if (encoded.missing)
    throw new SlideError('tile_missing', `tile (${x}, ${y}) of level ${level} is not stored in the file (the scanner skipped it); there is nothing to write.`);
  await writeFile(out, encoded.bytes);
  process.stderr.write(
    `${out}: ${encoded.codec} tile, ${encoded.width}×${encoded.height} (stored ${encoded.stored.width}×${encoded.stored.height}), ${encoded.bytes.length} bytes\n`,
  );
}

async function associated(argv: string[]): Promise<void> {
  const parsed = parseOrHelp(ASSOCIATED, argv);
  if (!parsed) return;
  const { positional, flags } = parsed;
  const [source, name] = positional;
  const out = flags.get('out');
  if (!source || positional.length !== 2 || !isAssociatedName(name) || typeof out !== 'string') {
    throw new SlideError(
      'invalid_argument',
      'associated takes a slide, one of label, macro or thumbnail, and --out FILE.png. Run wsi-stream associated --help.',
    );
  }
  const { image, colour } = await withCliSlide(
    source,
    async (slide) => {
      return { image: await slide.readAssociated(name), colour: flags.has('srgb') ? await slideColourTransform(slide) : undefined };
    },
    sourceFlags(flags),
  );
  await writePng(await nodeCodecs().decodeImage(image, colour ? { colour } : {}), out);
  process.stderr.write(`${out}: ${name} ${image.width}×${image.height}${colourNote(flags.has('srgb'), colour)}\n`);
}

function isAssociatedName(name: string | undefined): name is AssociatedName {
  return name === 'label' || name === 'macro' || name === 'thumbnail';
}

/** Prints the CORS configuration a bucket needs so browsers on these origins can read slides by range. */
async function cors(argv: string[]): Promise<void> {
  const parsed = parseOrHelp(CORS, argv);
  if (!parsed) return;
  const { positional, flags } = parsed;
  if (positional.length > 0) throw new SlideError('invalid_argument', 'cors takes no arguments but --origin. Run wsi-stream cors --help.');
  const origin = flags.get('origin');
  const origins =
    typeof origin === 'string'
      ? origin
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean)
      : ['*'];
  process.stdout.write(`${JSON.stringify(corsConfiguration(origins), null, 2)}\n`);
}

const COMMANDS: Array<[CommandSpec, (argv: string[]) => Promise<void>]> = [
  [INFO, info],
  [TILE, tile],
  [ASSOCIATED, associated],
  [CORS, cors],
  [SERVE, serve],
  [SIGN, sign],
  [CHECK, check],
];

function toolHelp(): string {
  const width = Math.max(...COMMANDS.map(([spec]) => spec.name.length));
  return [
    `wsi-stream ${PACKAGE_VERSION}: whole-slide images from files, URLs and S3 by range reads, and a WSIStreamer-compatible sidecar.`,
    '',
    'usage: wsi-stream <command> [arguments] [flags]',
    '       wsi-stream s3://bucket[/prefix] [serve flags]   (serve, as WSIStreamer does with no command)',
    '',
    'commands:',
    ...COMMANDS.map(([spec]) => `  ${spec.name.padEnd(width)}  ${spec.summary}`),
    '',
    'Run wsi-stream <command> --help for its arguments, flags (with their environment variables and defaults) and an example.',
    'wsi-stream --version prints the version.',
  ].join('\n');
}

/** Runs the CLI; every failure becomes one line `wsi-stream: <code>: <message>` and exit code 1 (2 for usage). */
export async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  if (first === '--help' || first === '-h' || first === 'help' || first === '--version' || first === '-v') {
    process.stdout.write(`${first.startsWith('--v') || first === '-v' ? PACKAGE_VERSION : toolHelp()}\n`);
    return 0;
  }
  // `wsi-stream s3://bucket` serves, as WSIStreamer does with no command.
  const [command, ...rest] = first?.startsWith('s3://') || first?.startsWith('--') ? ['serve', ...argv] : argv;
  const run = COMMANDS.find(([spec]) => spec.name === command)?.[1];
  if (!run) {
    const guess =
      command === undefined
        ? undefined
        : nearest(
            command,
            COMMANDS.map(([spec]) => spec.name),
          );
    const problem = command === undefined ? 'no command given.' : `unknown command "${command}".${guess ? ` Did you mean ${guess}?` : ''}`;
    process.stderr.write(`wsi-stream: invalid_argument: ${problem}\n\n${toolHelp()}\n`);
    return 2;
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
