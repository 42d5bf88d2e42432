import type { Page } from '@playwright/test';
import { NodeFileSource, Tag, TiffReader } from '../src/node.js';
import { difference, withinTolerance } from '../test/support/compare.js';
import { displayP3Tiles, fixture, fixturePath } from '../test/support/fixtures.js';
import { crop, readPngRgb } from '../test/support/images.js';
import { drawnTile, tilesToCheck } from './support/drawn-tile.js';
import { expect, test } from './support/fixtures.js';
import { onWideGamutScreen } from './support/wide-gamut-screen.js';

declare const harness: any;

const SLIDE = 'icc-prophoto-cmu.tif';

/** Where the first page's ICC profile lies in the file. */
async function profileRange(): Promise<[number, number]> {
  const { ifds } = await TiffReader.open(new NodeFileSource(fixturePath(SLIDE)));
  const entry = ifds[0]!.entries.get(Tag.ICCProfile)!;
  return [entry.valueOffset!, entry.valueOffset! + entry.count];
}

/** Opens the slide in the harness viewer (options passed through) and waits until the view is drawn. */
async function open(page: Page, url: string, options: object): Promise<void> {
  await page.evaluate(
    async ({ url, options }) => {
      const w = window as any;
      w.viewer = await harness.createViewer(document.getElementById('viewer'), url, {
        navigator: false,
        prefetch: false,
        osd: { animationTime: 0 },
        ...options,
      });
    },
    { url, options },
  );
  await settled(page);
}

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as any).viewer.osd.world.getItemAt(0).getFullyLoaded());
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** A digest of what the canvas shows: the sum of each channel over the centre. */
function canvasSums(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const canvas: HTMLCanvasElement = (window as any).viewer.osd.drawer.canvas;
    const { data } = canvas.getContext('2d')!.getImageData(canvas.width / 2 - 100, canvas.height / 2 - 100, 200, 200);
    const sums = [0, 0, 0];
    for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sums[c]! += data[i + c]!;
    return sums;
  });
}

/** Bytes of [start, end) that the server sent since `from` in its log. */
function bytesOfRangeSent(log: Array<{ path: string; range?: string; bytes: number }>, path: string, [start, end]: [number, number]): number {
  let covered = 0;
  for (const r of log.filter((r) => r.path === path)) {
    const m = /bytes=(\d+)-/.exec(r.range ?? '');
    const from = m ? Number(m[1]) : 0;
    covered += Math.max(0, Math.min(end, from + r.bytes) - Math.max(start, from));
  }
  return covered;
}

