import { statSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { FaultProxy } from '../test/support/fault-proxy.js';
import { dicomFiles, fixturePath, referenceJson } from '../test/support/fixtures.js';
import { startOrthanc } from '../test/support/orthanc.js';
import { expect, test } from './support/fixtures.js';
import { openAndSettle } from './support/open-and-settle.js';

declare const harness: any;

const SLIDE = 'aperio-jpeg-ycbcr-240.svs';

async function reload(page: Page): Promise<void> {
  await page.reload();
  await expect(page).toHaveTitle('ready');
}

/**
 * The keys an IndexedDB store of the page holds, each with the length of its value's `bytes` where it has some, and its
 * `size` where it is a usage record.
 */
function storedKeys(page: Page, db: string, store: string): Promise<Array<{ key: string; bytes?: number; size?: number }>> {
  return page.evaluate(
    ({ db, store }) =>
      new Promise<Array<{ key: string; bytes?: number; size?: number }>>((resolve, reject) => {
        const open = indexedDB.open(db);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(store);
          const keys = tx.objectStore(store).getAllKeys();
          const values = tx.objectStore(store).getAll();
          tx.oncomplete = () => {
            open.result.close();
            resolve(
              keys.result.map((k, i) => {
                const value = values.result[i] as { bytes?: Uint8Array; size?: number } | undefined;
                return { key: String(k), bytes: value?.bytes?.length, size: value?.size };
              }),
            );
          };
        };
      }),
    { db, store },
  );
}

