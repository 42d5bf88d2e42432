import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { fixturePath } from '../test/support/fixtures.js';
import { fixtureBytes, S3_CREDENTIALS } from '../test/support/s3-server.js';
import { startCognitoServer } from '../test/support/cognito-server.js';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

const KEY = 'cases/2024/CMU-1-Small-Region.svs';

test.describe('S3 from the browser, against a real S3-compatible server on another origin', () => {
  test.beforeAll(async ({ s3 }) => {
    await s3.upload(KEY, fixtureBytes(fixturePath('CMU-1-Small-Region.svs')));
    await s3.upload('cases/2024/boxes.tiff', fixtureBytes(fixturePath('boxes.tiff')));
    await s3.upload('cases/2025/small.svs', fixtureBytes(fixturePath('small.svs')));
    for (let i = 0; i < 5; i++) await s3.upload(`many/slide-${i}.tif`, fixtureBytes(fixturePath('boxes.tiff')));
  });

  test('static credentials: the viewer opens and draws the slide', async ({ harness: page, s3 }) => {
    const stats = await page.evaluate(
      async ({ endpoint, bucket, key, credentials }) => {
        const source = harness.s3.s3Source({ endpoint, bucket, key, credentials });
        const viewer = await harness.createViewer(document.getElementById('viewer'), source, { navigator: false, prefetch: false, osd: { animationTime: 0 } });
        await new Promise<void>((resolve) => {
          const check = () => (viewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 50));
          check();
        });
        return { ...viewer.stats(), id: viewer.slide.sourceId };
      },
      { endpoint: s3.endpoint, bucket: s3.bucket, key: KEY, credentials: S3_CREDENTIALS },
    );
    expect(stats.id).toBe(`s3://wsi/${KEY}`);
    expect(stats.tilesLoaded).toBeGreaterThan(0);
    expect(stats.tilesFailed).toBe(0);
  });

  test('Cognito path: an injected provider of temporary credentials signs every request', async ({ harness: page, s3 }) => {
    const result = await page.evaluate(
      async ({ endpoint, bucket, key, credentials }) => {
        let calls = 0;
        // What fromCognitoIdentityPool returns: temporary credentials with an expiry, fetched asynchronously.
        const provider = async () => {
          calls++;
          return { ...credentials, expiration: new Date(Date.now() + 60 * 60 * 1000) };
        };
        const slide = await harness.openSlide(harness.s3.s3Source({ endpoint, bucket, key, credentials: provider }));
        const tile = await slide.readTile(0, 3, 3);
        return { calls, width: slide.width, tile: tile.bytes.length };
      },
      { endpoint: s3.endpoint, bucket: s3.bucket, key: KEY, credentials: S3_CREDENTIALS },
    );
    expect(result.calls).toBeGreaterThan(0);
    expect(result.width).toBe(2220);
    expect(result.tile).toBeGreaterThan(0);
  });

  test("Cognito: the SDK's fromCognitoIdentityPool (against a local Cognito endpoint) signs a viewer's reads", async ({ harness: page, s3 }) => {
    const cognito = await startCognitoServer(S3_CREDENTIALS);
    try {
      const stats = await page.evaluate(
        async ({ endpoint, bucket, key, identityPoolId, cognitoEndpoint }) => {
          const credentials = harness.fromCognitoIdentityPool({ identityPoolId, clientConfig: { region: 'us-east-1', endpoint: cognitoEndpoint } });
          const source = harness.s3.s3Source({ endpoint, bucket, key, credentials });
          const viewer = await harness.createViewer(document.getElementById('viewer'), source, {
            navigator: false,
            prefetch: false,
            osd: { animationTime: 0 },
          });
          await new Promise<void>((resolve) => {
            const check = () => (viewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 50));
            check();
          });
          const result = { ...viewer.stats(), width: viewer.slide.width };
          viewer.destroy();
          return result;
        },
        { endpoint: s3.endpoint, bucket: s3.bucket, key: KEY, identityPoolId: cognito.identityPoolId, cognitoEndpoint: cognito.endpoint },
      );
      expect(cognito.calls).toEqual(['GetId', 'GetCredentialsForIdentity']);
      expect(stats.width).toBe(2220);
      expect(stats.tilesLoaded).toBeGreaterThan(0);
      expect(stats.tilesFailed).toBe(0);
    } finally {
      await cognito.stop();
    }
  });

  test('presigned URLs from the app are renewed when one expires mid-session', async ({ harness: page, s3 }) => {
    let signed = 0;
    await page.exposeFunction('presign', async (key: string) => {
      signed++;
      // Two-second URLs: the session outlives the first one.
      const url = await getSignedUrl(s3.client, new GetObjectCommand({ Bucket: s3.bucket, Key: key }), { expiresIn: 2 });
      return { url, expiresAt: Date.now() + 2000 };
    });
    const result = await page.evaluate(async (key) => {
      const source = harness.s3.presignedUrlSource(`s3://wsi/${key}`, () => (window as any).presign(key));
      const slide = await harness.openSlide(source);
      await slide.readTile(0, 1, 1);
      await new Promise((r) => setTimeout(r, 2500));
      const later = await slide.readTile(0, 2, 2);
      return { width: slide.width, later: later.bytes.length };
    }, KEY);
    expect(result.width).toBe(2220);
    expect(result.later).toBeGreaterThan(0);
    expect(signed).toBeGreaterThanOrEqual(2);
  });

  test('an expired or tampered presigned URL is refused by the server and reported as such', async ({ harness: page, s3 }) => {
    const expired = await getSignedUrl(s3.client, new GetObjectCommand({ Bucket: s3.bucket, Key: KEY }), { expiresIn: 1 });
    const valid = await getSignedUrl(s3.client, new GetObjectCommand({ Bucket: s3.bucket, Key: KEY }), { expiresIn: 600 });
    const tampered = valid.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    await new Promise((r) => setTimeout(r, 1500));
    const codes = await page.evaluate(
      async (urls) =>
        Promise.all(
          urls.map((u) =>
            harness.openSlide(u).then(
              () => 'opened',
              (e: { code: string }) => e.code,
            ),
          ),
        ),
      [expired, tampered, valid],
    );
    expect(codes).toEqual(['credentials_expired', 'access_denied', 'opened']);
  });

  test('listing: folders, slides only, and pages with a cursor', async ({ harness: page, s3 }) => {
    const result = await page.evaluate(
      async ({ endpoint, bucket, credentials }) => {
        const client = harness.s3.s3Client({ endpoint, bucket, credentials });
        const top = await harness.s3.listSlides({ bucket, client, prefix: 'cases/' });
        const year = await harness.s3.listSlides({ bucket, client, prefix: 'cases/2024/' });
        const keys: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await harness.s3.listSlides({ bucket, client, prefix: 'many/', pageSize: 2, ...(cursor ? { cursor } : {}) });
          keys.push(...page.slides.map((s: { key: string }) => s.key));
          cursor = page.nextCursor;
          pages++;
        } while (cursor && pages < 10);
        return { folders: top.folders, year: year.slides.map((s: { key: string }) => s.key), keys, pages };
      },
      { endpoint: s3.endpoint, bucket: s3.bucket, credentials: S3_CREDENTIALS },
    );
    expect(result.folders.sort()).toEqual(['cases/2024/', 'cases/2025/']);
    expect(result.year.sort()).toEqual(['cases/2024/CMU-1-Small-Region.svs', 'cases/2024/boxes.tiff']);
    expect(result.pages).toBe(3);
    expect(result.keys).toEqual([0, 1, 2, 3, 4].map((i) => `many/slide-${i}.tif`));
  });

  test('opening from S3 costs no more requests than from plain HTTP', async ({ harness: page, s3, servers }) => {
    const counts = await page.evaluate(
      async ({ endpoint, bucket, key, credentials, http }) => {
        const fromS3 = await harness.openSlide(harness.s3.s3Source({ endpoint, bucket, key, credentials }));
        const fromHttp = await harness.openSlide(http);
        return { s3: fromS3.ioStats().requests, http: fromHttp.ioStats().requests };
      },
      { endpoint: s3.endpoint, bucket: s3.bucket, key: KEY, credentials: S3_CREDENTIALS, http: `${servers.slides.real.url}/CMU-1-Small-Region.svs` },
    );
    expect(counts.s3).toBe(counts.http);
  });
});

