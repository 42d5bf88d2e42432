import { describe, expect, it } from 'vitest';
import { FrameBatcher } from '../src/dicom/frame-batcher.js';
import { multipartParts } from '../src/dicom/multipart.js';

const BOUNDARY = 'b0undary';
const encode = (text: string) => new TextEncoder().encode(text);

/** A multipart/related body as a WADO-RS server writes it: CRLF before every delimiter, a closing one with "--". */
function body(parts: Array<{ bytes: Uint8Array; syntax?: string }>, close = true): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    chunks.push(
      encode(`--${BOUNDARY}\r\nContent-Type: application/octet-stream${p.syntax ? `; transfer-syntax=${p.syntax}` : ''}\r\n\r\n`),
      p.bytes,
      encode('\r\n'),
    );
  }
  if (close) chunks.push(encode(`--${BOUNDARY}--\r\n`));
  return Uint8Array.from(chunks.flatMap((c) => [...c]));
}

describe('WADO-RS multipart answers', () => {
  const type = `multipart/related; type="application/octet-stream"; boundary=${BOUNDARY}`;
  // Frame bytes that hold CRLFs, a bare "--" and the boundary's start: only the whole delimiter ends a part.
  const frames = [encode('\r\n--b0und\r\n\r\nA'), new Uint8Array([0xff, 0xd8, 13, 10, 0x2d, 0x2d, 0xff, 0xd9]), encode('C')];

  it('splits every part out, in order, each with the transfer syntax its own headers name', () => {
    const parts = multipartParts(body(frames.map((bytes, i) => ({ bytes, ...(i === 1 ? { syntax: '1.2.840.10008.1.2.4.50' } : {}) }))), type, 'u');
    expect(parts.map((p) => [...p.bytes])).toEqual(frames.map((f) => [...f]));
    expect(parts.map((p) => p.transferSyntax)).toEqual([undefined, '1.2.840.10008.1.2.4.50', undefined]);
  });

  it('a body cut short keeps the parts it has; one without any part is corrupt; a single-part answer is its body', () => {
    expect(
      multipartParts(
        body(
          frames.map((bytes) => ({ bytes })),
          false,
        ).subarray(0, -3),
        type,
        'u',
      ).length,
    ).toBe(3);
    expect(() => multipartParts(encode('not multipart at all'), type, 'u')).toThrow(expect.objectContaining({ code: 'corrupt' }));
    expect(multipartParts(frames[2]!, 'application/octet-stream; transfer-syntax=1.2.3', 'u')).toEqual([{ bytes: frames[2], transferSyntax: '1.2.3' }]);
  });
});

describe('frames of one instance batched into one request', () => {
  it('frames wanted in one task make one request of the distinct frames, in order; each caller gets its own', async () => {
    const asked: number[][] = [];
    const batcher = new FrameBatcher(async (frames) => {
      asked.push(frames);
      return frames.map((f) => ({ bytes: new Uint8Array([f]) }));
    }, 'test');
    const got = await Promise.all([5, 2, 5, 9].map((f) => batcher.read(f)));
    expect(asked).toEqual([[2, 5, 9]]);
    expect(got.map((g) => g.bytes[0])).toEqual([5, 2, 5, 9]);
  });

  it('the request is aborted only when every frame in it is no longer wanted', async () => {
    const signals: AbortSignal[] = [];
    const batcher = new FrameBatcher((frames, signal) => {
      signals.push(signal);
      return new Promise((resolve) => setTimeout(() => resolve(frames.map(() => ({ bytes: new Uint8Array(1) }))), 20));
    }, 'test');
    const [a, b] = [new AbortController(), new AbortController()];
    const first = batcher.read(1, { signal: a.signal });
    const second = batcher.read(2, { signal: b.signal });
    await new Promise((r) => setTimeout(r, 1));
    a.abort();
    await expect(first).rejects.toMatchObject({ code: 'aborted' });
    expect(signals[0]!.aborted).toBe(false);
    b.abort();
    expect(signals[0]!.aborted).toBe(true);
    await expect(second).rejects.toMatchObject({ code: 'aborted' });
  });

  it('a server that answers fewer frames than asked for fails them as corrupt', async () => {
    const batcher = new FrameBatcher(async () => [{ bytes: new Uint8Array(1) }], 'test');
    await expect(Promise.all([batcher.read(1), batcher.read(2)])).rejects.toMatchObject({ code: 'corrupt' });
  });
});
