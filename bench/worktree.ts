import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../test/support/fixtures.js';

/**
 * Another commit of this repository checked out beside it (a detached git worktree in a temporary folder) with this
 * checkout's node_modules, for benchmarks that build and compare two commits' pages in one run. `remove` deletes it and
 * its temporary folder.
 * A commit whose dependencies differ from this checkout's may not build; the build's error says so.
 */
export function worktreeAt(rev: string): { dir: string; remove(): void } {
  const dir = join(mkdtempSync(join(tmpdir(), 'wsi-stream-worktree-')), 'repo');
  execFileSync('git', ['worktree', 'add', '--detach', dir, rev], { cwd: REPO_ROOT, stdio: 'ignore' });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'junction');
  const remove = () => {
    execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: REPO_ROOT, stdio: 'ignore' });
    rmSync(dirname(dir), { recursive: true, force: true });
  };
  return { dir, remove };
}
