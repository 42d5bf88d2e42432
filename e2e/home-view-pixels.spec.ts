import type { Page } from '@playwright/test';
import { difference, rgbaToRgb, withinTolerance } from '../test/support/compare.js';
import { referencePng, references } from '../test/support/fixtures.js';
import { readPngRgb } from '../test/support/images.js';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

const JP2K = 'aperio-jp2k-33005-256.svs';
const PIXELS_DB = 'wsi-stream-pixels';
const reference = references.find((r) => r.file === JP2K)!;
/** The reference tiles of the level the harness's home view draws (555×741 in a 1280×800 viewer: level 1). */
const homeTiles = reference.reference_tiles!.filter((t) => t.level === 1);

interface Visit {
  stats: any;
  /** The home view's reference tiles as the drawer was handed them, RGBA in base64. */
  tiles: Array<{ width: number; height: number; base64: string }>;
}

/**
 * Opens the slide in the viewer (its persistent cache on, as by default), waits until the home view is drawn, and
 * returns the viewer's statistics and what the drawer was handed for the home view's reference tiles.
 */
function visit(page: Page, url: string, tiles: Array<{ level: number; x: number; y: number }>, open: object = {}): Promise<Visit> {
  return page.evaluate(
    async ({ url, tiles, open }) => {
      const element = document.getElementById('viewer')!;
      const viewer = await harness.createViewer(element, url, { navigator: false, prefetch: false, open, osd: { animationTime: 0, minPixelRatio: 0.9 } });
      const osd = viewer.osd;
      const item = osd.world.getItemAt(0);
      for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
      await new Promise<void>((resolve) => {
        const check = () => (item.getFullyLoaded() ? resolve() : setTimeout(check, 30));
        check();
      });
      const drawn = item.getTilesToDraw().map((info: any) => info.tile);
      const out = tiles.map((t) => {
        const tile = drawn.find((d: any) => viewer.tileSource.levelMap.toSlide(d.level) === t.level && d.x === t.x && d.y === t.y);
        if (!tile) throw new Error(`the home view does not draw tile ${t.level}/${t.x}/${t.y}`);
        // What the drawer draws from: the ImageBitmap itself (the viewer's bitmap drawer) or a canvas.
        const source: ImageBitmap | HTMLCanvasElement = osd.drawer.getDataToDraw(tile).canvas;
        const { width, height } = source;
        const context = new OffscreenCanvas(width, height).getContext('2d')!;
        context.drawImage(source, 0, 0);
        const data = context.getImageData(0, 0, width, height).data;
        let s = '';
        for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
        return { width, height, base64: btoa(s) };
      });
      const stats = viewer.stats();
      await viewer.slide.close();
      viewer.destroy();
      return { stats, tiles: out };
    },
    { url, tiles, open },
  );
}

/** The pixel store's entries (key, and the entry's fields but its pixels), once `count` of them are there. */
async function keptEntries(page: Page, count: number): Promise<Array<{ key: string; decoder: string; width: number; height: number }>> {
  const read = () =>
    page.evaluate(
      (db) =>
        new Promise<Array<{ key: string; decoder: string; width: number; height: number }>>((resolve) => {
          const open = indexedDB.open(db);
          open.onupgradeneeded = () => open.result.createObjectStore('ranges');
          open.onsuccess = () => {
            const request = open.result.transaction('ranges').objectStore('ranges').getAll();
            request.onsuccess = () => {
              open.result.close();
              resolve(request.result.map(({ key, decoder, width, height }) => ({ key, decoder, width, height })));
            };
          };
        }),
      PIXELS_DB,
    );
  await expect.poll(async () => (await read()).length).toBe(count);
  return read();
}

