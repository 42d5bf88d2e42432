import { describe, expect, it } from 'vitest';
import { HttpSource, SlideError } from '../src/index.js';

// Larger than the probe (HEAD_READ_AHEAD), so reads at 12,000 go to the network.
const FILE = Uint8Array.from({ length: 20_000 }, (_, i) => i % 251);

/** A faithful Range answer from FILE. */
function partial(range: string): Response {
  const [, a, b] = /bytes=(\d+)-(\d+)/.exec(range)!;
  const start = Number(a);
  const end = Math.min(Number(b), FILE.length - 1);
  return new Response(FILE.slice(start, end + 1), { status: 206, headers: { 'Content-Range': `bytes ${start}-${end}/${FILE.length}`, ETag: '"v1"' } });
}

type Fault = (range: string, signal: AbortSignal) => Promise<Response> | Response;

/** A fetch that plays the given faults, one per call (undefined: a faithful answer), then answers faithfully; it counts calls. */
function faultyFetch(faults: Array<Fault | undefined>): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    fetch: async (_url, init) => {
      calls++;
      const range = new Headers(init?.headers).get('range') ?? '';
      const fault = faults.shift();
      return fault ? fault(range, init!.signal!) : partial(range);
    },
  };
}

const status =
  (code: number): Fault =>
  () =>
    new Response('failed', { status: code });
const reset: Fault = () => Promise.reject(new TypeError('Failed to fetch (connection reset)'));
const stall: Fault = (_range, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
const shortBody: Fault = (range) => {
  const answer = partial(range);
  return answer.arrayBuffer().then((b) => new Response(b.slice(0, 10), { status: 206, headers: answer.headers }));
};
/** Headers arrive, then the body stops mid-stream. */
const cutBody: Fault = (range) => {
  const answer = partial(range);
  const body = new ReadableStream({
    start(controller) {
      controller.enqueue(new Uint8Array(5));
      controller.error(new TypeError('network error'));
    },
  });
  return new Response(body, { status: 206, headers: answer.headers });
};

const quick = { retry: { baseDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 200 };

describe('HttpSource retries transient failures with back-off', () => {
  for (const [name, fault] of [
    ['503', status(503)],
    ['502', status(502)],
    ['429', status(429)],
    ['a connection reset', reset],
    ['a stalled connection', stall],
    ['a truncated body', shortBody],
    ['a body cut off mid-stream', cutBody],
  ] as const) {
    it(`recovers from ${name} and returns the right bytes`, async () => {
      // The probe is answered; the read then meets the fault twice.
      const net = faultyFetch([undefined, fault, fault]);
      const source = new HttpSource('https://slides.test/a.svs', { ...quick, fetch: net.fetch });
      expect(await source.read(12_000, 1_000)).toEqual(FILE.slice(12_000, 13_000));
      expect(source.stats.retries).toBe(2);
      expect(net.calls()).toBe(4);
    });
  }

  it('gives up after the attempts allowed, with the last error', async () => {
    const net = faultyFetch([undefined, status(503), status(503), status(503), status(503)]);
    const source = new HttpSource('https://slides.test/a.svs', { ...quick, retry: { ...quick.retry, attempts: 3 }, fetch: net.fetch });
    const error = await source.read(12_000, 100).catch((e: unknown) => e);
    expect(SlideError.is(error) && error.code).toBe('http_503');
    // One probe, then three tries of the read.
    expect(net.calls()).toBe(4);
  });

  for (const [name, code, fault] of [
    ['404', 'http_404', status(404)],
    ['a server that ignores Range', 'range_unsupported', () => new Response(FILE, { status: 200, headers: { 'Content-Length': String(FILE.length) } })],
    [
      'an object replaced mid-session',
      'object_changed',
      (range: string) =>
        new Response(partial(range).body, { status: 206, headers: { 'Content-Range': partial(range).headers.get('content-range')!, ETag: '"v2"' } }),
    ],
  ] as const) {
    it(`does not retry ${name}: ${code} at once`, async () => {
      const net = faultyFetch([undefined, fault]);
      const source = new HttpSource('https://slides.test/a.svs', { ...quick, fetch: net.fetch });
      const error = await source.read(12_000, 100).catch((e: unknown) => e);
      expect(SlideError.is(error) && error.code).toBe(code);
      expect(net.calls()).toBe(2);
      expect(source.stats.retries).toBe(0);
    });
  }

  it('stops waiting when the caller aborts during a back-off', async () => {
    let calls = 0;
    const source = new HttpSource('https://slides.test/a.svs', {
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
      fetch: async (_u, init) => (calls++ === 0 ? partial(new Headers(init?.headers).get('range')!) : new Response('', { status: 503 })),
    });
    await source.size();
    const controller = new AbortController();
    const read = source.read(12_000, 100, { signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const error = await read;
    expect(SlideError.is(error) && error.code).toBe('aborted');
    expect(calls).toBe(2);
  });
});
