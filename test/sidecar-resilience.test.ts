import { linkSync, mkdtempSync, readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderStore } from '../src/sidecar/folder-store.js';
import { S3Store } from '../src/sidecar/s3-store.js';
import { FaultProxy } from './support/fault-proxy.js';
import { fixturePath } from './support/fixtures.js';
import { fixtureBytes, S3_CREDENTIALS, startS3Server, type S3TestServer } from './support/s3-server.js';
import { getJson, startSidecar } from './support/sidecar.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Files of `dir` this process holds open (sockets and pipes are not counted). */
function openFilesIn(dir: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false;
    }
  }).length;
}

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Runs `jobs` with at most `concurrency` at once. */
async function pool<T>(items: T[], concurrency: number, job: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await job(item);
    }),
  );
}

describe('sidecar memory stays bounded under load over many distinct slides', () => {
  const SLIDES = 240;
  const limits = { cacheSlides: 16, cacheTiles: 4 * 1024 * 1024, cacheMetadata: 8 * 1024 * 1024 };
  let base: string;
  let sidecar: Awaited<ReturnType<typeof startSidecar>>['sidecar'];
  let ids: string[];
  let dir: string;

  beforeAll(async () => {
    // Hard links: hundreds of distinct slide ids without hundreds of copies on disk.
    dir = mkdtempSync(join(tmpdir(), 'wsi-many-'));
    ids = [];
    for (let i = 0; i < SLIDES; i++) {
      const name = i % 2 ? `case-${i}.svs` : `case-${i}-ycbcr.svs`;
      linkSync(fixturePath(i % 2 ? 'CMU-1-Small-Region.svs' : 'aperio-jpeg-ycbcr-240.svs'), join(dir, name));
      ids.push(name);
    }
    ({ url: base, sidecar } = await startSidecar({ store: new FolderStore(dir), ...limits }));
  });

  it('three passes of metadata, thumbnail and tiles for 240 slides: caches at their caps, no heap growth between passes', async () => {
    const statuses = new Map<number, number>();
    let peak = { slidesOpen: 0, metadataBytes: 0, imageBytes: 0 };
    const pass = () =>
      pool(ids, 16, async (id) => {
        for (const path of [`/slides/${id}`, `/slides/${id}/thumbnail?max_size=256`, `/tiles/${id}/0/1/1.jpg`, `/tiles/${id}/0/2/2.jpg?quality=60`]) {
          const response = await fetch(`${base}${path}`);
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
        const now = sidecar.memory();
        peak = {
          slidesOpen: Math.max(peak.slidesOpen, now.slidesOpen),
          metadataBytes: Math.max(peak.metadataBytes, now.metadataBytes),
          imageBytes: Math.max(peak.imageBytes, now.imageBytes),
        };
      });
    // Node warns when the garbage collector closes a file handle nobody closed: a descriptor leak.
    const leakedHandles: string[] = [];
    const onWarning = (w: Error) => /Closing file descriptor/.test(w.message) && leakedHandles.push(w.message);
    process.on('warning', onWarning);
    await pass();
    const afterFirst = heapAfterGc();
    await pass();
    await pass();
    // Counted before a garbage collection, which would close leaked handles itself.
    const filesOpen = openFilesIn(dir);
    const afterThird = heapAfterGc();
    await new Promise((r) => setTimeout(r, 50));
    process.off('warning', onWarning);
    expect([...statuses]).toEqual([[200, SLIDES * 4 * 3]]);
    expect(peak.slidesOpen).toBeLessThanOrEqual(limits.cacheSlides);
    expect(peak.metadataBytes).toBeLessThanOrEqual(limits.cacheMetadata);
    expect(peak.imageBytes).toBeLessThanOrEqual(limits.cacheTiles);
    // 480 more slide opens and 2,880 more requests: a leak of a few kB per slide or request would show here.
    expect(afterThird - afterFirst).toBeLessThan(16 * 1024 * 1024);
    // Evicted slides close their files, even those a request was still reading.
    expect(filesOpen).toBeLessThanOrEqual(limits.cacheSlides);
    expect(leakedHandles).toEqual([]);
  }, 240_000);
});

describe('sidecar over a stalled or slow bucket', () => {
  let s3: S3TestServer;
  let proxy: FaultProxy;
  let base: string;
  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.upload('lab/CMU-1-Small-Region.svs', fixtureBytes(fixturePath('CMU-1-Small-Region.svs')));
    proxy = new FaultProxy(s3.endpoint);
    const endpoint = await proxy.start();
    ({ url: base } = await startSidecar({ store: new S3Store({ bucket: s3.bucket, endpoint, credentials: S3_CREDENTIALS }, 'lab/'), storageTimeoutMs: 800 }));
  }, 60_000);
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
  });

  it('a bucket that never answers gets the client a JSON connection_error, and the next request is served', async () => {
    proxy.inject({ kind: 'stall' }, { kind: 'stall' }, { kind: 'stall' }, { kind: 'stall' }, { kind: 'stall' });
    const stalled = await getJson(`${base}/slides/${encodeURIComponent('lab/CMU-1-Small-Region.svs')}`);
    expect(stalled.status).toBe(502);
    expect(stalled.body).toEqual({ error: 'connection_error', message: expect.stringContaining('800 ms'), status: 502 });
    proxy.clear();
    const healthy = await getJson(`${base}/slides/${encodeURIComponent('lab/CMU-1-Small-Region.svs')}`);
    expect([healthy.status, healthy.body.width]).toEqual([200, 2220]);
  }, 30_000);

  it('a listing that stalls times out the same way', async () => {
    proxy.inject({ kind: 'stall' }, { kind: 'stall' }, { kind: 'stall' }, { kind: 'stall' });
    const stalled = await getJson(`${base}/slides`);
    proxy.clear();
    expect([stalled.status, stalled.body.error]).toEqual([502, 'connection_error']);
  }, 30_000);
});

/** Sends raw bytes and returns the raw answer: malformed requests no HTTP client would send. */
function raw(base: string, request: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('malformed requests get the JSON error', () => {
  let base: string;
  beforeAll(async () => {
    ({ url: base } = await startSidecar({ store: new FolderStore(join(fixturePath('small.svs'), '..')) }));
  });

  for (const [name, request, status] of [
    ['a header line without a colon', 'GET /slides HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n', 400],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n', 400],
    ['a control character in a header value', 'GET /slides HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n', 400],
    ['headers larger than the server accepts', `GET /slides HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ] as const) {
    it(name, async () => {
      const answer = await raw(base, request);
      expect(answer.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer).toContain('Content-Type: application/json');
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: 'invalid_request', message: expect.any(String), status });
    });
  }

  it('a URL with a fragment, a double slash and an absolute form still gets a JSON answer', async () => {
    for (const target of ['/slides//small.svs', 'http://elsewhere.example/slides', '/slides/%', '/%C0%AF']) {
      const answer = await raw(base, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: string; status: number };
      expect(answer.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 (200|400|404) /);
      expect(answer).toContain('application/json');
      expect(typeof body.status === 'number' || Array.isArray((body as unknown as { slides: unknown }).slides)).toBe(true);
    }
  });
});
