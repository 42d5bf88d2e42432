import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSlide } from '../src/index.js';
import { basename } from 'node:path';
import { listDicomSeries, listSlides, parseS3Uri, s3Source } from '../src/s3.js';
import { RangeServer } from './support/range-server.js';
import { dicomFiles, FIXTURES, fixturePath } from './support/fixtures.js';
import { fixtureBytes, S3_CREDENTIALS, startS3Server, type S3TestServer } from './support/s3-server.js';
import { startCognitoServer } from './support/cognito-server.js';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3Server();
  await s3.upload('cases/2024/CMU-1-Small-Region.svs', fixtureBytes(fixturePath('CMU-1-Small-Region.svs')));
  await s3.upload('cases/2024/boxes.tiff', fixtureBytes(fixturePath('boxes.tiff')));
  await s3.upload('cases/2025/small.svs', fixtureBytes(fixturePath('small.svs')));
  await s3.upload('cases/readme.txt', new TextEncoder().encode('not a slide'));
  for (let i = 0; i < 5; i++) await s3.upload(`many/slide-${i}.tif`, fixtureBytes(fixturePath('boxes.tiff')));
  for (const file of dicomFiles('cmu-1-small-region')) await s3.upload(`series/cmu-1/${basename(file)}`, fixtureBytes(file));
}, 60_000);
afterAll(async () => {
  await s3?.stop();
});

const location = () => ({ bucket: s3.bucket, endpoint: s3.endpoint, credentials: S3_CREDENTIALS });

