import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

interface PackedFile {
  path: string;
  size: number;
}

/** What `npm publish` would upload; dist/ is built by `npm ci` (prepare), not here, so no other test sees it half-written. */
function packedFiles(): PackedFile[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as [{ files: PackedFile[] }])[0].files;
}

function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Object.values(value as Record<string, unknown>).flatMap(exportTargets);
}

describe('npm package contents', () => {
  let files: PackedFile[];
  let paths: Set<string>;
  beforeAll(() => {
    files = packedFiles();
    paths = new Set(files.map((f) => f.path));
  }, 120_000);

  it('carries no fixtures, tests, benchmarks or sources', () => {
    const unwanted = files.filter(
      (f) =>
        /^(test|e2e|bench|demo|examples|src|workers|scripts|build)\//.test(f.path) ||
        /\.(svs|tiff?|ndpi|png)$/i.test(f.path) ||
        /\.test\.|\.spec\./.test(f.path),
    );
    expect(unwanted.map((f) => f.path)).toEqual([]);
  });

  it('has types for every entry and a file for every export', async () => {
    const { exports } = (await import(resolve(ROOT, 'package.json'), { with: { type: 'json' } })).default as { exports: Record<string, unknown> };
    for (const entry of ['.', './viewer', './s3', './node', './sidecar', './annotations'])
      expect(exportTargets((exports[entry] as { types: string }).types)).not.toEqual([]);
    const missing = Object.values(exports)
      .flatMap(exportTargets)
      .map((target) => target.replace(/^\.\//, ''))
      .filter((target) => !paths.has(target));
    expect(missing).toEqual([]);
  });

  it('includes the decode worker with its WASM (JPEG 2000, HTJ2K, JPEG-LS, ICC colour), the script-tag build and the sidecar viewer page', () => {
    const worker = files.find((f) => /^dist\/browser\/assets\/decode\.worker-[\w-]+\.js$/.test(f.path));
    expect(worker).toBeDefined();
    // The WASM travels inside the worker (a data URL), so a bundler that copies the worker copies the decoder too.
    // Four WASM modules, each exactly once: OpenJPEG (JPEG 2000), OpenJPH (HTJ2K), CharLS (JPEG-LS) and LittleCMS (ICC colour), each loaded on first use.
    const inlined = readFileSync(resolve(ROOT, worker!.path), 'utf8').match(/data:application\/wasm;base64,AGFzbQ[A-Za-z0-9+/]{64}/g) ?? [];
    expect(inlined.length).toBe(4);
    expect(new Set(inlined).size).toBe(4);
    expect(paths.has('dist/browser/wsi-stream.iife.js')).toBe(true);
    expect(paths.has('dist/pages/view/index.html')).toBe(true);
    expect(files.some((f) => /^dist\/pages\/assets\/.+\.wasm$/.test(f.path))).toBe(true);
    expect(paths.has('bin/wsi-stream.js')).toBe(true);
  });
});
