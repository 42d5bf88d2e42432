import { test as base, expect, type Page } from '@playwright/test';
import { resolve } from 'node:path';
import { FIXTURES, fixture } from '../../test/support/fixtures.js';
import { RangeServer } from '../../test/support/range-server.js';
import { startS3Server, type S3TestServer } from '../../test/support/s3-server.js';

interface Servers {
  /** Built pages, one origin. */
  pages: string;
  /** Fixtures by directory ('real', 'generated') on another origin, with Range and CORS. */
  slides: Record<'real' | 'generated', { url: string; server: RangeServer }>;
  /** URL of a fixture by name (file or series folder), from the catalogue: never guessed from the name. */
  slideUrl(name: string): string;
}

/** Worker-scoped servers (the S3 server only for tests that ask for it) and a page with the harness loaded. */
export const test = base.extend<{ harness: Page }, { servers: Servers; s3: S3TestServer }>({
  s3: [
    async ({}, use) => {
      const s3 = await startS3Server();
      await use(s3);
      await s3.stop();
    },
    { scope: 'worker' },
  ],
  servers: [
    async ({}, use) => {
      const pages = new RangeServer({ root: resolve(import.meta.dirname, '../../build/pages') });
      const pagesUrl = await pages.start();
      const slides = {} as Servers['slides'];
      for (const dir of ['real', 'generated'] as const) {
        const server = new RangeServer({ root: `${FIXTURES}/${dir}` });
        slides[dir] = { url: await server.start(), server };
      }
      const slideUrl = (name: string) => {
        const [top, ...rest] = fixture(name).id.split('/');
        return `${slides[top as keyof typeof slides].url}/${rest.map(encodeURIComponent).join('/')}`;
      };
      await use({ pages: pagesUrl, slides, slideUrl });
      await pages.stop();
      for (const s of Object.values(slides)) await s.server.stop();
    },
    { scope: 'worker' },
  ],
  harness: async ({ page, servers }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${servers.pages}/e2e/harness/index.html`);
    await expect(page).toHaveTitle('ready');
    await use(page);
    expect(errors).toEqual([]);
  },
});

export { expect };
