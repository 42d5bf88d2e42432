import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './support/fixtures.js';

/**
 * The CLI tests run the published entry point (bin → dist), and the sidecar tests serve the built viewer
 * page: build both from the current sources first.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'], { cwd: REPO_ROOT, stdio: 'inherit' });
}
