import type { Page } from '@playwright/test';
import { fixture, referenceJson, referencePng } from '../test/support/fixtures.js';
import { readPngRgb } from '../test/support/images.js';
import { omeTiff } from '../test/support/ome-builder.js';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

const SLIDE = 'hubmap-multi-channel-8level.ome.tif';

interface Channel {
  name: string;
  colour: [number, number, number];
  min: number;
  max: number;
  visible: boolean;
}

/** Opens the fluorescence slide in the harness viewer and keeps every composited tile it draws, by slide level and position. */
async function open(page: Page, url: string): Promise<void> {
  await page.evaluate(async (url) => {
    const w = window as any;
    w.drawn = {};
    w.viewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
    w.viewer.osd.addHandler('tile-loaded', (e: any) => {
      const image: ImageBitmap = e.data;
      const canvas = new OffscreenCanvas(image.width, image.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const level = w.viewer.tileSource.levelMap.toSlide(e.tile.level);
      w.drawn[`${level}/${e.tile.x}/${e.tile.y}`] = {
        width: image.width,
        height: image.height,
        rgba: Array.from(context.getImageData(0, 0, image.width, image.height).data),
      };
    });
  }, url);
}

/** Redraws with the current settings (every tile composited again) and waits until the view is complete. */
async function redraw(page: Page, change: () => void = () => undefined): Promise<void> {
  await page.evaluate(`(${change.toString()})()`);
  await page.evaluate(() => {
    const w = window as any;
    w.drawn = {};
    w.viewer.channels.set(0, {});
  });
  await page.waitForFunction(() => (window as any).viewer.osd.world.getItemAt(0).getFullyLoaded() && (window as any).drawn['0/0/0']);
}

const REFERENCE = referenceJson<{ reference_tiles: Array<{ level: number; channel: number; x: number; y: number; png: string }> }>(SLIDE, 'ome');

/** One channel of level 0 (a single tile) as tifffile decoded it. */
function level0Plane(channel: number): Uint8Array {
  const tile = REFERENCE.reference_tiles.find((t) => t.level === 0 && t.channel === channel && t.x === 0 && t.y === 0)!;
  const { rgb } = readPngRgb(referencePng(`ome/${tile.png}`));
  return rgb.filter((_, i) => i % 3 === 0);
}

function percentiles(values: Uint8Array): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  return [sorted[Math.floor(0.001 * sorted.length)]!, sorted[Math.floor(0.999 * sorted.length)]!];
}

/** The composite, computed here from tifffile's PNGs of the three channels: additive, each value mapped from [min, max] to its colour. */
function referenceComposite(level: number, channels: Channel[]): { width: number; height: number; rgb: Float64Array } {
  const planes = channels.map((_, c) =>
    readPngRgb(referencePng(`ome/${REFERENCE.reference_tiles.find((t) => t.level === level && t.channel === c && t.x === 0 && t.y === 0)!.png}`)),
  );
  const { width, height } = planes[0]!;
  const rgb = new Float64Array(width * height * 3);
  channels.forEach((channel, c) => {
    if (!channel.visible) return;
    for (let i = 0; i < width * height; i++) {
      const t = Math.min(1, Math.max(0, (planes[c]!.rgb[i * 3]! - channel.min) / (channel.max - channel.min)));
      for (let k = 0; k < 3; k++) rgb[i * 3 + k]! += t * channel.colour[k]!;
    }
  });
  return { width, height, rgb: rgb.map((v) => Math.min(255, v)) };
}

function maxDifference(drawn: { width: number; height: number; rgba: number[] }, expected: ReturnType<typeof referenceComposite>): number {
  expect([drawn.width, drawn.height]).toEqual([expected.width, expected.height]);
  let max = 0;
  for (let i = 0; i < expected.width * expected.height; i++) {
    for (let k = 0; k < 3; k++) max = Math.max(max, Math.abs(drawn.rgba[i * 4 + k]! - expected.rgb[i * 3 + k]!));
  }
  return max;
}

