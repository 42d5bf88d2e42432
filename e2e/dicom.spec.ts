import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Page } from '@playwright/test';
import { FaultProxy } from '../test/support/fault-proxy.js';
import { dicomFiles, referenceJson, referencePng } from '../test/support/fixtures.js';
import { startOrthanc } from '../test/support/orthanc.js';
import { S3_CREDENTIALS } from '../test/support/s3-server.js';
import { toHtj2kDicom } from '../test/support/htj2k-dicom.js';
import { readPngRgb } from '../test/support/images.js';

import { expect, test } from './support/fixtures.js';

declare const harness: any;

const SERIES = 'cmu-1-small-region';
const ref = referenceJson<{ reference_frames: Array<{ level: number; column: number; row: number; width: number; height: number; png: string }> }>(
  SERIES,
  'dicom',
);

/** A series under an S3 prefix, listed and signed in the page. */
interface S3Series {
  s3Series: { endpoint: string; bucket: string; prefix: string; credentials: { accessKeyId: string; secretAccessKey: string } };
}

/** Opens `input` in the harness viewer, waits until the view is drawn, and decodes the reference frames in the pool. */
async function viewAndDecode(page: Page, input: string | string[] | S3Series) {
  return page.evaluate(
    async ({ input, frames }) => {
      const w = window as any;
      const slide = typeof input === 'object' && 's3Series' in input ? await harness.s3.s3SeriesSources(input.s3Series) : input;
      w.viewer = await harness.createViewer(document.getElementById('viewer'), slide, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
      await new Promise<void>((resolve) => {
        const check = () => (w.viewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
        check();
      });
      const decoded = [];
      for (const f of frames) {
        const image = await w.viewer.pool.decode(await w.viewer.slide.readTile(f.level, f.column, f.row));
        // As base64: a million numbers through page.evaluate would cost seconds each.
        const data = image.data as Uint8ClampedArray;
        let binary = '';
        for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
        decoded.push({ width: image.width, height: image.height, rgba: btoa(binary) });
      }
      return { sourceId: w.viewer.slide.sourceId, format: w.viewer.slide.format, levels: w.viewer.slide.levels.length, stats: w.viewer.stats(), decoded };
    },
    { input, frames: ref.reference_frames.slice(0, 4) },
  );
}

/** The decoded frames against the references: the frames are JFIF YCbCr though the header says RGB, decoded as the markers say. */
function expectReferenceFrames(result: Awaited<ReturnType<typeof viewAndDecode>>): void {
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
    expect({ frame: frame.png, mean: sum / (expected.width * expected.height * 3) <= 0.5, max: max <= 8 }).toEqual({ frame: frame.png, mean: true, max: true });
  }
}

test.describe('DICOM WSI in Chromium', () => {
  test('the viewer shows the CMU series from the list of its files’ URLs; frames decode in the workers to the references', async ({
    harness: page,
    servers,
  }) => {
    const urls = dicomFiles(SERIES).map((f) => `${servers.slideUrl(SERIES)}/${encodeURIComponent(basename(f))}`);
    expectReferenceFrames(await viewAndDecode(page, urls));
  });

  test('the viewer shows the CMU series from an s3:// prefix on the S3 server, each instance read by presigned range requests', async ({
    harness: page,
    s3,
  }) => {
    for (const file of dicomFiles(SERIES)) await s3.upload(`dicom/${SERIES}/${basename(file)}`, readFileSync(file));
    const result = await viewAndDecode(page, {
      s3Series: { endpoint: s3.endpoint, bucket: s3.bucket, prefix: `dicom/${SERIES}/`, credentials: S3_CREDENTIALS },
    });
    expectReferenceFrames(result);
    expect(result.sourceId).toBe(`s3://wsi/dicom/${SERIES}/`);
  });

  test('the viewer shows the CMU series from a real Orthanc’s DICOMweb (through a CORS proxy, as a deployment puts one)', async ({ harness: page }) => {
    const orthanc = await startOrthanc();
    const proxy = new FaultProxy(orthanc.rest);
    try {
      for (const file of dicomFiles(SERIES)) await orthanc.upload(file);
      const { study, series } = await orthanc.seriesOf(
        referenceJson<{ instances: Array<{ sop_instance_uid: string }> }>(SERIES, 'dicom').instances[0]!.sop_instance_uid,
      );
      const base = await proxy.start();
      expectReferenceFrames(await viewAndDecode(page, `dicomweb:${base}/dicom-web/studies/${study}/series/${series}`));
    } finally {
      await proxy.stop();
      await orthanc.stop();
    }
  });

  test('an HTJ2K file (gcp-raw re-encoded losslessly by OpenJPH) is drawn, its frames decoded by OpenJPH in the workers to the native pixels', async ({
    harness: page,
  }) => {
    const raw = referenceJson<{ reference_frames: Array<{ column: number; row: number; png: string }> }>('gcp-raw.dcm', 'dicom');
    const file = await toHtj2kDicom(new Uint8Array(readFileSync(dicomFiles('gcp-raw.dcm')[0]!)));
    const result = await page.evaluate(
      async ({ base64, frames }) => {
        const w = window as any;
        const blob = new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))]);
        w.viewer = await harness.createViewer(document.getElementById('viewer'), blob, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
        await new Promise<void>((resolve) => {
          const check = () => (w.viewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
          check();
        });
        const decoded = [];
        for (const f of frames) {
          const image = await w.viewer.pool.decode(await w.viewer.slide.readTile(0, f.column, f.row));
          decoded.push(Array.from(image.data as Uint8ClampedArray));
        }
        return { stats: w.viewer.stats(), decoded };
      },
      { base64: Buffer.from(file).toString('base64'), frames: raw.reference_frames },
    );
    expect(result.stats.tilesLoaded).toBeGreaterThan(0);
    expect(result.stats.tilesFailed).toBe(0);
    for (const [i, frame] of raw.reference_frames.entries()) {
      const expected = readPngRgb(referencePng(`dicom/${frame.png}`));
      const rgba = result.decoded[i]!;
      let max = 0;
      for (let p = 0; p < expected.width * expected.height; p++)
        for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(rgba[p * 4 + c]! - expected.rgb[p * 3 + c]!));
      expect([frame.png, rgba.length, max]).toEqual([frame.png, expected.width * expected.height * 4, 0]);
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
