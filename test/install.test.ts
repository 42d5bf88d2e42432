import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from './support/fixtures.js';

const ROOT = resolve(import.meta.dirname, '..');
/** Installs come from the npm cache `npm ci` filled, and the registry for anything else (another platform's binaries). */
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

function npm(args: string[], cwd: string): void {
  execFileSync('npm', [...args, ...NPM_FLAGS], { cwd, stdio: ['ignore', 'ignore', 'pipe'], shell: process.platform === 'win32' });
}

/** Bytes under a folder, counted by walking it (du differs between platforms). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

describe("the project's own install on another platform", () => {
  it('npm ci for macOS arm64 with our lockfile links no node binary into node_modules/.bin (every npm script would run on it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsi-ci-darwin-'));
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    copyFileSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
    npm(['ci', '--os=darwin', '--cpu=arm64', '--ignore-scripts'], dir);
    const bin = readdirSync(join(dir, 'node_modules/.bin'));
    expect(bin.length).toBeGreaterThan(10);
    expect(bin.filter((name) => /^node(\.exe|\.cmd)?$/.test(name))).toEqual([]);
  }, 300_000);
});

describe('a browser app that installs the packed package', () => {
  let app: string;
  beforeAll(() => {
    const pack = mkdtempSync(join(tmpdir(), 'wsi-pack-'));
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', pack], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as [{ filename: string }];
    app = mkdtempSync(join(tmpdir(), 'wsi-app-'));
    const openseadragon = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies
      .openseadragon;
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { 'wsi-stream': `file:${join(pack, filename)}`, openseadragon } }),
    );
    npm(['install', '--ignore-scripts'], app);
  }, 300_000);

  it('gets no native binary and no AWS SDK: sharp, @img/* and @aws-sdk/* are optional peers', () => {
    const modules = readdirSync(join(app, 'node_modules'));
    expect(modules.filter((name) => name === 'sharp' || name === '@img' || name === '@aws-sdk' || /^node-(linux|darwin|win)-/.test(name))).toEqual([]);
    expect(existsSync(join(app, 'node_modules/wsi-stream/dist/browser/viewer.js'))).toBe(true);
    console.info(`clean browser app: node_modules ${(folderBytes(join(app, 'node_modules')) / 1e6).toFixed(1)} MB`);
  });

  it('resolves wsi-stream/viewer to the browser bundle', () => {
    const resolved = execFileSync(process.execPath, ['--input-type=module', '-e', "process.stdout.write(import.meta.resolve('wsi-stream/viewer'))"], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(resolved).toMatch(/node_modules\/wsi-stream\/dist\/browser\/viewer\.js$/);
  });

  it('wsi-stream/sidecar without sharp fails with a missing_dependency error naming it', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "try { await import('wsi-stream/sidecar'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }",
      ],
      { cwd: app, encoding: 'utf8' },
    );
    const error = JSON.parse(run.stdout) as { code: string; message: string };
    expect(error.code).toBe('missing_dependency');
    expect(error.message).toMatch(/needs the package "sharp", which is not installed\. Install it beside wsi-stream: npm install sharp/);
  });

  it('the CLI reads a local slide without sharp or the AWS SDK, and names sharp when a command needs it', () => {
    const bin = join(app, 'node_modules/wsi-stream/bin/wsi-stream.js');
    const info = spawnSync(process.execPath, [bin, 'info', fixturePath('CMU-1-Small-Region.svs'), '--json'], { encoding: 'utf8' });
    expect([info.status, info.stderr]).toEqual([0, '']);
    expect(JSON.parse(info.stdout)).toMatchObject({ format: 'aperio-svs', width: 2220 });
    const png = spawnSync(process.execPath, [bin, 'tile', fixturePath('CMU-1-Small-Region.svs'), '0', '0', '0', '--png', '--out', join(app, 't.png')], {
      encoding: 'utf8',
    });
    expect(png.status).toBe(1);
    expect(png.stderr).toMatch(/^wsi-stream: missing_dependency: .*npm install sharp\n$/);
    const s3 = spawnSync(process.execPath, [bin, 'info', 's3://bucket/slide.svs'], { encoding: 'utf8' });
    expect(s3.stderr).toMatch(/^wsi-stream: missing_dependency: Reading s3:\/\/ slides needs the package "@aws-sdk\/(client-s3|s3-request-presigner)"/);
  });
});