describe('S3 range source against a real S3-compatible server (SigV4 checked)', () => {
  it('opens a slide from s3:// with static credentials, identified by bucket and key', async () => {
    const source = s3Source({ ...location(), key: 'cases/2024/CMU-1-Small-Region.svs' });
    expect(source.id).toBe(`s3://${s3.bucket}/cases/2024/CMU-1-Small-Region.svs`);
    const slide = await openSlide(source);
    expect(slide.levels[0]!.width).toBe(2220);
    expect((await slide.readTile(0, 5, 6)).codec).toBe('jpeg');
    expect(source.etag).toMatch(/^"/);
  });

  it('costs no more requests to open than plain HTTP', async () => {
    const s3Slide = await openSlide(s3Source({ ...location(), key: 'cases/2024/CMU-1-Small-Region.svs' }));
    const http = new RangeServer({ root: `${FIXTURES}/real` });
    const base = await http.start();
    const httpSlide = await openSlide(`${base}/CMU-1-Small-Region.svs`);
    await http.stop();
    expect(s3Slide.ioStats().requests).toBe(httpSlide.ioStats().requests);
    expect(s3Slide.ioStats().bytes).toBe(httpSlide.ioStats().bytes);
  });

  it('gives not_found for a missing key and access_denied for wrong credentials', async () => {
    await expect(openSlide(s3Source({ ...location(), key: 'nope.svs' }))).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      openSlide(s3Source({ ...location(), credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'wrong' }, key: 'cases/2025/small.svs' })),
    ).rejects.toMatchObject({ code: 'access_denied' });
  });

  it('renews credentials that expire: a Cognito-style provider is asked again once they are about to, and not before', async () => {
    // Only the clock is faked: the requests to the real server run on real timers.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      let calls = 0;
      const provider = async () => {
        calls++;
        // Temporary credentials for 10 minutes, as Cognito hands out for an hour.
        return { ...S3_CREDENTIALS, sessionToken: undefined, expiration: new Date(Date.now() + 10 * 60_000) };
      };
      const source = s3Source({ bucket: s3.bucket, endpoint: s3.endpoint, credentials: provider, key: 'cases/2024/CMU-1-Small-Region.svs' });
      const slide = await openSlide(source);
      await slide.readTile(0, 1, 1);
      const first = calls;
      expect(first).toBeGreaterThan(0);
      await slide.readTile(0, 2, 2);
      expect(calls).toBe(first);
      // Past the URL's renewal point (30 s before the credentials end): a new URL, signed with new credentials.
      vi.setSystemTime(Date.now() + 9 * 60_000 + 40_000);
      await slide.readTile(0, 3, 3);
      expect(calls).toBeGreaterThan(first);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('listSlides', () => {
  it('lists slides and folders under a prefix, only slide extensions', async () => {
    // s3.client carries the test-only fix for s3rver's bucket-path signing quirk.
    const top = await listSlides({ ...location(), client: s3.client, prefix: 'cases/' });
    expect(top.folders.sort()).toEqual(['cases/2024/', 'cases/2025/']);
    expect(top.slides).toEqual([]);
    const year = await listSlides({ ...location(), client: s3.client, prefix: 'cases/2024/' });
    expect(year.slides.map((s) => s.key).sort()).toEqual(['cases/2024/CMU-1-Small-Region.svs', 'cases/2024/boxes.tiff']);
    expect(year.slides.find((s) => s.key.endsWith('.svs'))!.size).toBe(1938955);
  });

  it('pages with a cursor', async () => {
    const keys: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listSlides({ ...location(), client: s3.client, prefix: 'many/', pageSize: 2, ...(cursor ? { cursor } : {}) });
      keys.push(...page.slides.map((s) => s.key));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(keys).toEqual([0, 1, 2, 3, 4].map((i) => `many/slide-${i}.tif`));
  });
});

describe('a DICOM series under an S3 prefix', () => {
  it('lists the series’ objects and opens them as one slide, reading only headers: one request per instance', async () => {
    const keys = await listDicomSeries({ ...location(), prefix: 'series/cmu-1' });
    expect(keys).toEqual(
      dicomFiles('cmu-1-small-region')
        .map((f) => `series/cmu-1/${basename(f)}`)
        .sort(),
    );
    const slide = await openSlide(keys.map((key) => s3Source({ ...location(), key })));
    expect([slide.format, slide.levels.length, slide.width]).toEqual(['dicom', 12, 2220]);
    expect(slide.ioStats().requests).toBe(keys.length);
    expect((await slide.readTile(0, 1, 1)).codec).toBe('jpeg');
    await expect(listDicomSeries({ ...location(), prefix: 'series/none/' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('wsi-stream info s3://bucket/prefix/ opens the series', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { REPO_ROOT } = await import('./support/fixtures.js');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [`${REPO_ROOT}/bin/wsi-stream.js`, 'info', `s3://${s3.bucket}/series/cmu-1/`, '--json', '--s3-endpoint', s3.endpoint],
      {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' },
      },
    );
    expect(JSON.parse(stdout)).toMatchObject({ format: 'dicom', width: 2220, height: 2967 });
  });
});

describe('parseS3Uri', () => {
  it('splits bucket and key, and refuses anything else', () => {
    expect(parseS3Uri('s3://b/dir/x.svs')).toEqual({ bucket: 'b', key: 'dir/x.svs' });
    expect(() => parseS3Uri('s3://b')).toThrow(/s3:\/\/bucket\/key/);
  });
});

describe('CLI with s3:// and cors', () => {
  it('wsi-stream info s3://bucket/key reads through the AWS environment', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { REPO_ROOT } = await import('./support/fixtures.js');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [`${REPO_ROOT}/bin/wsi-stream.js`, 'info', `s3://${s3.bucket}/cases/2024/CMU-1-Small-Region.svs`, '--json', '--s3-endpoint', s3.endpoint],
      {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' },
      },
    );
    expect(JSON.parse(stdout)).toMatchObject({ format: 'aperio-svs', width: 2220, height: 2967 });
  });

  it('wsi-stream cors prints the bucket CORS configuration for the given origins', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { REPO_ROOT } = await import('./support/fixtures.js');
    const { stdout } = await promisify(execFile)(process.execPath, [
      `${REPO_ROOT}/bin/wsi-stream.js`,
      'cors',
      '--origin',
      'https://a.example,https://b.example',
    ]);
    const config = JSON.parse(stdout);
    expect(config.CORSRules[0].AllowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.CORSRules[0].ExposeHeaders).toEqual(expect.arrayContaining(['Content-Range', 'ETag']));
    expect(config.CORSRules[0].AllowedHeaders).toContain('Range');
  });
});

describe('Cognito Identity through the SDK', () => {
  it('fromCognitoIdentityPool itself gets temporary credentials (GetId, GetCredentialsForIdentity) that sign the range reads', async () => {
    const cognito = await startCognitoServer(S3_CREDENTIALS);
    try {
      const credentials = fromCognitoIdentityPool({
        identityPoolId: cognito.identityPoolId,
        clientConfig: { region: 'us-east-1', endpoint: cognito.endpoint },
      });
      const slide = await openSlide(s3Source({ bucket: s3.bucket, endpoint: s3.endpoint, credentials, key: 'cases/2024/CMU-1-Small-Region.svs' }));
      expect((await slide.readTile(0, 4, 4)).codec).toBe('jpeg');
      expect(cognito.calls).toEqual(['GetId', 'GetCredentialsForIdentity']);
      await slide.close();
    } finally {
      await cognito.stop();
    }
  });
});