test('a server without a CORS rule is reported as cors_blocked, with the rule to add', async ({ harness: page }) => {
  const { RangeServer } = await import('../test/support/range-server.js');
  const { FIXTURES } = await import('../test/support/fixtures.js');
  const noCors = new RangeServer({ root: `${FIXTURES}/real`, cors: false });
  const url = await noCors.start();
  const error = await page.evaluate(
    (u) =>
      harness.openSlide(u).then(
        () => undefined,
        (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
      ),
    `${url}/small.svs`,
  );
  await noCors.stop();
  expect(error?.code).toBe('cors_blocked');
  expect(error?.message).toContain('"ExposeHeaders":["Content-Range","Content-Length","ETag","Accept-Ranges"]');
  expect(error?.message).toContain('AllowedOrigins');
});

test('telling a missing CORS rule costs a few megabytes at most, never the object', async ({ harness: page }) => {
  const { RangeServer } = await import('../test/support/range-server.js');
  const { bigSlide } = await import('../test/support/big-slide.js');
  const big = bigSlide(11);
  const noCors = new RangeServer({ root: big.dir, cors: false });
  const url = await noCors.start();
  try {
    const code = await page.evaluate(
      (u) =>
        harness.openSlide(u).then(
          () => 'opened',
          (e: { code: string }) => e.code,
        ),
      `${url}/${big.file}`,
    );
    expect(code).toBe('cors_blocked');
    // The check's opaque (no-cors) request goes without its Range header, so its answer is the whole 190 MB object:
    // it is abandoned as soon as its headers are in (it went on for its 5 s timeout, 70 MB, before).
    const whole = noCors.log.filter((r) => r.range === undefined);
    expect(whole.length).toBeGreaterThan(0);
    await expect.poll(() => whole.every((r) => r.sent !== undefined), { timeout: 15_000 }).toBe(true);
    // What goes out before the abort reaches the server is what loopback carries in a few milliseconds (0.1–7 MB here);
    // left to its timeout it was 65 MB, what the browser buffers of a body nobody reads.
    for (const r of whole) expect(r.sent).toBeLessThan(24 * 1024 * 1024);
  } finally {
    await noCors.stop();
  }
});
