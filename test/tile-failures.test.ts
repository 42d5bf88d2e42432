import { describe, expect, it } from 'vitest';
import { TileFailures } from '../src/viewer/tile-failures.js';

const policy = () => new TileFailures({ retryMs: 5_000, workerRetries: 2 });

describe('tile failures: what is retried, when, and when the banner shows', () => {
  it('a transient network failure is retried after the pause, and the banner clears when the tile loads', () => {
    const p = policy();
    p.failed('0/1/1', 'http_503');
    expect(p.bannerVisible).toBe(true);
    expect(p.takeRetry('0/1/1')).toBe(5_000);
    expect(p.retryWaiting).toBe(true);
    // The failure is taken once: OpenSeadragon reporting the same tile again without a new failure plans nothing.
    expect(p.takeRetry('0/1/1')).toBeUndefined();
    p.retryDue();
    expect(p.retryWaiting).toBe(false);
    p.loaded('0/1/1');
    expect(p.bannerVisible).toBe(false);
  });

  for (const code of ['network', 'truncated', 'http_500', 'http_502', 'http_429', 'http_408']) {
    it(`${code} counts as the network's fault`, () => {
      const p = policy();
      p.failed('k', code);
      expect(p.takeRetry('k')).toBe(5_000);
    });
  }

  it('a crashed worker: retried at once, twice, then given up for good (a tile that kills every worker)', () => {
    const p = policy();
    for (let i = 0; i < 2; i++) {
      p.failed('2/0/0', 'worker_failed');
      expect(p.takeRetry('2/0/0')).toBe(0);
      p.retryDue();
    }
    p.failed('2/0/0', 'worker_failed');
    expect(p.takeRetry('2/0/0')).toBeUndefined();
    expect(p.bannerVisible).toBe(true);
    // Given up is permanent: a settled view does not clear it.
    p.viewComplete();
    expect(p.bannerVisible).toBe(true);
  });

  it("worker retries are counted per tile: one tile's crashes do not use up another's", () => {
    const p = policy();
    for (let i = 0; i < 3; i++) p.failed('a', 'worker_failed');
    p.failed('b', 'worker_failed');
    expect(p.takeRetry('b')).toBe(0);
  });

  it('the network goes down and comes back: every tile retried while it lasts, the banner stays until the view is whole', () => {
    const p = policy();
    const tiles = ['0/0/0', '0/1/0', '0/0/1'];
    for (let round = 0; round < 3; round++) {
      for (const t of tiles) {
        p.failed(t, 'network');
        expect(p.takeRetry(t)).toBe(5_000);
      }
      // While retries wait, a view that counts as complete (every tile failed) does not hide the banner.
      p.viewComplete();
      expect(p.bannerVisible).toBe(true);
      for (const _ of tiles) p.retryDue();
    }
    // Back: two tiles load; the third is panned out of view and never needed again.
    p.loaded('0/0/0');
    p.loaded('0/1/0');
    expect(p.bannerVisible).toBe(true);
    p.viewComplete();
    expect(p.bannerVisible).toBe(false);
  });

  it('a permanent failure (damaged tile) is not retried, and keeps the banner after the view settles', () => {
    const p = policy();
    p.failed('0/3/3', 'corrupt');
    expect(p.takeRetry('0/3/3')).toBeUndefined();
    expect(p.retryWaiting).toBe(false);
    p.viewComplete();
    expect(p.bannerVisible).toBe(true);
    // Until that very tile loads (the file was fixed and reopened, say).
    p.loaded('0/3/3');
    expect(p.bannerVisible).toBe(false);
  });

  it('a permanent failure beside transient ones: the transient ones clear, the permanent one stays', () => {
    const p = policy();
    p.failed('a', 'http_503');
    p.failed('b', 'object_changed');
    p.takeRetry('a');
    p.retryDue();
    p.viewComplete();
    expect(p.bannerVisible).toBe(true);
    p.loaded('b');
    expect(p.bannerVisible).toBe(false);
  });
});
