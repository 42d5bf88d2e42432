import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSlide } from '../src/index.js';
import { S3Store } from '../src/sidecar/s3-store.js';
import { dicomFiles, fixturePath, REPO_ROOT } from './support/fixtures.js';
import { fixtureBytes, S3_CREDENTIALS, startS3Server, type S3TestServer } from './support/s3-server.js';
import { getJson, startSidecar } from './support/sidecar.js';

let s3: S3TestServer;
let base: string;
beforeAll(async () => {
  s3 = await startS3Server();
  await s3.upload('lab/2024/CMU-1-Small-Region.svs', fixtureBytes(fixturePath('CMU-1-Small-Region.svs')));
  await s3.upload('lab/2024/boxes.tiff', fixtureBytes(fixturePath('boxes.tiff')));
  await s3.upload('lab/2025/aperio-jp2k-33005-256.svs', fixtureBytes(fixturePath('aperio-jp2k-33005-256.svs')));
  await s3.upload('lab/notes.txt', new TextEncoder().encode('not a slide'));
  await s3.upload('other/secret.svs', fixtureBytes(fixturePath('small.svs')));
  for (const file of dicomFiles('cmu-1-small-region')) await s3.upload(`lab/dicom/cmu-1/${basename(file)}`, fixtureBytes(file));
  await s3.upload('lab/dicom/gcp-jpeg.dcm', fixtureBytes(fixturePath('gcp-jpeg.dcm')));
  ({ url: base } = await startSidecar({ store: new S3Store({ bucket: s3.bucket, endpoint: s3.endpoint, credentials: S3_CREDENTIALS }, 'lab/') }));
}, 60_000);
afterAll(async () => {
  await s3?.stop();
});

const enc = encodeURIComponent;

describe('sidecar over a real S3-compatible bucket (s3://wsi/lab/)', () => {
  it('lists only slides under the prefix, with paging, prefix and search', async () => {
    expect((await getJson(`${base}/slides`)).body).toEqual({
      slides: ['lab/2024/CMU-1-Small-Region.svs', 'lab/2024/boxes.tiff', 'lab/2025/aperio-jp2k-33005-256.svs', 'lab/dicom/cmu-1', 'lab/dicom/gcp-jpeg.dcm'],
    });
    const first = await getJson(`${base}/slides?limit=2`);
    expect(first.body.slides.length).toBe(2);
    const second = await getJson(`${base}/slides?limit=2&cursor=${enc(first.body.next_cursor)}`);
    const third = await getJson(`${base}/slides?limit=2&cursor=${enc(second.body.next_cursor)}`);
    expect([...second.body.slides, ...third.body.slides]).toEqual(['lab/2025/aperio-jp2k-33005-256.svs', 'lab/dicom/cmu-1', 'lab/dicom/gcp-jpeg.dcm']);
    expect(third.body.next_cursor).toBeUndefined();
    expect((await getJson(`${base}/slides?prefix=lab/2025/`)).body.slides).toEqual(['lab/2025/aperio-jp2k-33005-256.svs']);
    expect((await getJson(`${base}/slides?search=boxes`)).body.slides).toEqual(['lab/2024/boxes.tiff']);
  });

  it('serves metadata, a passed-through tile, a thumbnail, and a presigned URL the library opens', async () => {
    const id = enc('lab/2024/CMU-1-Small-Region.svs');
    expect((await getJson(`${base}/slides/${id}`)).body).toMatchObject({ format: 'Aperio SVS', width: 2220, mpp: { x: 0.499 } });
    const tile = await fetch(`${base}/tiles/${id}/0/3/3.jpg`);
    expect([tile.status, tile.headers.get('x-tile-encoding')]).toEqual([200, 'passthrough']);
    expect((await fetch(`${base}/slides/${id}/thumbnail?max_size=128`)).status).toBe(200);
    const { body } = await getJson(`${base}/slides/${id}/url`);
    expect(body.url).toContain('X-Amz-Signature=');
    expect(body.source_id).toBe('s3://wsi/lab/2024/CMU-1-Small-Region.svs');
    expect((await openSlide(body.url)).width).toBe(2220);
  });

  it('a prefix holding only DICOM files is one slide: its series, as /slides/{id} and /tiles serve it', async () => {
    const id = enc('lab/dicom/cmu-1');
    const { status, body } = await getJson(`${base}/slides/${id}`);
    expect([status, body.format, body.level_count, body.width]).toEqual([200, 'DICOM WSI', 12, 2220]);
    const tile = await fetch(`${base}/tiles/${id}/0/1/1.jpg`);
    expect([tile.status, tile.headers.get('content-type')]).toEqual([200, 'image/jpeg']);
    expect((await getJson(`${base}/slides/${enc('lab/dicom/gcp-jpeg.dcm')}`)).body.format).toBe('DICOM WSI');
    const url = await getJson(`${base}/slides/${id}/url`);
    expect([url.status, url.body.error]).toEqual([415, 'unsupported_format']);
    const { body: listed } = await getJson(`${base}/slides/${id}/urls`);
    expect(listed.urls.map((u: { source_id: string }) => u.source_id)).toEqual(
      dicomFiles('cmu-1-small-region')
        .map((f) => `s3://wsi/lab/dicom/cmu-1/${basename(f)}`)
        .sort(),
    );
    expect(listed.urls.every((u: { url: string }) => u.url.includes('X-Amz-Signature='))).toBe(true);
    expect((await openSlide(listed.urls.map((u: { url: string }) => u.url))).levels.length).toBe(12);
    const missing = await getJson(`${base}/slides/${enc('lab/dicom/none')}`);
    expect([missing.status, missing.body.error]).toEqual([404, 'not_found']);
    const notSeries = await getJson(`${base}/slides/${enc('lab/2024')}`);
    expect([notSeries.status, notSeries.body.error]).toEqual([404, 'not_found']);
  });

  it('keeps keys outside the prefix and missing keys out, as not_found', async () => {
    for (const id of ['other/secret.svs', 'lab/nope.svs', '../other/secret.svs']) {
      const { status, body } = await getJson(`${base}/slides/${enc(id)}`);
      expect([status, body.error]).toEqual([404, 'not_found']);
    }
  });

  it('wsi-stream serve exits 1 with a checklist when the bucket cannot be listed', async () => {
    const run = promisify(execFile)(process.execPath, [`${REPO_ROOT}/bin/wsi-stream.js`, 's3://no-such-bucket', '--s3-endpoint', s3.endpoint, '-p', '0'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    });
    const failure = await run.then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/^wsi-stream: \w+: cannot read s3:\/\/no-such-bucket/);
    expect(failure?.stderr).toMatch(/Check: /);
  });
});
