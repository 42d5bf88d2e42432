import { dirname } from 'node:path';
import { fixturePath } from '../test/support/fixtures.js';
import { RangeServer } from '../test/support/range-server.js';
import { expect, test } from './support/fixtures.js';
import { openAndSettle } from './support/open-and-settle.js';

const NDPI = 'test3-TRITC-2-560.ndpi';

test.describe('the NDPI fixture over a network with latency', () => {
  let server: RangeServer;
  let url: string;
  test.beforeAll(async () => {
    server = new RangeServer({ root: dirname(fixturePath(NDPI)) });
    url = `${await server.start()}/${NDPI}`;
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test('reads the block holding its second directory once, and a reload reads the ranges the first visit read: no request', async ({ harness: page }) => {
    // The directory read ahead (from the tail's chain) races the walk that would read it: whichever asks first, the
    // range must be the same, or the persistent cache (exact ranges) misses on the reload.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: 12.5e6, uploadThroughput: 12.5e6 });
    const before = server.log.length;
    const first = await openAndSettle(page, url);
    expect(first.tilesFailed).toBe(0);
    // The block just before the third page's JPEG, which holds the second directory, is read once.
    const ranges = server.log.slice(before).map((r) => r.range);
    expect(ranges).toContain('bytes=2535424-2539519');
    expect(new Set(ranges).size).toBe(ranges.length);
    await page.reload();
    await expect(page).toHaveTitle('ready');
    const again = server.log.length;
    const second = await openAndSettle(page, url);
    expect(server.log.slice(again).map((r) => r.range)).toEqual([]);
    expect(second.tilesFailed).toBe(0);
  });
});
