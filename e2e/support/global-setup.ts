import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The browser tests run against built pages, never the dev server. */
export default function globalSetup(): void {
  const root = resolve(import.meta.dirname, '../..');
  execFileSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