test.describe('colour management in the viewer (the ICC profile applied in the decode workers)', () => {
  test('on by default: the profile is named, and the panel switch redraws stored values from memory, without a request', async ({ harness: page, servers }) => {
    const { server } = servers.slides.generated;
    await open(page, servers.slideUrl(SLIDE), {});
    expect(await page.evaluate(() => (window as any).viewer.colour())).toMatchObject({ mode: 'icc', profile: 'ProPhoto RGB', profileBytes: 19688 });
    const managed = await canvasSums(page);
    const requests = server.log.length;
    await page.click('button[data-action="info"]');
    await expect(page.locator('.wsi-colour')).toContainText('ICC profile "ProPhoto RGB" → sRGB');
    await page.uncheck('input[data-action="colour"]');
    await settled(page);
    const stored = await canvasSums(page);
    expect(stored).not.toEqual(managed);
    await page.check('input[data-action="colour"]');
    await settled(page);
    expect(await canvasSums(page)).toEqual(managed);
    expect(server.log.length).toBe(requests);
  });

  test("colour 'none' never asks for the profile; turning it on takes it from what the open read", async ({ harness: page, servers }) => {
    const { server } = servers.slides.generated;
    const path = `/${fixture(SLIDE).id.split('/').slice(1).join('/')}`;
    const range = await profileRange();
    const before = server.log.length;
    await open(page, servers.slideUrl(SLIDE), { colour: 'none' });
    expect(await page.evaluate(() => (window as any).viewer.colour())).toEqual({ mode: 'none', output: 'srgb', profileBytes: 19688 });
    // No request of its own: its first bytes share the first directory's metadata block, so a read of the profile would
    // begin inside it.
    const starts = server.log
      .slice(before)
      .filter((r) => r.path === path)
      .map((r) => Number(/bytes=(\d+)-/.exec(r.range ?? '')?.[1] ?? 0));
    expect(starts.filter((start) => start > range[0] && start < range[1])).toEqual([]);
    // This file's profile lies between its first directory and the tail read, 288 kB apart: fewer bytes than a round
    // trip is worth, so the open reads them as one range (level 1's tiles, which the first viewport shows, lie there).
    expect(bytesOfRangeSent(server.log.slice(before), path, range)).toBe(range[1] - range[0]);
    const requests = server.log.length;
    await page.evaluate(() => (window as any).viewer.setColour('icc'));
    await settled(page);
    expect(await page.evaluate(() => (window as any).viewer.colour())).toMatchObject({ mode: 'icc', profile: 'ProPhoto RGB' });
    expect(server.log.length).toBe(requests);
  });

  test("JPEG tiles are converted by the browser's decoder only where a probe shows it converts as LittleCMS does", async ({ harness: page, servers }) => {
    const agrees = await page.evaluate(
      async ([prophotoUrl, adobeUrl]) => {
        const { browserAgrees, withBrowserJpegRoute, iccTransform, jpegIccSegments, littleCms } = harness.colourRoute;
        const [prophoto, adobe] = await Promise.all([prophotoUrl, adobeUrl].map(async (url) => (await harness.openSlide(url)).colourProfile.read()));
        const { lcms, constants } = await littleCms();
        const [srgb, p3] = await Promise.all([iccTransform(prophoto, lcms, constants), iccTransform(prophoto, lcms, constants, 'display-p3')]);
        // The right profile in the stream agrees, converting to sRGB or to Display P3; another one (as if the browser
        // read the profile otherwise) does not.
        // The route as the workers take it: the profile the tiles carry is the one without its text tags.
        const carried = (await withBrowserJpegRoute(srgb, prophoto)).jpegIccSegments;
        return {
          agrees: [
            await browserAgrees(srgb, jpegIccSegments(prophoto)),
            await browserAgrees(p3, jpegIccSegments(prophoto)),
            await browserAgrees(srgb, jpegIccSegments(adobe)),
            await browserAgrees(p3, jpegIccSegments(adobe)),
          ],
          carried: carried?.length,
          whole: jpegIccSegments(prophoto).length,
        };
      },
      [servers.slideUrl(SLIDE), servers.slideUrl('icc-adobergb-cmu.svs')],
    );
    expect(agrees.agrees).toEqual([true, true, false, false]);
    expect(agrees.carried).toBeLessThan(agrees.whole / 4);
  });

  test('a profile LittleCMS cannot use: a warning, the slide drawn with its stored colours, no blank tile', async ({ harness: page, servers }) => {
    const result = await page.evaluate(async (url) => {
      const s = await harness.openSlide(url);
      // The slide as a plain object, its profile replaced by four bytes that are no profile.
      const damaged = {
        sourceId: s.sourceId,
        format: s.format,
        width: s.width,
        height: s.height,
        levels: s.levels,
        properties: s.properties,
        associated: s.associated,
        colourProfile: { size: 4, read: async () => new Uint8Array([1, 2, 3, 4]) },
        associatedSize: (name: string) => s.associatedSize(name),
        readTile: (level: number, x: number, y: number, opts?: object) => s.readTile(level, x, y, opts),
        readAssociated: (name: string, opts?: object) => s.readAssociated(name, opts),
        ioStats: () => s.ioStats(),
        close: () => s.close(),
      };
      const w = window as any;
      // The warning is raised as createViewer finishes: a listener given to it hears it.
      const warnings: string[] = [];
      w.viewer = await harness.createViewer(document.getElementById('viewer'), damaged, {
        navigator: false,
        prefetch: false,
        osd: { animationTime: 0 },
        on: { 'colour-warning': (e: { error: { code: string } }) => warnings.push(e.error.code) },
      });
      await new Promise<void>((resolve) => {
        const check = () => (w.viewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
        check();
      });
      const { problem, mode } = w.viewer.colour();
      return { mode, code: problem?.code, warnings, stats: w.viewer.stats() };
    }, servers.slideUrl(SLIDE));
    expect(result).toMatchObject({ mode: 'none', code: 'unsupported_colour_profile', warnings: ['unsupported_colour_profile'] });
    expect(result.stats.tilesLoaded).toBeGreaterThan(0);
    expect(result.stats.tilesFailed).toBe(0);
    await page.click('button[data-action="info"]');
    await expect(page.locator('.wsi-colour')).toContainText('Colour profile not applied (unsupported_colour_profile)');
  });
});

test.describe("Display P3 output (colourSpace: 'display-p3')", () => {
  for (const name of [SLIDE, 'icc-adobergb-cmu.svs']) {
    test(`${name} on a wide-gamut screen, WebGL drawer: LittleCMS's Display P3 of the tiles, pixel for pixel`, async ({ harness: page, servers }) => {
      await onWideGamutScreen(page);
      for (const t of tilesToCheck(displayP3Tiles(name))) {
        const drawn = await drawnTile(page, servers.slideUrl(name), t, { colourSpace: 'display-p3', osd: { drawer: 'webgl' } }, 'display-p3');
        const d = difference(drawn, crop(readPngRgb(t.p3Png), drawn.width, drawn.height));
        expect(withinTolerance('jpeg', d), `L${t.level} (${t.x}, ${t.y}): max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
      }
    });
  }

  test('WebGL drawer after a lost context: still Display P3 (OpenSeadragon renders into a new canvas then)', async ({ harness: page, servers }) => {
    await onWideGamutScreen(page);
    const t = tilesToCheck(displayP3Tiles(SLIDE))[0]!;
    const drawn = await drawnTile(
      page,
      servers.slideUrl(SLIDE),
      t,
      { colourSpace: 'display-p3', osd: { drawer: 'webgl' } },
      'display-p3',
      'canvas after a lost context',
    );
    const d = difference(drawn, crop(readPngRgb(t.p3Png), drawn.width, drawn.height));
    expect(withinTolerance('jpeg', d), `L${t.level} (${t.x}, ${t.y}): max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
  });

  test("canvas drawer (chosen without a GPU): tiles reach it in Display P3 canvases, holding LittleCMS's Display P3", async ({ harness: page, servers }) => {
    await onWideGamutScreen(page);
    // On screen the canvas drawer stretches each tile by a pixel, so what it is handed is compared instead.
    for (const t of tilesToCheck(displayP3Tiles(SLIDE))) {
      const handed = await drawnTile(page, servers.slideUrl(SLIDE), t, { colourSpace: 'display-p3', osd: { drawer: 'canvas' } }, 'display-p3', 'drawer input');
      const d = difference(handed, readPngRgb(t.p3Png));
      expect(withinTolerance('jpeg', d), `L${t.level} (${t.x}, ${t.y}): max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
    }
  });

  test('the canvas, colour() and the panel say Display P3; the switch still redraws stored values without a request', async ({ harness: page, servers }) => {
    await onWideGamutScreen(page);
    const { server } = servers.slides.generated;
    await open(page, servers.slideUrl(SLIDE), { colourSpace: 'display-p3' });
    expect(await page.evaluate(() => (window as any).viewer.colour())).toMatchObject({ mode: 'icc', output: 'display-p3', profile: 'ProPhoto RGB' });
    expect(await page.evaluate(() => (window as any).viewer.osd.drawer.canvas.getContext('2d').getContextAttributes().colorSpace)).toBe('display-p3');
    await page.click('button[data-action="info"]');
    await expect(page.locator('.wsi-colour')).toContainText('ICC profile "ProPhoto RGB" → Display P3');
    const managed = await canvasSums(page);
    const requests = server.log.length;
    await page.uncheck('input[data-action="colour"]');
    await settled(page);
    expect(await canvasSums(page)).not.toEqual(managed);
    expect(server.log.length).toBe(requests);
  });

  test('asked for where it cannot help: sRGB on an sRGB screen, and for a slide without a profile', async ({ harness: page, servers }) => {
    await open(page, servers.slideUrl(SLIDE), { colourSpace: 'display-p3' });
    expect(await page.evaluate(() => (window as any).viewer.colour())).toMatchObject({ mode: 'icc', output: 'srgb' });
    expect(await page.evaluate(() => (window as any).viewer.osd.drawer.canvas.getContext('2d').getContextAttributes().colorSpace)).toBe('srgb');
    await onWideGamutScreen(page);
    await page.evaluate(() => (window as any).viewer.destroy());
    await open(page, servers.slideUrl('CMU-1-Small-Region.svs'), { colourSpace: 'display-p3' });
    expect(await page.evaluate(() => (window as any).viewer.colour())).toEqual({ mode: 'none', output: 'srgb' });
  });
});
