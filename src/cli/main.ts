import { writeFile } from 'node:fs/promises';
import { SlideError } from '../errors.js';
import { nodeCodecs } from '../codec/node-codecs.js';
import { openSlide } from '../slide/open-slide.js';
import type { AssociatedName } from '../slide/types.js';
import { integerArg, parseArgs } from './args.js';
import { withCliSource } from './cli-source.js';
import { infoJson, infoText } from './info.js';
import { writePng } from './png.js';

const USAGE = `usage:
  wsi-stream info <path|url> [--json]
  wsi-stream tile <path|url> <level> <x> <y> --out FILE [--png]
  wsi-stream associated <path|url> <label|macro|thumbnail> --out FILE.png`;

async function info(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['json']);
  const [source] = positional;
  if (!source || positional.length !== 1) throw new SlideError('invalid_argument', `info takes one slide.\n${USAGE}`);
  const slide = await withCliSource(source, (s) => openSlide(s));
  process.stdout.write(flags.has('json') ? `${JSON.stringify(infoJson(slide), null, 2)}\n` : `${infoText(slide, source)}\n`);
}

async function tile(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['png']);
  const [source, level, x, y] = positional;
  const out = flags.get('out');
  if (!source || positional.length !== 4 || typeof out !== 'string') throw new SlideError('invalid_argument', `tile takes a slide, a level, x, y and --out FILE.\n${USAGE}`);
  const at = [integerArg(level, 'level'), integerArg(x, 'x'), integerArg(y, 'y')] as const;
  const encoded = await withCliSource(source, async (s) => (await openSlide(s)).readTile(...at));
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
  const image = await withCliSource(source, async (s) => (await openSlide(s)).readAssociated(name));
  await writePng(await nodeCodecs().decodeImage(image), out);
  process.stderr.write(`${out}: ${name} ${image.width}×${image.height}\n`);
}

function isAssociatedName(name: string | undefined): name is AssociatedName {
  return name === 'label' || name === 'macro' || name === 'thumbnail';
}

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = { info, tile, associated };

/** Runs the CLI; every failure becomes one line `wsi-stream: <code>: <message>` and exit code 1 (2 for usage). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    process.stderr.write(command === undefined || command === '--help' || command === '-h' ? `${USAGE}\n` : `wsi-stream: invalid_argument: unknown command "${command}".\n${USAGE}\n`);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  try {
    await run(rest);
    return 0;
  } catch (e) {
    const code = SlideError.is(e) ? e.code : 'internal';
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`wsi-stream: ${code}: ${message.replace(/\n/g, ' ')}\n`);
    return code === 'invalid_argument' ? 2 : 1;
  }
}
