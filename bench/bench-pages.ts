import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RangeServer } from '../test/support/range-server.js';
import { FIXTURES, REPO_ROOT } from '../test/support/fixtures.js';
import { copyPeerAssets } from './dicom-rows.js';

/** Builds the benchmark pages (ours and the peers') and serves them; the caller stops the server. */
export async function serveBenchPages(): Promise<{ server: RangeServer; url: string }> {
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'bench/vite.config.ts', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  copyPeerAssets(join(REPO_ROOT, 'build/bench'));
  const server = new RangeServer({ root: join(REPO_ROOT, 'build/bench'), log: false });
  return { server, url: await server.start() };
}

/** A make-big-slide.sh output (N=11 ≈ 190 MB, N=40 ≈ 2.6 GB), made once and kept in bench/.slides. */
export function bigSlide(n: number): { name: string; dir: string; file: string } {
  const dir = join(REPO_ROOT, 'bench/.slides');
  const file = `big-${n}.tif`;
  if (!existsSync(join(dir, file))) {
    mkdirSync(dir, { recursive: true });
    console.log(`making ${file} with make-big-slide.sh ${n} (libvips)…`);
    execFileSync(join(FIXTURES, '../tools/make-big-slide.sh'), [join(dir, file), String(n)], { stdio: 'inherit' });
  }
  return { name: `make-big-slide N=${n}`, dir, file };
}
