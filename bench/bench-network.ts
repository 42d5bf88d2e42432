import type { CDPSession, Page } from '@playwright/test';

/**
 * A bench page's network, as every bench sets it: the HTTP cache off (each visit fetches what a first visit would)
 * and, given conditions, CDP's latency and bandwidth on the page's requests. Returns the CDP session.
 */
export async function benchNetwork(page: Page, conditions?: { latencyMs: number; mbps: number }): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (conditions) {
    const bytesPerSecond = (conditions.mbps * 1e6) / 8;
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: conditions.latencyMs,
      downloadThroughput: bytesPerSecond,
      uploadThroughput: bytesPerSecond,
    });
  }
  return cdp;
}

/** Navigates and resolves whether the bench page said it showed its first full viewport (false: its error, or no word in time). */
export async function waitShown(page: Page, navigate: () => Promise<unknown>, timeoutMs = 60_000): Promise<boolean> {
  const told = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('wsi-bench:'), timeout: timeoutMs }).then(
    (message) => message.text() === 'wsi-bench:shown',
    () => false,
  );
  await navigate();
  return told;
}

/**
 * A warm reload: the same page again, IndexedDB kept, and its first full viewport (ms from navigation) with the slide
 * requests `requests()` counted meanwhile; undefined when the page did not show it. It waits a second first, as a
 * reader would: the last tiles' cache writes reach IndexedDB 100–200 ms after their reads (the main thread is busy
 * drawing then), and a reload at the very moment the view appears aborts them, so the DICOM Part 10 rows counted 3–5
 * requests on reload that a flushed cache does not make.
 */
export async function warmReload(page: Page, requests: () => number): Promise<{ viewportMs: number; requests: number } | undefined> {
  await page.waitForTimeout(1000);
  const before = requests();
  if (!(await waitShown(page, () => page.reload()))) return undefined;
  const viewportMs = await page.evaluate(() => (window as any).bench.marks.fullViewport as number);
  return { viewportMs, requests: requests() - before };
}