/** Puts records into an IndexedDB store of the page (as an earlier session of a reader's browser left them). */
function putRecords(page: Page, db: string, store: string, records: Array<[string, unknown]>): Promise<void> {
  return page.evaluate(
    ({ db, store, records }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(db);
        open.onupgradeneeded = () => open.result.createObjectStore(store);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(store, 'readwrite');
          for (const [key, value] of records) tx.objectStore(store).put(value, key);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { db, store, records },
  );
}

test.describe('persistent cache (IndexedDB)', () => {
  // CMU-1's thumbnail strips come with the open's reads (its first directory read up to the tail read), through the
  // metadata cache: a reload must find those same ranges in IndexedDB.
  for (const [name, where] of [
    [SLIDE, 'generated'],
    ['CMU-1-Small-Region.svs', 'real'],
  ] as const) {
    test(`${name}: seen before, reopens after a reload with no request at all`, async ({ harness: page, servers }) => {
      const { server, url } = servers.slides[where];
      const first = await openAndSettle(page, `${url}/${name}`);
      expect(first.requests).toBeGreaterThan(0);
      expect(first.tilesLoaded).toBeGreaterThan(0);

      await reload(page);
      const before = server.requestsFor(name).length;
      const second = await openAndSettle(page, `${url}/${name}`);
      expect(server.requestsFor(name).length - before).toBe(0);
      expect(second.requests).toBe(0);
      expect(second.drawn).toEqual(first.drawn);
      expect(second.tilesFailed).toBe(0);
      expect(second.persistentCacheHits).toBeGreaterThan(0);
      expect(second.persistentCacheMisses).toBe(0);
    });
  }

  test('a JPEG 2000 slide seen before: the reopen is told its codec before reading anything, and asks IndexedDB for no manifest', async ({
    harness: page,
    servers,
  }) => {
    const { server, url } = servers.slides.generated;
    const name = 'aperio-jp2k-33005-256.svs';
    /** Opens the slide, logging when it is told a codec (during the call, before any read, or after) and IndexedDB's gets of manifests. */
    const open = () =>
      page.evaluate(async (url) => {
        const told: Array<{ codec: string; beforeAnyRead: boolean }> = [];
        const manifestGets: string[] = [];
        const get = IDBObjectStore.prototype.get;
        IDBObjectStore.prototype.get = function (this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) {
          if (String(key).startsWith('manifest|')) manifestGets.push(String(key));
          return get.call(this, key);
        };
        let opening = true;
        const slide = harness.openSlide(url, { persistentCache: true, onTileCodec: (codec: string) => told.push({ codec, beforeAnyRead: opening }) });
        opening = false;
        const opened = await slide;
        await opened.readTile(opened.levels.length - 1, 0, 0);
        await opened.close();
        IDBObjectStore.prototype.get = get;
        const note = Object.entries(localStorage).find(([k]) => k.endsWith(url));
        return { told, manifestGets, note: note ? JSON.parse(note[1]) : undefined };
      }, `${url}/${name}`);

    const first = await open();
    expect(first.told).toEqual([{ codec: 'jp2k', beforeAnyRead: false }]);
    const size = statSync(fixturePath(name)).size;
    expect(first.note).toEqual({ manifest: { size, etag: expect.any(String) }, codec: 'jp2k' });
    expect(first.note.manifest.etag).not.toBe('');

    await reload(page);
    const before = server.requestsFor(name).length;
    const second = await open();
    expect(second.told).toEqual([{ codec: 'jp2k', beforeAnyRead: true }]);
    expect(second.manifestGets).toEqual([]);
    expect(server.requestsFor(name).length - before).toBe(0);
    expect(second.note).toEqual(first.note);
  });

  test('a slide never seen here is read from the network at once, without waiting for IndexedDB', async ({ harness: page, servers }) => {
    const { server, url } = servers.slides.generated;
    // Hold IndexedDB: an upgrade of our database that does not end until released queues every other open of it.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('wsi-stream', 1);
          open.onerror = () => reject(open.error);
          open.onupgradeneeded = () => {
            const store = open.result.createObjectStore('ranges');
            const w = window as any;
            w.idbHeld = true;
            const keepAlive = () => {
              if (w.idbHeld) store.get('keep-alive').onsuccess = keepAlive;
            };
            keepAlive();
            resolve();
          };
          open.onsuccess = () => open.result.close();
        }),
    );
    const settled = openAndSettle(page, `${url}/${SLIDE}`);
    // While IndexedDB still answers nothing, the slide opens and its tiles load from the network.
    await expect.poll(() => server.requestsFor(SLIDE).length).toBeGreaterThan(0);
    // (`window.viewer` is the element of that id until the viewer is made.)
    await expect.poll(() => page.evaluate(() => (window as any).viewer?.stats?.().tilesLoaded ?? 0)).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as any).idbHeld)).toBe(true);
    await page.evaluate(() => ((window as any).idbHeld = false));
    const first = await settled;
    expect(first.persistentCacheHits).toBe(0);

    // What it read then was kept: the reload makes no request.
    await reload(page);
    const before = server.requestsFor(SLIDE).length;
    const second = await openAndSettle(page, `${url}/${SLIDE}`);
    expect(server.requestsFor(SLIDE).length - before).toBe(0);
    expect(second.drawn).toEqual(first.drawn);
  });

  test('in the session that first sees a slide, a range it stored is read again from IndexedDB, not the network', async ({ harness: page, servers }) => {
    const { server, url } = servers.slides.generated;
    const result = await page.evaluate(async (url) => {
      const slide = await harness.openSlide(url, { persistentCache: true });
      const first = await slide.readTile(0, 1, 1);
      const afterFirst = slide.ioStats().requests;
      // The write lands in its own time: read again until IndexedDB answers (each miss would be one more request).
      let again = first;
      for (let i = 0; i < 40 && slide.ioStats().persistentCacheHits === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        again = await slide.readTile(0, 1, 1);
      }
      const stats = slide.ioStats();
      await slide.close();
      return {
        same: again.bytes.length === first.bytes.length && again.bytes.every((b: number, i: number) => b === first.bytes[i]),
        hits: stats.persistentCacheHits,
        extra: stats.requests - afterFirst,
      };
    }, `${url}/${SLIDE}`);
    expect(result.hits).toBeGreaterThan(0);
    expect(result.same).toBe(true);
    // At most the reads made before the write had landed went out again.
    expect(result.extra).toBeLessThan(40);
    expect(server.requestsFor(SLIDE).length).toBeGreaterThan(0);
  });

  test('with the synchronous note gone (localStorage cleared), a kept slide is read again and shows the same tiles', async ({ harness: page, servers }) => {
    const { server, url } = servers.slides.generated;
    const first = await openAndSettle(page, `${url}/${SLIDE}`);
    await page.evaluate(() => localStorage.clear());
    await reload(page);
    const before = server.requestsFor(SLIDE).length;
    const second = await openAndSettle(page, `${url}/${SLIDE}`);
    expect(server.requestsFor(SLIDE).length - before).toBeGreaterThan(0);
    expect(second.drawn).toEqual(first.drawn);
    expect(second.tilesFailed).toBe(0);
  });

  test('a DICOMweb series seen before reopens with its metadata request alone: frames and its ICC profile come back by SOP Instance UID', async ({
    harness: page,
  }) => {
    const orthanc = await startOrthanc();
    const proxy = new FaultProxy(orthanc.rest);
    try {
      // A series whose optical path carries an ICC profile: the profile is bulk data, a request of its own.
      const SERIES = 'cmu-dicomizer';
      for (const file of dicomFiles(SERIES)) await orthanc.upload(file);
      const uid = referenceJson<{ instances: Array<{ sop_instance_uid: string }> }>(SERIES, 'dicom').instances[0]!.sop_instance_uid;
      const { study, series } = await orthanc.seriesOf(uid);
      const name = `dicomweb:${await proxy.start()}/dicom-web/studies/${study}/series/${series}`;
      const first = await openAndSettle(page, name);
      expect(first.tilesLoaded).toBeGreaterThan(0);
      const profileReads = () => proxy.log.filter((r) => r.url?.includes('/bulk/')).length;
      expect(profileReads()).toBe(1);
      expect(await page.evaluate(() => (window as any).viewer.colour().profile)).toBeTruthy();
      // The metadata, the profile, then the frames in a few batched requests (fewer than the frames).
      expect(first.requests).toBeGreaterThan(2);
      expect(first.requests).toBeLessThan(1 + first.persistentCacheMisses);

      await reload(page);
      const before = proxy.log.length;
      const second = await openAndSettle(page, name);
      expect([second.requests, proxy.log.length - before, profileReads()]).toEqual([1, 1, 1]);
      expect(await page.evaluate(() => (window as any).viewer.colour().profile)).toBeTruthy();
      expect(second.drawn).toEqual(first.drawn);
      expect([second.persistentCacheHits, second.persistentCacheMisses]).toEqual([first.persistentCacheMisses, 0]);
    } finally {
      await proxy.stop();
      await orthanc.stop();
    }
  });

  test('a damaged or foreign entry is dropped and read again, never shown', async ({ harness: page, servers }) => {
    const { server, url } = servers.slides.generated;
    await openAndSettle(page, `${url}/${SLIDE}`);
    // Damage one stored range and replace another with something that is not ours.
    const damaged = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('wsi-stream');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('ranges', 'readwrite');
            const store = tx.objectStore('ranges');
            let n = 0;
            store.openCursor().onsuccess = (event) => {
              const cursor = (event.target as IDBRequest<IDBCursorWithValue | null>).result;
              if (!cursor || n === 2) return;
              if (String(cursor.key).startsWith('manifest|')) return cursor.continue();
              const value = cursor.value;
              if (n === 0) value.bytes[0] ^= 0xff;
              cursor.update(n === 0 ? value : { foreign: true });
              n++;
              cursor.continue();
            };
            tx.oncomplete = () => resolve(n);
          };
        }),
    );
    expect(damaged).toBe(2);
    await reload(page);
    const before = server.requestsFor(SLIDE).length;
    const stats = await openAndSettle(page, `${url}/${SLIDE}`);
    // The two bad ranges are fetched again (plus, at most, the probe that learns the size and ETag).
    expect(server.requestsFor(SLIDE).length - before).toBeLessThanOrEqual(3);
    expect(stats.persistentCacheMisses).toBe(2);
    expect(stats.tilesFailed).toBe(0);
  });

  test('two local files of one name never share cached bytes; the same file again hits', async ({ harness: page, servers }) => {
    const result = await page.evaluate(
      async ({ a, b }) => {
        const file = async (url: string, lastModified: number) => new File([await (await fetch(url)).arrayBuffer()], 'slide.svs', { lastModified });
        const firstTile = async (input: File, persistentCache: boolean) => {
          const slide = await harness.openSlide(input, { persistentCache });
          const tile = await slide.readTile(0, 0, 0);
          const stats = slide.ioStats();
          await slide.close();
          return {
            head: Array.from(tile.bytes.subarray(0, 600) as Uint8Array),
            length: tile.bytes.length,
            hits: stats.persistentCacheHits,
            width: slide.width,
          };
        };
        const first = await firstTile(await file(a, 1_000), true);
        const again = await firstTile(await file(a, 1_000), true);
        const other = await firstTile(await file(b, 2_000), true);
        const uncached = await firstTile(await file(b, 2_000), false);
        return { first, again, other, uncached };
      },
      { a: servers.slideUrl('CMU-1-Small-Region.svs'), b: servers.slideUrl('icc-adobergb-cmu.svs') },
    );
    expect(result.again.hits).toBeGreaterThan(0);
    expect(result.again.head).toEqual(result.first.head);
    expect(result.other.width).toBe(1440);
    expect([result.other.length, result.other.head]).toEqual([result.uncached.length, result.uncached.head]);
  });

  test("a returning reader's usage records (20,000 here) are read after the first viewport, not during it", async ({ harness: page, servers }) => {
    const { url } = servers.slides.generated;
    await openAndSettle(page, `${url}/${SLIDE}`);
    // A full cache's worth of usage records, as a long-time reader's browser holds them.
    const now = Date.now();
    await putRecords(
      page,
      'wsi-stream-usage',
      'usage',
      Array.from({ length: 20_000 }, (_, i) => [
        `https://elsewhere.test/slide-${i % 40}.svs|"e"|${i * 15_000}|15000`,
        { size: 15_000, used: now - 60_000 - i },
      ]),
    );
    await reload(page);
    await page.evaluate(() => {
      const w = window as any;
      w.usageReads = [];
      for (const name of ['getAll', 'getAllKeys', 'openCursor'] as const) {
        const original = IDBObjectStore.prototype[name] as (...args: unknown[]) => IDBRequest;
        (IDBObjectStore.prototype as any)[name] = function (this: IDBObjectStore, ...args: unknown[]) {
          if (this.name === 'usage') w.usageReads.push(performance.now());
          return original.apply(this, args);
        };
      }
    });
    const second = await page.evaluate(async (url) => {
      const w = window as any;
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
      const item = viewer.osd.world.getItemAt(0);
      await new Promise<void>((resolve) => {
        const check = () => (item.getFullyLoaded() ? resolve() : setTimeout(check, 30));
        check();
      });
      return { hits: viewer.stats().persistentCacheHits, requests: viewer.stats().requests, readsBefore: w.usageReads.length, shownAt: performance.now() };
    }, `${url}/${SLIDE}`);
    expect(second.hits).toBeGreaterThan(0);
    expect(second.requests).toBe(0);
    expect(second.readsBefore).toBe(0);
    // They are read once the hits' recency is written, a second on: the cap is still kept.
    await expect.poll(() => page.evaluate(() => (window as any).usageReads.length), { timeout: 5_000 }).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as any).usageReads[0])).toBeGreaterThan(second.shownAt);
  });

  test('the cap holds: beyond it the least recently used entries go, and every entry kept has its usage record', async ({ harness: page, servers }) => {
    const { url } = servers.slides.generated;
    const cap = 1024 * 1024;
    const stored = await page.evaluate(
      async ({ url, cap }) => {
        const viewer = await harness.createViewer(document.getElementById('viewer'), url, {
          navigator: false,
          prefetch: false,
          osd: { animationTime: 0 },
          open: { persistentCache: { maxBytes: cap, dbName: 'capped' } },
        });
        const item = viewer.osd.world.getItemAt(0);
        const settled = () =>
          new Promise<void>((resolve) => {
            const check = () => (item.getFullyLoaded() ? resolve() : setTimeout(check, 30));
            setTimeout(check, 50);
          });
        await settled();
        // Full resolution here and there: tiles past the tail read, stored one range each.
        viewer.osd.viewport.zoomTo(item.imageToViewportZoom(1), undefined, true);
        for (const [x, y] of [
          [1000, 1000],
          [3000, 2000],
          [5000, 4000],
          [7000, 6000],
          [2000, 8000],
          [6000, 10000],
        ]) {
          viewer.osd.viewport.panTo(item.imageToViewportCoordinates(x, y), true);
          await settled();
        }
        // Closing the slide writes what is pending, the usage records and the eviction with them.
        await viewer.slide.close();
        return viewer.stats().persistentCacheMisses as number;
      },
      { url: `${url}/${SLIDE}`, cap },
    );
    const ranges = (await storedKeys(page, 'capped', 'ranges')).filter((e) => !e.key.startsWith('manifest|'));
    const usage = new Set((await storedKeys(page, 'capped-usage', 'usage')).map((e) => e.key));
    const entries = new Set(ranges.map((e) => e.key));
    const kept = {
      stored,
      entries: ranges.length,
      bytes: ranges.reduce((sum, e) => sum + (e.bytes ?? 0), 0),
      withoutUsage: [...entries].filter((k) => !usage.has(k)).length,
      usageWithoutEntry: [...usage].filter((k) => !entries.has(k)).length,
    };
    // More was stored than the cap allows (the open's tail alone is 0.5 MB), and some of it stayed.
    expect(kept.stored).toBeGreaterThan(6);
    expect(kept.entries).toBeGreaterThan(0);
    expect(kept.bytes).toBeLessThanOrEqual(cap);
    expect(kept.withoutUsage).toBe(0);
    expect(kept.usageWithoutEntry).toBe(0);
  });

  test('evicting thousands of entries deletes at most 256 keys in one task, so no eviction is a long frame', async ({ harness: page, servers }) => {
    const { url } = servers.slides.generated;
    // A cache far over its cap: 5,000 old entries' usage records, as a long session's browser holds them.
    await putRecords(
      page,
      'evicting-usage',
      'usage',
      Array.from({ length: 5_000 }, (_, i) => [`https://elsewhere.test/slide.svs|"e"|${i * 15_000}|15000`, { size: 15_000, used: 1 + i }]),
    );
    const deletes = await page.evaluate(async (url) => {
      // Deletes counted per task: the first of a task posts a message, which runs once that task has ended.
      const bursts: number[] = [];
      let burst = 0;
      const original = IDBObjectStore.prototype.delete;
      IDBObjectStore.prototype.delete = function (this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) {
        if (burst === 0) {
          const { port1, port2 } = new MessageChannel();
          port1.onmessage = () => {
            bursts.push(burst);
            burst = 0;
            port1.close();
          };
          port2.postMessage(undefined);
        }
        burst++;
        return original.call(this, key);
      };
      const viewer = await harness.createViewer(document.getElementById('viewer'), url, {
        navigator: false,
        prefetch: false,
        osd: { animationTime: 0 },
        open: { persistentCache: { maxBytes: 4 * 1024 * 1024, dbName: 'evicting' } },
      });
      const item = viewer.osd.world.getItemAt(0);
      await new Promise<void>((resolve) => {
        const check = () => (item.getFullyLoaded() ? resolve() : setTimeout(check, 30));
        check();
      });
      // Closing writes the usage records, and the eviction runs to its end.
      await viewer.slide.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      return bursts;
    }, `${url}/${SLIDE}`);
    // Down to 80% of 4 MiB: nearly all 5,000 old entries go, each from both stores.
    expect(deletes.reduce((a, b) => a + b, 0)).toBeGreaterThan(9_000);
    expect(Math.max(...deletes)).toBeLessThanOrEqual(256);
    const left = await storedKeys(page, 'evicting-usage', 'usage');
    expect(left.filter((e) => e.key.startsWith('https://elsewhere.test/')).length).toBeLessThan(300);
  });

  test('a range written again while an eviction goes on is kept, with its usage record', async ({ harness: page }) => {
    // 1,000 old entries of 10 kB each, the oldest first: ten times a 1 MB cap, so the eviction takes several batches.
    await putRecords(
      page,
      'racing',
      'ranges',
      Array.from({ length: 1_000 }, (_, i) => [`k${i}`, { old: i }]),
    );
    await putRecords(
      page,
      'racing-usage',
      'usage',
      Array.from({ length: 1_000 }, (_, i) => [`k${i}`, { size: 10_000, used: 1 + i }]),
    );
    const written = await page.evaluate(async () => {
      const store = new harness.IdbStore({ errors: 0, bytesStored: 0 }, { maxBytes: 1_000_000, dbName: 'racing' });
      // As the eviction's first batch goes out, k600 (due in its third) is read again and stored anew.
      const original = IDBObjectStore.prototype.delete;
      let written = false;
      IDBObjectStore.prototype.delete = function (this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) {
        if (!written) {
          written = true;
          store.put('k600', { bytes: new Uint8Array(3) }, 10_000);
        }
        return original.call(this, key);
      };
      store.put('new', { bytes: new Uint8Array(1) }, 10_000);
      await store.flush();
      IDBObjectStore.prototype.delete = original;
      return written;
    });
    const data = new Map((await storedKeys(page, 'racing', 'ranges')).map((e) => [e.key, e]));
    const usage = new Map((await storedKeys(page, 'racing-usage', 'usage')).map((e) => [e.key, e]));
    expect(written).toBe(true);
    // The eviction ran: the oldest went, and what is left fits the cap.
    expect(data.has('k0')).toBe(false);
    expect(data.size).toBeLessThanOrEqual(100);
    // k600 holds its new value (the old ones have no bytes), and its usage record.
    expect(data.get('k600')?.bytes).toBe(3);
    expect(usage.get('k600')?.size).toBe(10_000);
    expect([...data.keys()].filter((k) => !usage.has(k))).toEqual([]);
    expect([...usage.keys()].filter((k) => !data.has(k))).toEqual([]);
  });

  test('an object replaced since it was cached: its entries and their usage records are dropped, none left counting against the cap', async ({
    harness: page,
    servers,
  }) => {
    const proxy = new FaultProxy(servers.slides.generated.url);
    const url = `${await proxy.start()}/${SLIDE}`;
    try {
      await openAndSettle(page, url);
      const keysOf = async (db: string, store: string) => (await storedKeys(page, db, store)).map((e) => e.key).filter((k) => k.includes(SLIDE));
      expect((await keysOf('wsi-stream-usage', 'usage')).length).toBeGreaterThan(0);
      await reload(page);
      // Every answer from now on says the object is another version.
      proxy.inject(...Array.from({ length: 50 }, () => ({ kind: 'etag' as const, etag: '"v2"' })));
      const code = await page.evaluate(async (url) => {
        const viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
        const failed = new Promise<string>((resolve) => viewer.on('tile-failed', (e: { error: { code: string } }) => resolve(e.error.code)));
        // Full resolution: tiles never read before, so the first request goes out and meets the new ETag.
        const item = viewer.osd.world.getItemAt(0);
        viewer.osd.viewport.zoomTo(item.imageToViewportZoom(1), undefined, true);
        viewer.osd.viewport.panTo(item.imageToViewportCoordinates(4000, 6000), true);
        const code = await failed;
        await viewer.slide.close();
        return code;
      }, url);
      expect(code).toBe('object_changed');
      // The synchronous note goes with them: the next open neither trusts the old size and ETag nor asks IndexedDB.
      expect(await page.evaluate((name) => Object.keys(localStorage).filter((k) => k.includes(name)), SLIDE)).toEqual([]);
      expect(await keysOf('wsi-stream-usage', 'usage')).toEqual([]);
      expect((await keysOf('wsi-stream', 'ranges')).filter((k) => !k.startsWith('manifest|'))).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });
});
