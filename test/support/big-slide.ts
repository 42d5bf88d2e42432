import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, REPO_ROOT } from './fixtures.js';

/**
 * A make-big-slide.sh output (N=11 ≈ 190 MB in seconds, N=40 ≈ 2.6 GB), made once with libvips and kept in
 * bench/.slides; tests and benchmarks share it. `.ci/run` installs libvips-tools.
 */
export function bigSlide(n: number): { name: string; dir: string; file: string; path: string } {
  const dir = join(REPO_ROOT, 'bench/.slides');
  const file = `big-${n}.tif`;
  if (!existsSync(join(dir, file))) {
    mkdirSync(dir, { recursive: true });
    console.log(`making ${file} with make-big-slide.sh ${n} (libvips)…`);
    execFileSync(join(FIXTURES, '../tools/make-big-slide.sh'), [join(dir, file), String(n)], { stdio: 'inherit' });
  }
  return { name: `make-big-slide N=${n}`, dir, file, path: join(dir, file) };
}
