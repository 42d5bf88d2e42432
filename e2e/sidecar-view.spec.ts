import { relative } from 'node:path';
import type { Page } from '@playwright/test';
import { createSidecar } from '../src/sidecar/server.js';
import { FolderStore } from '../src/sidecar/folder-store.js';
import { signUrl } from '../src/sidecar/signature.js';
import { FIXTURES, REPO_ROOT, fixture } from '../test/support/fixtures.js';
import { expect, test } from './support/fixtures.js';

const SECRET = 'view-page-secret';

/** The sidecar's own viewer page for a slide, opened by a signed link as a LIMS would hand it out; waits for the view. */
async function openView(page: Page, base: string, id: string, params: Record<string, string> = {}) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}${signUrl(SECRET, `/view/${encodeURIComponent(id)}`, 600, params).url}`);
  await expect(page).toHaveTitle(`${id} — wsi-stream`, { timeout: 30_000 });
  await page.waitForFunction(() => (window as any).wsiViewer?.osd.world.getItemAt(0)?.getFullyLoaded(), undefined, { timeout: 30_000 });
  const result = await page.evaluate(() => ({ ...(window as any).wsiViewer.stats(), format: (window as any).wsiViewer.slide.format }));
  // The page's own error banner (the viewer keeps a hidden alert region of its own).
  expect(await page.locator('body > [role="alert"]').count()).toBe(0);
  return { ...result, errors };
}

test.describe('the sidecar’s /view page, auth on', () => {
  let base: string;
  let close: () => Promise<void>;
  test.beforeAll(async () => {
    const sidecar = createSidecar({ store: new FolderStore(FIXTURES), host: '127.0.0.1', port: 0, authSecret: SECRET, pagesDir: `${REPO_ROOT}/build/pages` });
    base = await sidecar.listen();
    close = () => sidecar.close();
  });
  test.afterAll(async () => close?.());

  test('shows a slide file, read straight from the folder through signed /raw URLs', async ({ page }) => {
    const id = relative(FIXTURES, fixture('CMU-1-Small-Region.svs').path);
    const view = await openView(page, base, id);
    expect([view.format, view.tilesFailed, view.errors]).toEqual(['aperio-svs', 0, []]);
    expect(view.tilesLoaded).toBeGreaterThan(0);
  });

  test('shows a DICOM series folder, its instances read through one signed URL each', async ({ page }, testInfo) => {
    const id = relative(FIXTURES, fixture('cmu-dicomizer').path);
    const view = await openView(page, base, id);
    expect([view.format, view.tilesFailed, view.errors]).toEqual(['dicom', 0, []]);
    expect(view.tilesLoaded).toBeGreaterThan(0);
    await page.screenshot({ path: testInfo.outputPath('view-dicom-series.png') });
  });

  test('draws annotations saved by the sidecar under the page’s own token, by the author in the link, never running what it embeds', async ({ page }) => {
    const id = relative(FIXTURES, fixture('CMU-1-Small-Region.svs').path);
    const author = 'dr </script><script>window.pwned = 1</script>';
    await openView(page, base, id, { author_id: author });
    expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
    expect(await page.evaluate(() => (window as any).wsiViewer.annotations.storage)).toBe(`sidecar ${base}/`);
    await page.evaluate(async () => {
      const ann = (window as any).wsiViewer.annotations;
      await ann.loaded;
      ann.add({ id: 'from-view', geometry: { kind: 'rectangle', x: 10, y: 20, width: 30, height: 40 }, label: 'seen' });
      await ann.flush();
    });
    const path = `/slides/${encodeURIComponent(id)}/annotations`;
    const stored = await (await fetch(`${base}${signUrl(SECRET, path, 60).url}`)).json();
    expect(stored).toMatchObject([{ id: 'from-view', label: 'seen', author_id: author, geometry: { kind: 'rectangle', x: 10 } }]);
  });
});
