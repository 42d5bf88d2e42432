import { describe, expect, it } from 'vitest';
import { mayBeCached, noteCached } from '../src/source/cache-hint.js';

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
  } as Storage;
}

describe('the synchronous note of slides kept in IndexedDB', () => {
  it('says no for a slide never noted, yes once noted, per database and slide', () => {
    const s = storage();
    expect(mayBeCached('wsi-stream', 'https://a/x.svs', s)).toBe(false);
    noteCached('wsi-stream', 'https://a/x.svs', s);
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
    expect(() => noteCached('wsi-stream', 'x', s)).not.toThrow();
    expect(mayBeCached('wsi-stream', 'x', s)).toBe(false);
  });
});
