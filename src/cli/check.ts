import { openSlide } from '../slide/open-slide.js';
import { parseOrHelp, type CommandSpec } from './args.js';
import { STORE_FLAGS, storeFrom } from './serve.js';

export const CHECK: CommandSpec = {
  name: 'check',
  summary: 'Checks that a bucket or folder can be listed and a slide in it opened, one ✓/✗ line each; exit 1 on any ✗.',
  args: '<s3://bucket[/prefix] | folder>',
  flags: {
    'list-slides': { type: 'boolean', description: 'List the slides found (up to 1000).' },
    'test-slide': { type: 'string', value: 'KEY', description: 'Open this slide and read one tile.' },
    ...STORE_FLAGS,
  },
  example: 'wsi-stream check s3://my-slides --list-slides --test-slide cases/1.svs',
};

/** `wsi-stream check s3://bucket [--list-slides] [--test-slide KEY]`: one ✓/✗ line per check; exit 1 on any ✗. */
export async function check(argv: string[]): Promise<void> {
  const parsed = parseOrHelp(CHECK, argv);
  if (!parsed) return;
  const { positional, flags } = parsed;
  const store = storeFrom(positional[0], flags);
  let failed = false;
  const line = (ok: boolean, what: string) => {
    failed ||= !ok;
    process.stdout.write(`${ok ? '✓' : '✗'} ${what}\n`);
  };
  try {
    await store.check();
    line(true, `can list ${store.description}`);
  } catch (e) {
    line(false, `cannot list ${store.description}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (flags.has('list-slides')) {
    try {
      const page = await store.list({ limit: 1000 });
      line(true, `${page.slides.length}${page.nextCursor ? '+' : ''} slides`);
      for (const id of page.slides) process.stdout.write(`  ${id}\n`);
    } catch (e) {
      line(false, `listing failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const test = flags.get('test-slide');
  if (typeof test === 'string') {
    try {
      const source = await store.source(test);
      const slide = await openSlide(source, typeof source === 'string' ? { dicomweb: store.dicomWebOptions?.() ?? {} } : {});
      line(true, `${test}: ${slide.format}, ${slide.width}×${slide.height}, ${slide.levels.length} levels`);
      await slide.readTile(slide.levels.length - 1, 0, 0);
      line(true, `${test}: a tile reads`);
      await slide.close();
    } catch (e) {
      line(false, `${test}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (failed) process.exitCode = 1;
}
