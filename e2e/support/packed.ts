import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
/** Where the examples are built: their imports of `wsi-stream` find the packed package in node_modules here. */
export const EXAMPLES_DIR = resolve(ROOT, 'build/examples');

/**
 * Packs the library as npm would publish it and installs the tarball under build/examples/node_modules, so the
 * examples are built against what users get (exports map, types, bundles), never against the sources.
 * Their other dependencies (react, vue, openseadragon) resolve from the repository's node_modules above.
 */
export function installPackedLibrary(): void {
  rmSync(EXAMPLES_DIR, { recursive: true, force: true });
  const packDir = resolve(EXAMPLES_DIR, 'pack');
  mkdirSync(packDir, { recursive: true });
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
  ) as [{ filename: string }];
  const target = resolve(EXAMPLES_DIR, 'node_modules/wsi-stream');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', resolve(packDir, packed.filename), '-C', target, '--strip-components=1']);
}

/** Copies an example beside the installed package and returns its directory. */
export function stageExample(name: string): string {
  const dir = resolve(EXAMPLES_DIR, name);
  cpSync(resolve(ROOT, 'examples', name), dir, { recursive: true });
  return dir;
}
