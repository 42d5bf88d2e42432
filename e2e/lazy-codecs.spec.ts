import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

/** The codec and colour modules a page fetched: their chunks and WASM, by the names the bundler keeps. */
const LAZY = /(openjpeg|openjph|charls|lcms)[^/]*\.(js|wasm)$/i;

/** Opens a slide in the harness viewer, waits until its view is drawn, and returns the lazy modules fetched meanwhile. */
async function lazyModulesFetched(page: Page, url: string, options: object = {}): Promise<string[]> {
  const fetched: string[] = [];
  // The context sees the decode workers' requests too.
  const listen = (request: { url(): string }) => {
    const match = LAZY.exec(new URL(request.url()).pathname);
    if (match) fetched.push(match[0].replace(/-[\w-]+\./, '.'));
  };
  page.context().on('request', listen);
  await page.evaluate(
    async ({ url, options }) => {
      const w = window as any;
      w.lazyViewer?.destroy();
      w.lazyViewer = await harness.createViewer(document.getElementById('viewer'), url, { navigator: false, osd: { animationTime: 0 }, ...options });
      await new Promise<void>((resolve) => {
        const check = () => (w.lazyViewer.osd.world.getItemAt(0).getFullyLoaded() ? resolve() : setTimeout(check, 30));
        check();
      });
    },
    { url, options },
  );
  page.context().off('request', listen);
  return [...new Set(fetched)].sort();
}

test.describe('codecs and LittleCMS load only for the slides that need them', () => {
  test('a JPEG slide without a profile fetches no WASM codec and no LittleCMS', async ({ harness: page, servers }) => {
    expect(await lazyModulesFetched(page, servers.slideUrl('CMU-1-Small-Region.svs'))).toEqual([]);
  });

  test('a JPEG 2000 slide fetches OpenJPEG and nothing else', async ({ harness: page, servers }) => {
    const fetched = await lazyModulesFetched(page, servers.slideUrl('aperio-jp2k-33005-256.svs'));
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.every((name) => name.startsWith('openjpeg'))).toBe(true);
  });

  test('a slide with a profile fetches LittleCMS with colour management on, and not with it off', async ({ harness: page, servers }) => {
    const url = servers.slideUrl('icc-prophoto-cmu.tif');
    expect(await lazyModulesFetched(page, url, { colour: 'none' })).toEqual([]);
    const managed = await lazyModulesFetched(page, url);
    expect(managed.length).toBeGreaterThan(0);
    expect(managed.every((name) => name.startsWith('lcms'))).toBe(true);
  });
});
