import { afterAll } from 'vitest';
import { createSidecar, type Sidecar } from '../../src/sidecar/server.js';
import type { SidecarOptions } from '../../src/sidecar/options.js';
import { REPO_ROOT } from './fixtures.js';

const running: Sidecar[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** A sidecar on a free loopback port with the built pages, closed after the test file. */
export async function startSidecar(options: SidecarOptions): Promise<{ url: string; sidecar: Sidecar; log: string[] }> {
  const log: string[] = [];
  const sidecar = createSidecar({ host: '127.0.0.1', port: 0, pagesDir: `${REPO_ROOT}/build/pages`, log: (l) => log.push(l), ...options });
  running.push(sidecar);
  return { url: await sidecar.listen(), sidecar, log };
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read any field of the JSON answers and assert on it.
export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json(), headers: response.headers };
}
