import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/support/fixtures.js';

/** Today's date as the results' files name it (UTC, YYYY-MM-DD). */
export const today = (): string => new Date().toISOString().slice(0, 10);

/** Writes `bench/results/<name>` (a JSON value is written indented), making the folder if it is missing. */
export function writeResult(name: string, content: string | object): void {
  const dir = join(REPO_ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), typeof content === 'string' ? `${content}\n` : `${JSON.stringify(content, null, 2)}\n`);
}
