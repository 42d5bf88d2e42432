import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { createSidecar } from '../src/sidecar/server.js';
import { FolderStore } from '../src/sidecar/folder-store.js';
import { RangeServer } from '../test/support/range-server.js';
import { FIXTURES, fixturePath } from '../test/support/fixtures.js';
import { fixtureBytes, S3_CREDENTIALS } from '../test/support/s3-server.js';
import { expect, test } from './support/fixtures.js';
import { onWideGamutScreen } from './support/wide-gamut-screen.js';
import { decode } from 'fast-png';

/** The bundled samples the slide browser lists. */
const SAMPLES: Array<{ file?: string; files?: string[]; title: string }> = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../demo/public/samples/index.json'), 'utf8'),
);

/** The README's screenshot: checked on every run, rewritten only on purpose (WSI_UPDATE_SCREENSHOT=1). */
const SCREENSHOT = resolve(import.meta.dirname, '../docs/demo.png');

/** The built demo (npm start serves the same files), never the dev server. */
async function openDemo(page: Page, pages: string, query = ''): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${pages}/demo/${query}`);
  return errors;
}

async function waitForTiles(page: Page, title: string): Promise<void> {
  await expect(page).toHaveTitle(`${title} — wsi-stream`, { timeout: 30_000 });
  await expect(page.locator('#network [data-stat="first-tile"] td')).toHaveText(/^\d+ ms$/, { timeout: 30_000 });
}

/** Viewport centre (full-resolution pixels) and zoom (screen pixels per image pixel) of the demo's viewer. */
function viewport(page: Page): Promise<{ x: number; y: number; zoom: number }> {
  return page.evaluate(() => {
    const osd = (window as any).wsiViewer.osd;
    const item = osd.world.getItemAt(0);
    const centre = item.viewportToImageCoordinates(osd.viewport.getCenter(true));
    return { x: centre.x, y: centre.y, zoom: item.viewportToImageZoom(osd.viewport.getZoom(true)) };
  });
}

test.describe('the demo, built', () => {
  test('the slide browser lists the samples with thumbnails and opens the one clicked', async ({ page, servers }) => {
    const errors = await openDemo(page, servers.pages);
    const slides = page.locator('#browser button.slide');
    await expect(slides).toHaveCount(SAMPLES.length);
    // Every sample gets a picture drawn from its own thumbnail or coarsest level.
    await expect(page.locator('#browser .thumb canvas')).toHaveCount(SAMPLES.length, { timeout: 30_000 });
    await waitForTiles(page, 'CMU-1 small region — Aperio SVS, JPEG (RGB)');
    await slides.nth(2).click();
    await waitForTiles(page, 'Boxes — generic pyramidal TIFF, Deflate');
    expect(new URL(page.url()).searchParams.get('slide')).toMatch(/\/samples\/boxes\.tiff$/);
    await expect(slides.nth(2)).toHaveAttribute('aria-current', 'true');
    // Its bytes came over the network, or from IndexedDB where its thumbnail left them.
    const requests = Number(await page.locator('#network [data-stat="requests"] td').textContent());
    const cacheHits = Number((await page.locator('#network [data-stat="cache-hits"] td').textContent())!.split(' ')[0]);
    expect(requests + cacheHits).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  for (const sample of SAMPLES.filter((s) => s.files || /\.(ndpi|ome\.tif)$|^icc-/.test(s.file!))) {
    test(`opens the ${sample.file ?? 'DICOM series'} sample from the list and draws it without a failed tile`, async ({ page, servers }) => {
      const errors = await openDemo(page, servers.pages);
      await page.locator('#browser button.slide', { hasText: sample.title }).click();
      await waitForTiles(page, sample.title);
      await page.waitForFunction(() => (window as any).wsiViewer?.osd.world.getItemAt(0)?.getFullyLoaded());
      const stats = await page.evaluate(() => (window as any).wsiViewer.stats());
      expect(stats.tilesLoaded).toBeGreaterThan(0);
      expect(stats.tilesFailed).toBe(0);
      expect(errors).toEqual([]);
    });
  }

  test('the ICC sample on a wide-gamut screen: colour managed into Display P3, as the demo asks', async ({ page, servers }) => {
    await onWideGamutScreen(page);
    const errors = await openDemo(page, servers.pages);
    const sample = SAMPLES.find((s) => s.file?.startsWith('icc-'))!;
    await page.locator('#browser button.slide', { hasText: sample.title }).click();
    await waitForTiles(page, sample.title);
    expect(await page.evaluate(() => (window as any).wsiViewer.colour())).toMatchObject({ mode: 'icc', output: 'display-p3', profile: 'ProPhoto RGB' });
    expect(errors).toEqual([]);
  });

  test('compare: a second slide opens beside the first, linked in micrometres, both views in the link', async ({ page, servers }) => {
    const errors = await openDemo(page, servers.pages);
    await waitForTiles(page, 'CMU-1 small region — Aperio SVS, JPEG (RGB)');
    await page.click('#compare');
    await expect(page.locator('#compare')).toHaveAttribute('aria-pressed', 'true');
    await page.locator('#browser button.slide', { hasText: 'Hamamatsu NDPI' }).click();
    await expect(page).toHaveTitle(/CMU-1 small region .* \| Fluorescence \(TRITC\) — Hamamatsu NDPI — wsi-stream/, { timeout: 30_000 });
    await expect(page.locator('#viewer .wsi-root')).toHaveCount(2);
    const slides = new URL(page.url()).searchParams.getAll('slide');
    expect(slides.map((s) => s.split('/').pop())).toEqual(['CMU-1-Small-Region.svs', 'test3-TRITC-2-560.ndpi']);
    await expect(page.locator('#link')).toBeVisible();
    await page.click('#link');
    await expect(page.locator('#link')).toHaveAttribute('aria-pressed', 'false');
    await page.click('#link');
    await expect(page.locator('#link')).toHaveAttribute('aria-pressed', 'true');
    // A move comes to rest: both views in the hash, so the link reopens the same pair at the same places.
    await page.evaluate(() => {
      const { viewport } = (window as any).wsiViewer.osd;
      const centre = viewport.getCenter();
      centre.x += 0.05;
      viewport.panTo(centre);
    });
    await expect.poll(() => new URLSearchParams(new URL(page.url()).hash.slice(1)).has('x1')).toBe(true);
    const link = page.url();
    await page.goto('about:blank');
    await page.goto(link);
    await expect(page.locator('#viewer .wsi-root')).toHaveCount(2, { timeout: 30_000 });
    expect(errors).toEqual([]);
  });

  test('a second slide clicked while the first is still opening replaces it: one viewer, the second slide', async ({ page, servers }) => {
    const errors = await openDemo(page, servers.pages);
    const slides = page.locator('#browser button.slide');
    await expect(slides).toHaveCount(SAMPLES.length);
    await waitForTiles(page, 'CMU-1 small region — Aperio SVS, JPEG (RGB)');
    // Two clicks in one task: the first open cannot have finished when the second starts.
    await page.evaluate(() => {
      const buttons = document.querySelectorAll<HTMLButtonElement>('#browser button.slide');
      buttons[1]!.click();
      buttons[2]!.click();
    });
    await waitForTiles(page, 'Boxes — generic pyramidal TIFF, Deflate');
    await expect(page.locator('#viewer .wsi-root')).toHaveCount(1);
    expect(await page.evaluate(() => (window as any).wsiViewer.slide.format)).toBe('generic-tiff');
    await expect(page.locator('#banner')).toBeHidden();
    expect(errors).toEqual([]);
  });

  test('the README screenshot: CMU-1-Small-Region in the demo, drawn', async ({ page, servers }, testInfo) => {
    await openDemo(page, servers.pages);
    await waitForTiles(page, 'CMU-1 small region — Aperio SVS, JPEG (RGB)');
    await expect(page.locator('#browser .thumb canvas')).toHaveCount(SAMPLES.length, { timeout: 30_000 });
    await page.waitForFunction(() => (window as any).wsiViewer.osd.world.getItemAt(0).getFullyLoaded());
    // Where the slide is on the screen, in CSS pixels (the screenshot's, at device scale 1).
    const box = await page.evaluate(() => {
      const osd = (window as any).wsiViewer.osd;
      const bounds = osd.world.getItemAt(0).getBounds(true);
      const topLeft = osd.viewport.viewportToWindowCoordinates(bounds.getTopLeft());
      const bottomRight = osd.viewport.viewportToWindowCoordinates(bounds.getBottomRight());
      return {
        left: Math.max(0, Math.ceil(topLeft.x)),
        top: Math.max(0, Math.ceil(topLeft.y)),
        right: Math.min(1280, Math.floor(bottomRight.x)),
        bottom: Math.min(800, Math.floor(bottomRight.y)),
      };
    });
    const path = process.env.WSI_UPDATE_SCREENSHOT ? SCREENSHOT : testInfo.outputPath('demo.png');
    mkdirSync(resolve(path, '..'), { recursive: true });
    const png = decode(await page.screenshot({ path }));
    // Inside the slide's bounds every pixel is slide: white glass or stained tissue, never the black of a missing tile.
    let tissue = 0;
    let glass = 0;
    let dark = 0;
    let total = 0;
    for (let y = box.top + 4; y < box.bottom - 4; y += 2) {
      for (let x = box.left + 4; x < box.right - 4; x += 2) {
        // The scale bar and the navigator sit over the view; leave their corners out.
        if ((x < 450 && y > 740) || (x > 1070 && y > 620)) continue;
        const i = (y * png.width + x) * png.channels;
        const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
        total++;
        if (r > 215 && g > 215 && b > 215) glass++;
        else if (r - g > 25 || b - g > 25) tissue++;
        if (r + g + b < 60) dark++;
      }
    }
    expect(box.right - box.left).toBeGreaterThan(400);
    expect(tissue / total, 'stained tissue (H&E pink and purple)').toBeGreaterThan(0.25);
    expect(glass / total, 'white glass around the tissue').toBeGreaterThan(0.2);
    expect(dark / total, 'black pixels where a tile is missing').toBeLessThan(0.01);
  });

  test('opens a slide by URL from another origin', async ({ page, servers }) => {
    const errors = await openDemo(page, servers.pages);
    await waitForTiles(page, 'CMU-1 small region — Aperio SVS, JPEG (RGB)');
    const url = `${servers.slides.generated.url}/aperio-jpeg-ycbcr-240.svs`;
    await page.fill('#by-url input', url);
    await page.click('#by-url button');
    await waitForTiles(page, 'aperio-jpeg-ycbcr-240.svs');
    expect(new URL(page.url()).searchParams.get('slide')).toBe(url);
    expect(errors).toEqual([]);
  });

  test('opens a local file dropped on the viewer, reading it in place', async ({ page, servers }) => {
    const errors = await openDemo(page, servers.pages);
    await waitForTiles(page, 'CMU-1 small region — Aperio SVS, JPEG (RGB)');
    const bytes = readFileSync(fixturePath('boxes.tiff')).toString('base64');
    const requestsBefore = servers.slides.real.server.log.length + servers.slides.generated.server.log.length;
    const dataTransfer = await page.evaluateHandle((base64) => {
      const file = new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'dropped-boxes.tiff', { type: 'image/tiff' });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      return transfer;
    }, bytes);
    await page.dispatchEvent('#main', 'dragover', { dataTransfer });
    await expect(page.locator('#main')).toHaveClass(/dragging/);
    await page.dispatchEvent('#main', 'drop', { dataTransfer });
    await waitForTiles(page, 'dropped-boxes.tiff');
    await expect(page.locator('#main')).not.toHaveClass(/dragging/);
    // Nothing was uploaded or fetched: the file was read through File.slice.
    expect(servers.slides.real.server.log.length + servers.slides.generated.server.log.length).toBe(requestsBefore);
    expect(new URL(page.url()).search).toBe('');
    expect(errors).toEqual([]);
  });

  test('a deep link restores the slide and the viewport', async ({ page, servers }) => {
    const url = `${servers.slides.real.url}/CMU-1-Small-Region.svs`;
    const errors = await openDemo(page, servers.pages, `?slide=${encodeURIComponent(url)}#x=1500&y=900&z=0.75`);
    await waitForTiles(page, 'CMU-1-Small-Region.svs');
    const view = await viewport(page);
    expect(view.x).toBeCloseTo(1500, 0);
    expect(view.y).toBeCloseTo(900, 0);
    expect(view.zoom).toBeCloseTo(0.75, 3);
    expect(errors).toEqual([]);
  });

  test('the theme switch recolours page and viewer and is remembered', async ({ page, servers }) => {
    await openDemo(page, servers.pages);
    await waitForTiles(page, 'CMU-1 small region — Aperio SVS, JPEG (RGB)');
    await expect(page.locator('.wsi-root')).toHaveClass(/wsi-dark/);
    await page.click('#theme');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await expect(page.locator('.wsi-root')).toHaveClass(/wsi-light/);
    await page.reload();
    await waitForTiles(page, 'CMU-1 small region — Aperio SVS, JPEG (RGB)');
    await expect(page.locator('.wsi-root')).toHaveClass(/wsi-light/);
  });

  for (const [what, path, code, heading] of [
    ['a missing slide', '/no-such-slide.svs', 'http_404', 'The slide was not found'],
    ['a file that is not a slide', '/ORIGIN.md', 'not_tiff', 'This is not a slide this viewer can read'],
  ] as const) {
    test(`${what} shows a banner that says what happened`, async ({ page, servers }) => {
      await openDemo(page, servers.pages, `?slide=${encodeURIComponent(`${servers.pages}/samples${path}`)}`);
      const banner = page.locator('#banner');
      await expect(banner).toBeVisible({ timeout: 30_000 });
      await expect(banner).toHaveAttribute('data-code', code);
      await expect(banner.locator('strong')).toHaveText(heading);
      await expect(banner).toContainText(`${code}: `);
    });
  }

  test('a server without CORS for this page shows the cors_blocked banner with the fix', async ({ page, servers }) => {
    const closed = new RangeServer({ root: `${FIXTURES}/real`, cors: false });
    const url = `${await closed.start()}/CMU-1-Small-Region.svs`;
    try {
      await openDemo(page, servers.pages, `?slide=${encodeURIComponent(url)}`);
      const banner = page.locator('#banner');
      await expect(banner).toHaveAttribute('data-code', 'cors_blocked', { timeout: 30_000 });
      await expect(banner).toContainText('CORS');
    } finally {
      await closed.stop();
    }
  });

  test('browses a sidecar: its thumbnails, and slides opened from the URLs it hands out', async ({ page, servers }) => {
    const sidecar = createSidecar({ store: new FolderStore(`${FIXTURES}/real`), host: '127.0.0.1', port: 0 });
    const base = await sidecar.listen();
    try {
      const errors = await openDemo(page, servers.pages);
      await page.fill('#by-sidecar input', base);
      await page.click('#by-sidecar button');
      const entry = page.locator('#browser button.slide', { hasText: 'CMU-1-Small-Region.svs' });
      await expect(entry.locator('img')).toBeVisible({ timeout: 30_000 });
      expect(await entry.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
      await entry.click();
      await waitForTiles(page, 'CMU-1-Small-Region.svs');
      const params = new URL(page.url()).searchParams;
      expect([params.get('sidecar'), params.get('id')]).toEqual([base, 'CMU-1-Small-Region.svs']);
      // The deep link opens the same slide through the sidecar again.
      await page.reload();
      await waitForTiles(page, 'CMU-1-Small-Region.svs');
      expect(errors).toEqual([]);
    } finally {
      await sidecar.close();
    }
  });

  test('the DICOM series sample reopens from its ?series= link; a series under a public bucket prefix opens from ?slide=s3://…/', async ({
    page,
    servers,
    s3,
  }) => {
    const sample = SAMPLES.find((s) => s.files)!;
    const errors = await openDemo(page, servers.pages);
    await page.locator('#browser button.slide', { hasText: sample.title }).click();
    await waitForTiles(page, sample.title);
    expect(new URL(page.url()).searchParams.getAll('series').map((u) => u.replace(/^.*\/samples\//, ''))).toEqual(sample.files);
    await page.reload();
    await waitForTiles(page, sample.title);
    expect(await page.evaluate(() => (window as any).wsiViewer.slide.format)).toBe('dicom');
    for (const file of sample.files!) await s3.upload(`public/${file}`, fixtureBytes(resolve(import.meta.dirname, '../demo/public/samples', file)));
    // No credentials: the listing and the reads go unsigned, as to a public bucket.
    await openDemo(page, servers.pages, `?slide=${encodeURIComponent(`s3://${s3.bucket}/public/cmu-dicomizer/`)}&endpoint=${encodeURIComponent(s3.endpoint)}`);
    await waitForTiles(page, 'cmu-dicomizer');
    await page.waitForFunction(() => (window as any).wsiViewer?.osd.world.getItemAt(0)?.getFullyLoaded());
    const stats = await page.evaluate(() => ({ ...(window as any).wsiViewer.stats(), levels: (window as any).wsiViewer.slide.levels.length }));
    expect([stats.levels, stats.tilesFailed]).toEqual([5, 0]);
    expect(stats.tilesLoaded).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  test('browses a bucket with credentials and opens a slide from it', async ({ page, servers, s3 }) => {
    await s3.upload('demo/CMU-1-Small-Region.svs', fixtureBytes(fixturePath('CMU-1-Small-Region.svs')));
    await s3.upload('demo/boxes.tiff', fixtureBytes(fixturePath('boxes.tiff')));
    const errors = await openDemo(page, servers.pages);
    await waitForTiles(page, 'CMU-1 small region — Aperio SVS, JPEG (RGB)');
    await page.click('#s3 summary');
    await page.fill('#by-s3 [name="uri"]', `s3://${s3.bucket}/demo/`);
    await page.fill('#by-s3 [name="endpoint"]', s3.endpoint);
    await page.fill('#by-s3 [name="accessKeyId"]', S3_CREDENTIALS.accessKeyId);
    // A wrong secret first: the banner says so, and the list stays as it was.
    await page.fill('#by-s3 [name="secretAccessKey"]', 'not-the-secret');
    await page.click('#by-s3 button');
    await expect(page.locator('#banner')).toHaveAttribute('data-code', 'access_denied', { timeout: 30_000 });
    await page.fill('#by-s3 [name="secretAccessKey"]', S3_CREDENTIALS.secretAccessKey);
    await page.click('#by-s3 button');
    await expect(page.locator('#banner')).toBeHidden();
    const slides = page.locator('#browser button.slide');
    await expect(slides).toHaveText(['CMU-1-Small-Region.svs', 'boxes.tiff'], { timeout: 30_000 });
    await expect(page.locator('#browser .thumb canvas')).toHaveCount(2, { timeout: 30_000 });
    await slides.nth(0).click();
    await waitForTiles(page, 'CMU-1-Small-Region.svs');
    // Signed with a secret: nothing about the bucket goes into the shareable address.
    expect(page.url()).not.toContain(S3_CREDENTIALS.secretAccessKey);
    expect(new URL(page.url()).search).toBe('');
    expect(errors).toEqual([]);
  });
});

test.describe('the demo on a phone (390×844, touch)', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('the viewer takes the screen; the slide list is a drawer that opens, and closes when a slide is chosen', async ({ page, servers }, testInfo) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${servers.pages}/demo/`);
    await waitForTiles(page, 'CMU-1 small region — Aperio SVS, JPEG (RGB)');
    const viewer = (await page.locator('#viewer').boundingBox())!;
    expect(viewer.width * viewer.height).toBeGreaterThanOrEqual(0.9 * 390 * 844);
    const drawer = page.locator('#sidebar');
    const drawerRight = async () => {
      const box = (await drawer.boundingBox())!;
      return box.x + box.width;
    };
    await expect.poll(drawerRight).toBeLessThanOrEqual(0);
    await page.tap('#drawer-toggle');
    await expect(page.locator('#drawer-toggle')).toHaveAttribute('aria-expanded', 'true');
    await expect.poll(async () => (await drawer.boundingBox())!.x).toBe(0);
    await page.screenshot({ path: testInfo.outputPath('phone-drawer.png') });
    await page.tap('#browser button.slide:has-text("Boxes")');
    await waitForTiles(page, 'Boxes — generic pyramidal TIFF, Deflate');
    await expect.poll(drawerRight).toBeLessThanOrEqual(0);
    await expect(page.locator('#drawer-toggle')).toHaveAttribute('aria-expanded', 'false');
    // Touch targets: the drawer button and the viewer's own controls are at least 44 px each way.
    for (const control of await page.locator('#drawer-toggle, .wsi-tools button').all()) {
      const box = (await control.boundingBox())!;
      expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(44);
    }
    // The new slide opens whole (centred, its width filling the screen), not at the last slide's viewport.
    const item = await page.evaluate(() => {
      const osd = (window as any).wsiViewer.osd;
      const bounds = osd.world.getItemAt(0).getBounds(true);
      const topLeft = osd.viewport.viewportToWindowCoordinates(bounds.getTopLeft());
      const bottomRight = osd.viewport.viewportToWindowCoordinates(bounds.getBottomRight());
      return { left: topLeft.x, right: bottomRight.x };
    });
    expect(item.left).toBeGreaterThanOrEqual(-1);
    expect(item.right).toBeLessThanOrEqual(391);
    expect(item.right - item.left).toBeGreaterThan(300);
    // The drawer button does not cover the viewer's own buttons.
    const toggle = (await page.locator('#drawer-toggle').boundingBox())!;
    const tools = (await page.locator('.wsi-tools').boundingBox())!;
    expect(toggle.x + toggle.width).toBeLessThanOrEqual(tools.x);
    await page.screenshot({ path: testInfo.outputPath('phone-viewer.png') });
    expect(errors).toEqual([]);
  });
});
