import { openSlide } from '../slide/open-slide.js';
import { parseArgs } from './args.js';
import { storeFrom } from './serve.js';

/** `wsi-stream check s3://bucket [--list-slides] [--test-slide KEY]`: one ✓/✗ line per check; exit 1 on any ✗. */
export async function check(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['list-slides']);
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
      const slide = await openSlide(store.source(test));
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
