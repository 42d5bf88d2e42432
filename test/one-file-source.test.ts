import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSlide } from '../src/index.js';
import { oneFileSource } from '../src/slide/open-slide.js';
import { NodeFileSource } from '../src/source/node-file-source.js';
import { FIXTURES, fixturePath } from './support/fixtures.js';
import { RangeServer } from './support/range-server.js';

// The viewer keys the home view's kept pixels by this source's id before the open, and looks them up by the opened
// slide's `sourceId` after it: the two must be the same for every one-file format.
describe('oneFileSource', () => {
  const server = new RangeServer({ root: FIXTURES });
  let base = '';
  beforeAll(async () => {
    base = await server.start();
  });
  afterAll(() => server.stop());

  const files = [
    'generated/aperio-jp2k-33005-256.svs',
    'real/CMU-1-Small-Region.svs',
    'real/ndpi/test3-TRITC-2-560.ndpi',
    'real/dicom/gcp-jpeg2000.dcm',
    'generated/ome-brightfield-cmu.ome.tif',
  ];
  for (const file of files) {
    it(`names ${file} as its opened slide does, over HTTP (query left out) and from a local file`, async () => {
      const url = `${base}/${file}?X-Amz-Signature=abc`;
      const source = oneFileSource(url)!;
      const slide = await openSlide(url);
      expect(source.id).toBe(slide.sourceId);
      expect(source.id).not.toContain('Signature');
      await slide.close();

      const local = new NodeFileSource(fixturePath(file));
      expect(oneFileSource(local)).toBe(local);
      const opened = await openSlide(local);
      expect(opened.sourceId).toBe(local.id);
      await opened.close();
    });
  }

  it('is undefined for a DICOM series, whose identity only its open learns', () => {
    expect(oneFileSource([`${base}/real/dicom/gcp-jpeg.dcm`, `${base}/real/dicom/gcp-raw.dcm`])).toBeUndefined();
    expect(oneFileSource('dicomweb:https://pacs.example/dicom-web/studies/1/series/2')).toBeUndefined();
  });

  it('refuses what openSlide refuses, with the same error', async () => {
    expect(() => oneFileSource('s3://bucket/slide.svs')).toThrow(/S3 URI/);
    await expect(openSlide('s3://bucket/slide.svs')).rejects.toThrow(/S3 URI/);
  });
});