test.describe('multichannel fluorescence (OME-TIFF channels as planes), composited in the viewer', () => {
  test('the composite equals the references composited with the same colours and auto-contrast ranges; changes cost no request', async ({
    harness: page,
    servers,
  }) => {
    const { server } = servers.slides.real;
    await open(page, servers.slideUrl(SLIDE));
    const channels: Channel[] = await page.evaluate(() => (window as any).viewer.channels.list());
    // No colours in this file: the default palette; ranges from the histogram of level 0 (the coarsest with 65,536 pixels).
    expect(channels.map((c) => [c.name, c.colour, c.visible])).toEqual([
      ['Channel 1', [0, 0, 255], true],
      ['Channel 2', [0, 255, 0], true],
      ['Channel 3', [255, 0, 0], true],
    ]);
    // The 0.1 % and 99.9 % points of each channel's values, found here by sorting tifffile's level-0 planes.
    expect(channels.map((c) => [c.min, c.max])).toEqual([0, 1, 2].map((c) => percentiles(level0Plane(c))));
    await redraw(page);
    const drawn = await page.evaluate(() => (window as any).drawn['0/0/0']);
    // Rounding of the last half level is the only difference allowed.
    expect(maxDifference(drawn, referenceComposite(0, channels))).toBeLessThanOrEqual(1);

    const requests = server.requestsFor(fixture(SLIDE).id.split('/').slice(1).join('/')).length;
    await redraw(page, () => (window as any).viewer.channels.set(1, { visible: false }));
    const hidden = channels.map((c, i) => (i === 1 ? { ...c, visible: false } : c));
    expect(maxDifference(await page.evaluate(() => (window as any).drawn['0/0/0']), referenceComposite(0, hidden))).toBeLessThanOrEqual(1);
    await redraw(page, () => (window as any).viewer.channels.set(2, { colour: [255, 255, 0], min: 10, max: 90 }));
    const recoloured = hidden.map((c, i) => (i === 2 ? { ...c, colour: [255, 255, 0] as [number, number, number], min: 10, max: 90 } : c));
    expect(maxDifference(await page.evaluate(() => (window as any).drawn['0/0/0']), referenceComposite(0, recoloured))).toBeLessThanOrEqual(1);
    expect(server.requestsFor(fixture(SLIDE).id.split('/').slice(1).join('/')).length).toBe(requests);
  });

  test('the panel lists the channels; unchecking one redraws without it, from memory', async ({ harness: page, servers }) => {
    const { server } = servers.slides.real;
    await open(page, servers.slideUrl(SLIDE));
    await page.click('button[data-action="info"]');
    await expect(page.locator('.wsi-channels fieldset')).toHaveCount(3);
    const requests = server.log.length;
    await page.locator('fieldset[data-channel="0"] input[data-action="channel-visible"]').uncheck();
    await page.waitForFunction(() => (window as any).viewer.osd.world.getItemAt(0).getFullyLoaded());
    expect((await page.evaluate(() => (window as any).viewer.channels.list()))[0].visible).toBe(false);
    await page.locator('fieldset[data-channel="2"] input[data-action="channel-max"]').fill('40');
    await expect(page.locator('fieldset[data-channel="2"] .wsi-channel-range span')).toContainText('–40');
    expect(server.log.length).toBe(requests);
  });
});

test('a fluorescence slide’s list thumbnail is its composite in the channels’ colours, not channel 0 in grey', async ({ harness: page }) => {
  // Red rises left to right, green top to bottom, blue is off: colours from the OME-XML.
  const planes = [
    Uint8Array.from({ length: 256 }, (_, i) => (i % 16) * 16),
    Uint8Array.from({ length: 256 }, (_, i) => Math.floor(i / 16) * 16),
    new Uint8Array(256),
  ];
  const colours = ['-16776961', '16711935', '65535'];
  const file = omeTiff(
    'DimensionOrder="XYCZT" SizeC="3" SizeZ="1" SizeT="1" SizeX="16" SizeY="16" Type="uint8"',
    colours.map((c, i) => `<Channel ID="Channel:0:${i}" Color="${c}"/>`).join(''),
    planes,
    1,
  );
  const rgba = await page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const slide = await harness.openSlide(new Blob([bytes]));
    const pool = harness.createDecoderPool({ size: 1 });
    const canvas = await harness.slideThumbnail(document, slide, pool, 160);
    const data = Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data as Uint8ClampedArray);
    pool.terminate();
    return { width: canvas.width, data };
  }, Buffer.from(file).toString('base64'));
  expect(rgba.width).toBe(16);
  // Ranges from the histogram clip 0.1 % at each end, so compare loosely: red follows x, green follows y, blue stays 0.
  for (const [x, y] of [
    [2, 13],
    [13, 2],
    [8, 8],
  ] as const) {
    const p = (y * 16 + x) * 4;
    const [r, g, b] = rgba.data.slice(p, p + 3);
    expect(Math.abs(r! - planes[0]![y * 16 + x]! * (255 / 240))).toBeLessThanOrEqual(20);
    expect(Math.abs(g! - planes[1]![y * 16 + x]! * (255 / 240))).toBeLessThanOrEqual(20);
    expect(b).toBe(0);
  }
});
