import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RangeServer } from '../test/support/range-server.js';
import { FIXTURES, REPO_ROOT } from '../test/support/fixtures.js';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

const DIR = join(REPO_ROOT, 'bench/.slides');
const FILE = 'big-11.tif';

test.describe('the big generated slide (make-big-slide.sh N=11, 190 MB BigTIFF, 8 levels)', () => {
  let server: RangeServer;
  let url: string;
  test.beforeAll(async () => {
    if (!existsSync(join(DIR, FILE))) {
      mkdirSync(DIR, { recursive: true });
      // libvips makes it in seconds; .ci/run installs libvips-tools.
      execFileSync(join(FIXTURES, '../tools/make-big-slide.sh'), [join(DIR, FILE), '11'], { stdio: 'inherit' });
    }
    server = new RangeServer({ root: DIR });
    url = `${await server.start()}/${FILE}`;
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test('opening and the first viewport read no range twice, one request per directory to open, touching tiles in shared requests', async ({
    harness: page,
  }) => {
    const stats = await page.evaluate(async (url) => {
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
      const opened = viewer.stats().requests;
      await new Promise<void>((resolve) => {
        const check = () => (viewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
        check();
      });
      return { opened, ...viewer.stats() };
    }, url);
    const ranges = server.log.map((r) => r.range);
    expect(new Set(ranges).size).toBe(ranges.length);
    // 8 IFDs, one after each level's data: at most one request per directory, plus the first read.
    expect(stats.opened).toBeLessThanOrEqual(9);
    expect(stats.tilesFailed).toBe(0);
    expect(stats.tilesLoaded).toBeGreaterThan(0);
    // The first viewport's tiles start together and lie next to each other in the file: they share requests
    // (through the persistent cache, whose lookups are batched so the misses still meet in one task).
    expect(stats.coalescedReads).toBeGreaterThan(0);
    expect(stats.requests - stats.opened).toBeLessThanOrEqual(stats.tilesLoaded / 2);
    // The viewer counts every request the server saw (the server may see one more that started after the snapshot).
    expect(stats.requests).toBeGreaterThan(0);
    expect(stats.requests).toBeLessThanOrEqual(server.log.length);
  });
});
