import { describe, expect, it } from 'vitest';
import { cacheNote, forgetCached, mayBeCached, noteCached } from '../src/source/cache-hint.js';

/** A Storage with nothing but what the note uses, that can be made to refuse. */
function storage(refuse?: 'reads' | 'writes'): Storage {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => {
      if (refuse === 'reads') throw new DOMException('blocked', 'SecurityError');
      return items.get(key) ?? null;
    },
    setItem: (key: string, value: string) => {
      if (refuse === 'writes') throw new DOMException('full', 'QuotaExceededError');
      items.set(key, value);
    },
    removeItem: (key: string) => {
      if (refuse === 'writes') throw new DOMException('blocked', 'SecurityError');
      items.delete(key);
    },
  } as Storage;
}

describe('the synchronous note of slides kept in IndexedDB', () => {
  it('says no for a slide never noted, yes once noted, per database and slide', () => {
    const s = storage();
    expect(mayBeCached('wsi-stream', 'https://a/x.svs', s)).toBe(false);
    noteCached('wsi-stream', 'https://a/x.svs', {}, s);
    expect(mayBeCached('wsi-stream', 'https://a/x.svs', s)).toBe(true);
    expect(mayBeCached('other-db', 'https://a/x.svs', s)).toBe(false);
    expect(mayBeCached('wsi-stream', 'https://a/y.svs', s)).toBe(false);
  });

  it('cannot say (so IndexedDB is asked, as without it) where there is no storage or it refuses to be read', () => {
    expect(mayBeCached('wsi-stream', 'x', undefined)).toBeUndefined();
    expect(mayBeCached('wsi-stream', 'x', storage('reads'))).toBeUndefined();
  });

  it('a storage that refuses writes leaves the slide unnoted, without throwing', () => {
    const s = storage('writes');
    expect(() => noteCached('wsi-stream', 'x', { codec: 'jp2k' }, s)).not.toThrow();
    expect(mayBeCached('wsi-stream', 'x', s)).toBe(false);
  });

  it('keeps what an open learnt (size and ETag, codec) beside what it says already, per slide', () => {
    const s = storage();
    noteCached('wsi-stream', 'x', { manifest: { size: 1234, etag: '"e1"' } }, s);
    noteCached('wsi-stream', 'x', { codec: 'jp2k' }, s);
    expect(cacheNote('wsi-stream', 'x', s)).toEqual({ manifest: { size: 1234, etag: '"e1"' }, codec: 'jp2k' });
    noteCached('wsi-stream', 'x', { manifest: { size: 99, etag: '' } }, s);
    expect(cacheNote('wsi-stream', 'x', s)).toEqual({ manifest: { size: 99, etag: '' }, codec: 'jp2k' });
    // The viewer's note that it kept home-view pixels survives the open's later notes.
    noteCached('wsi-stream', 'x', { homeViewPixels: true }, s);
    noteCached('wsi-stream', 'x', { codec: 'jp2k' }, s);
    expect(cacheNote('wsi-stream', 'x', s)).toEqual({ manifest: { size: 99, etag: '' }, codec: 'jp2k', homeViewPixels: true });
    expect(cacheNote('wsi-stream', 'y', s)).toEqual({});
    expect(cacheNote('other-db', 'x', s)).toEqual({});
  });

  it('tells nothing of a note it cannot trust: an older one, one that does not parse, parts of the wrong type or an unknown codec', () => {
    const s = storage();
    const noted = (value: string) => {
      s.setItem('wsi-stream-cached|wsi-stream|x', value);
      return cacheNote('wsi-stream', 'x', s);
    };
    expect(noted('1')).toEqual({});
    expect(noted('{"manifest":')).toEqual({});
    expect(noted('null')).toEqual({});
    expect(noted('{"manifest":{"size":"12","etag":"e"},"codec":"jp2k"}')).toEqual({ codec: 'jp2k' });
    expect(noted('{"manifest":{"size":-1,"etag":"e"}}')).toEqual({});
    expect(noted('{"manifest":{"size":1.5,"etag":"e"}}')).toEqual({});
    expect(noted('{"manifest":{"size":12,"etag":7}}')).toEqual({});
    expect(noted('{"manifest":{"size":12,"etag":"e"},"codec":"gif"}')).toEqual({ manifest: { size: 12, etag: 'e' } });
    expect(noted('{"homeViewPixels":"yes"}')).toEqual({});
    // Still noted: IndexedDB is asked, as before.
    expect(mayBeCached('wsi-stream', 'x', s)).toBe(true);
    expect(cacheNote('wsi-stream', 'x', undefined)).toEqual({});
    expect(cacheNote('wsi-stream', 'x', storage('reads'))).toEqual({});
  });

  it('forgets a slide whose entries were dropped; a storage that refuses leaves the note, without throwing', () => {
    const s = storage();
    noteCached('wsi-stream', 'x', { codec: 'jpeg' }, s);
    forgetCached('wsi-stream', 'x', s);
    expect(mayBeCached('wsi-stream', 'x', s)).toBe(false);
    expect(() => forgetCached('wsi-stream', 'x', storage('writes'))).not.toThrow();
  });
});
