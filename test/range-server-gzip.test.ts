import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './support/fixtures.js';
import { RangeServer } from './support/range-server.js';

/** An answer as it came over the wire: status, headers and the bytes before any decoding. */
function raw(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

// The benchmark pages' server gzips what static hosts gzip (bench/bench-pages.ts): both viewers' code comes compressed.
describe('RangeServer compress', () => {
  const server = new RangeServer({ root: FIXTURES, compress: ['.json'] });
  let base = '';
  const json = 'reference/CMU-1-Small-Region.svs.json';
  beforeAll(async () => {
    base = await server.start();
  });
  afterAll(() => server.stop());

  it('gzips a listed kind of file for a client that accepts it, as another representation', async () => {
    const answer = await raw(`${base}/${json}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(answer.headers.vary).toBe('Accept-Encoding');
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers.etag).toBe('"v1-gzip"');
    expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
    const file = readFileSync(`${FIXTURES}/${json}`);
    expect(answer.body.length).toBeLessThan(file.length);
    expect(gunzipSync(answer.body).equals(file)).toBe(true);
    expect(server.requestsFor(json).at(-1)).toMatchObject({ status: 200, bytes: answer.body.length });
  });

  it('sends the bytes as they are to a client that does not accept gzip, for a range, and for kinds not listed', async () => {
    const file = readFileSync(`${FIXTURES}/${json}`);
    const plain = await raw(`${base}/${json}`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(file)).toBe(true);
    const range = await raw(`${base}/${json}`, { 'accept-encoding': 'gzip', range: 'bytes=0-9' });
    expect(range.status).toBe(206);
    expect(range.headers['content-encoding']).toBeUndefined();
    expect(range.body.equals(file.subarray(0, 10))).toBe(true);
    const slide = await raw(`${base}/real/CMU-1-Small-Region.svs`, { 'accept-encoding': 'gzip' });
    expect(slide.headers['content-encoding']).toBeUndefined();
    expect(slide.body.equals(readFileSync(`${FIXTURES}/real/CMU-1-Small-Region.svs`))).toBe(true);
  });
});
