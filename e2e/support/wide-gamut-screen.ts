import type { Page } from '@playwright/test';

/** The page as on a wide-gamut screen: `(color-gamut: p3)` matches (CDP's media emulation; headless Chromium says sRGB). */
export async function onWideGamutScreen(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setEmulatedMedia', { features: [{ name: 'color-gamut', value: 'p3' }] });
}
