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

  it('includes the decode worker, the WASM it runs as files beside the bundles, the script-tag build and the sidecar viewer page', () => {
    const worker = files.find((f) => /^dist\/browser\/assets\/decode\.worker-[\w-]+\.js$/.test(f.path));
    expect(worker).toBeDefined();
    // The page compiles the WASM the workers run (OpenJPEG for JPEG 2000, OpenJPH for HTJ2K, CharLS for JPEG-LS,
    // LittleCMS for ICC profiles) and hands it to them, so the worker carries none of it (it was 1.57 MB with it).
    const workerText = readFileSync(resolve(ROOT, worker!.path), 'utf8');
    expect(workerText.match(/data:application\/wasm;base64,AGFzbQ[A-Za-z0-9+/]{64}/g) ?? []).toEqual([]);
    expect(worker!.size).toBeLessThan(300_000);
    // Each is a file both bundles find beside themselves, the way an app's bundler finds and copies it.
    const viewer = readFileSync(resolve(ROOT, 'dist/browser/viewer.js'), 'utf8');
    const iife = readFileSync(resolve(ROOT, 'dist/browser/wsi-stream.iife.js'), 'utf8');
    for (const wasm of ['openjpegwasm_decode.wasm', 'openjphjs.wasm', 'charlswasm_decode.wasm', 'lcms.wasm']) {
      expect(paths.has(`dist/browser/${wasm}`), wasm).toBe(true);
      expect(viewer).toContain(`new URL("${wasm}", import.meta.url)`);
      expect(iife).toMatch(new RegExp(`new URL\\(\`${wasm.replace('.', '\\.')}\`,document\\.currentScript`));
    }
    expect(paths.has('dist/browser/wsi-stream.iife.js')).toBe(true);
    expect(paths.has('dist/pages/view/index.html')).toBe(true);
    expect(files.some((f) => /^dist\/pages\/assets\/.+\.wasm$/.test(f.path))).toBe(true);
    expect(paths.has('bin/wsi-stream.js')).toBe(true);
  });
});
