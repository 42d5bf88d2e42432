import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { dicomFiles, referenceJson, referencePng } from '../test/support/fixtures.js';
import { readPngRgb } from '../test/support/images.js';

import { expect, test } from './support/fixtures.js';

declare const harness: any;

const SERIES = 'cmu-1-small-region';
const ref = referenceJson<{ reference_frames: Array<{ level: number; column: number; row: number; width: number; height: number; png: string }> }>(
  SERIES,
  'dicom',
);

test.describe('DICOM WSI in Chromium', () => {
  test('the viewer shows the CMU series from the list of its files’ URLs; frames decode in the workers to the references', async ({
    harness: page,
    servers,
  }) => {
    const urls = dicomFiles(SERIES).map((f) => `${servers.slideUrl(SERIES)}/${encodeURIComponent(basename(f))}`);
    const result = await page.evaluate(
      async ({ urls, frames }) => {
        const w = window as any;
        w.viewer = await harness.createViewer(document.getElementById('viewer'), urls, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
        await new Promise<void>((resolve) => {
          const check = () => (w.viewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
          check();
        });
        const decoded = [];
        for (const f of frames) {
          const tile = await w.viewer.slide.readTile(f.level, f.column, f.row);
          const image = await w.viewer.pool.decode(tile);
          // As base64: a million numbers through page.evaluate would cost seconds each.
          const data = image.data as Uint8ClampedArray;
          let binary = '';
          for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
          decoded.push({ width: image.width, height: image.height, rgba: btoa(binary) });
        }
        return { format: w.viewer.slide.format, levels: w.viewer.slide.levels.length, stats: w.viewer.stats(), decoded };
      },
      { urls, frames: ref.reference_frames.slice(0, 4) },
    );
    expect([result.format, result.levels]).toEqual(['dicom', 12]);
    expect(result.stats.tilesLoaded).toBeGreaterThan(0);
    expect(result.stats.tilesFailed).toBe(0);
    for (const [i, frame] of ref.reference_frames.slice(0, 4).entries()) {
      const expected = readPngRgb(referencePng(`dicom/${frame.png}`));
      const got = { ...result.decoded[i]!, rgba: Buffer.from(result.decoded[i]!.rgba, 'base64') };
      expect([got.width, got.height]).toEqual([expected.width, expected.height]);
      let sum = 0;
      let max = 0;
      for (let p = 0; p < expected.width * expected.height; p++) {
        for (let c = 0; c < 3; c++) {
          const d = Math.abs(got.rgba[p * 4 + c]! - expected.rgb[p * 3 + c]!);
          sum += d;
          max = Math.max(max, d);
        }
      }
      // The frames are JFIF YCbCr though the header says RGB: decoded as the markers say, within JPEG tolerance.
      expect({ frame: frame.png, mean: sum / (expected.width * expected.height * 3) <= 0.5, max: max <= 8 }).toEqual({
        frame: frame.png,
        mean: true,
        max: true,
      });
    }
  });

  test('the demo opens the series’ files dropped together on the viewer', async ({ page, servers }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${servers.pages}/demo/`);
    await expect(page).toHaveTitle(/— wsi-stream$/, { timeout: 30_000 });
    const files = dicomFiles(SERIES).map((f) => ({ name: basename(f), base64: readFileSync(f).toString('base64') }));
    const dataTransfer = await page.evaluateHandle((files) => {
      const transfer = new DataTransfer();
      for (const f of files) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: 'application/dicom' }));
      return transfer;
    }, files);
    await page.dispatchEvent('#main', 'drop', { dataTransfer });
    await expect(page).toHaveTitle(`${files.length} DICOM files — wsi-stream`, { timeout: 30_000 });
    await page.waitForFunction(() => (window as any).wsiViewer?.slide.format === 'dicom' && (window as any).wsiViewer.osd.world.getItemAt(0)?.getFullyLoaded());
    const stats = await page.evaluate(() => (window as any).wsiViewer.stats());
    expect(stats.tilesFailed).toBe(0);
    expect(errors).toEqual([]);
  });
});