/** Rewrites kept entries in place: `change` gets each entry whose key ends with one of `tiles`' `level/x/y|…`. */
function alterEntries(page: Page, tiles: string[], change: 'damage pixels' | 'other decoder'): Promise<number> {
  return page.evaluate(
    ({ db, tiles, change }) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open(db);
        open.onsuccess = () => {
          const tx = open.result.transaction('ranges', 'readwrite');
          const store = tx.objectStore('ranges');
          let altered = 0;
          const cursor = store.openCursor();
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (!c) return;
            const entry = c.value;
            if (tiles.some((t) => String(c.key).includes(`|${t}|`))) {
              // A flipped pixel under the old checksum (storage damage), or pixels a different decoder build made.
              if (change === 'damage pixels') entry.data[1000] ^= 0x40;
              else entry.decoder = `${entry.decoder}?an-older-build`;
              c.update(entry);
              altered++;
            }
            c.continue();
          };
          tx.oncomplete = () => {
            open.result.close();
            resolve(altered);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { db: PIXELS_DB, tiles, change },
  );
}

function expectReferencePixels(got: Visit['tiles']): void {
  homeTiles.forEach((t, i) => {
    const tile = got[i]!;
    const d = difference(rgbaToRgb(tile.width, tile.height, Buffer.from(tile.base64, 'base64')), readPngRgb(referencePng(t.png)));
    expect(withinTolerance('jp2k', d), `${t.png}: max ${d.max}, mean ${d.mean}`).toBe(true);
  });
}

async function reload(page: Page): Promise<void> {
  await page.reload();
  await expect(page).toHaveTitle('ready');
}

test.describe('the home view of a slide decoded in WASM, kept across visits', () => {
  test('a JPEG 2000 slide seen before draws its home view from kept pixels: no request, no decode, the reference’s pixels', async ({
    harness: page,
    servers,
  }) => {
    const url = servers.slideUrl(JP2K);
    const first = await visit(page, url, homeTiles);
    expectReferencePixels(first.tiles);
    const kept = first.stats.homeViewPixels.kept;
    // The 3×3 tiles of level 1 (the thumbnail, drawn as an overview level, is not JPEG 2000).
    expect(kept).toBe(9);
    // Never kept before: nothing was looked up (IndexedDB was not waited for).
    expect(first.stats.homeViewPixels).toMatchObject({ hits: 0, misses: 0 });
    const entries = await keptEntries(page, kept);
    expect(entries.every((e) => e.decoder.includes('openjpeg') && e.width * e.height > 0)).toBe(true);
    await expect.poll(() => page.evaluate(() => Object.values(localStorage).some((note) => JSON.parse(note).homeViewPixels === true))).toBe(true);

    await reload(page);
    const second = await visit(page, url, homeTiles);
    expect(second.stats.homeViewPixels).toMatchObject({ hits: kept, misses: 0, dropped: 0, kept: 0 });
    expect(second.stats.requests).toBe(0);
    // Only the overview (the thumbnail, not JPEG 2000) was decoded again: the kept tiles' decodes are gone.
    expect(second.stats.decoder.completed).toBe(first.stats.decoder.completed - kept);
    expectReferencePixels(second.tiles);
  });

  test('the kept tiles are read in one IndexedDB request beside the open, not looked up one by one after it', async ({ harness: page, servers }) => {
    const url = servers.slideUrl(JP2K);
    const first = await visit(page, url, homeTiles);
    const kept = first.stats.homeViewPixels.kept;
    await keptEntries(page, kept);
    // Every read of an object store, in order, named by its database.
    await page.addInitScript(() => {
      const log: string[] = [];
      (window as any).idbReads = log;
      for (const method of ['get', 'getAll'] as const) {
        const original = IDBObjectStore.prototype[method] as (...args: unknown[]) => IDBRequest;
        (IDBObjectStore.prototype as any)[method] = function (this: IDBObjectStore, ...args: unknown[]) {
          log.push(`${this.transaction.db.name} ${method}`);
          return original.apply(this, args);
        };
      }
    });
    await reload(page);
    const second = await visit(page, url, homeTiles);
    expect(second.stats.homeViewPixels).toMatchObject({ hits: kept, misses: 0 });
    expect(second.stats.requests).toBe(0);
    expectReferencePixels(second.tiles);
    const reads: string[] = await page.evaluate(() => (window as any).idbReads);
    expect(reads.filter((r) => r.startsWith(`${PIXELS_DB} `))).toEqual([`${PIXELS_DB} getAll`]);
    // The open reads the slide's ranges in two rounds (its ends, then a directory): the pixels were asked for before
    // the second, not after the open.
    const rangeReads = reads.flatMap((r, i) => (r === 'wsi-stream get' ? [i] : []));
    expect(rangeReads.length).toBeGreaterThan(1);
    expect(reads.indexOf(`${PIXELS_DB} getAll`)).toBeLessThan(rangeReads.at(-1)!);
  });

  test('a kept tile that is damaged, or was made by another decoder build, is decoded again and replaced', async ({ harness: page, servers }) => {
    const url = servers.slideUrl(JP2K);
    const first = await visit(page, url, homeTiles);
    await keptEntries(page, first.stats.homeViewPixels.kept);
    const [damaged, older] = homeTiles.map((t) => `${t.level}/${t.x}/${t.y}`);
    expect(await alterEntries(page, [damaged!], 'damage pixels'), `entries of ${damaged} damaged`).toBe(1);
    expect(await alterEntries(page, [older!], 'other decoder'), `entries of ${older} given another decoder`).toBe(1);

    await reload(page);
    const second = await visit(page, url, homeTiles);
    expect(second.stats.homeViewPixels).toMatchObject({ hits: first.stats.homeViewPixels.kept - 2, misses: 2, dropped: 2, kept: 2 });
    // The two tiles decoded anew (besides the overview), and drawn as the reference has them.
    expect(second.stats.decoder.completed, 'decodes').toBe(first.stats.decoder.completed - first.stats.homeViewPixels.kept + 2);
    expectReferencePixels(second.tiles);
  });

  test('nothing is kept for a JPEG slide, nor with the persistent cache off or given no bytes for pixels', async ({ harness: page, servers }) => {
    const jpeg = await visit(page, servers.slideUrl('aperio-jpeg-ycbcr-240.svs'), []);
    expect(jpeg.stats.homeViewPixels).toMatchObject({ kept: 0, hits: 0, misses: 0 });
    const off = await visit(page, servers.slideUrl(JP2K), [], { persistentCache: false });
    expect(off.stats.homeViewPixels).toBeUndefined();
    const none = await visit(page, servers.slideUrl(JP2K), [], { persistentCache: { homeViewPixelBytes: 0 } });
    expect(none.stats.homeViewPixels).toBeUndefined();
    expect(none.stats.tilesLoaded).toBeGreaterThan(0);
  });
});
