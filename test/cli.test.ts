import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { difference, withinTolerance } from './support/compare.js';
import { fixturePath, REPO_ROOT, referenceJson, referencePng, references } from './support/fixtures.js';
import { crop, djpegRgb, maxAbsDiff, readPngRgb } from './support/images.js';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'bin/wsi-stream.js');
const out = mkdtempSync(join(tmpdir(), 'wsi-cli-'));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const jpegFixtures = references.filter((r) => r.tiff_pages?.[0]?.compression === 7 && r.reference_tiles?.length);

describe('wsi-stream tile: standalone JPEGs that libjpeg-turbo decodes to the reference pixels', () => {
  it('covers the RGB (Adobe marker) and the YCbCr case', () => {
    expect(jpegFixtures.map((r) => r.tiff_pages![0]!.photometric).sort()).toEqual(expect.arrayContaining([2, 6]));
  });
  for (const ref of jpegFixtures) {
    for (const tile of ref.reference_tiles!) {
      it(`${ref.file} L${tile.level} (${tile.x}, ${tile.y})`, async () => {
        const file = join(out, `${ref.file}-${tile.level}-${tile.x}-${tile.y}.jpg`);
        const result = await cli('tile', fixturePath(ref.file), String(tile.level), String(tile.x), String(tile.y), '--out', file);
        expect(result.code, result.stderr).toBe(0);
        const expected = readPngRgb(referencePng(tile.png));
        const decoded = crop(djpegRgb(file), tile.width, tile.height);
        expect(maxAbsDiff(decoded, expected)).toBe(0);
      });
    }
  }
});

describe('wsi-stream info', () => {
  it('prints the JSON contract', async () => {
    const result = await cli('info', fixturePath('CMU-1-Small-Region.svs'), '--json');
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(Object.keys(info)).toEqual(['format', 'width', 'height', 'levels', 'mpp', 'magnification', 'associated', 'properties']);
    expect(info).toMatchObject({
      format: 'aperio-svs',
      width: 2220,
      height: 2967,
      mpp: { x: 0.499, y: 0.499 },
      magnification: 20,
      associated: ['label', 'macro', 'thumbnail'],
    });
    expect(info.levels[0]).toEqual({ width: 2220, height: 2967, tileWidth: 240, tileHeight: 240, tilesX: 10, tilesY: 13, downsample: 1 });
    expect(info.properties['aperio.AppMag']).toBe('20');
  });

  it('an NDPI: OpenSlide’s levels, MPP, objective power, macro and properties; tiles as libjpeg-turbo decodes them to read_region', async () => {
    const name = 'test3-TRITC-2-560.ndpi';
    const ref = referenceJson<{
      levels: Array<{ width: number; height: number; downsample: number; tile: [number, number] }>;
      mpp_x: number;
      objective_power: string;
      properties: Record<string, string>;
      reference_regions: Array<{ level: number; x: number; y: number; width: number; height: number; png: string }>;
    }>(name, 'ndpi');
    const info = JSON.parse((await cli('info', fixturePath(name), '--json')).stdout);
    expect(info).toMatchObject({
      format: 'hamamatsu-ndpi',
      mpp: { x: ref.mpp_x, y: ref.mpp_x },
      magnification: Number(ref.objective_power),
      associated: ['macro'],
    });
    expect(info.levels.map((l: { width: number; height: number; downsample: number }) => [l.width, l.height, l.downsample])).toEqual(
      ref.levels.map((l) => [l.width, l.height, l.downsample]),
    );
    expect(info.levels.map((l: { restartInterval: { width: number; height: number } }) => [l.restartInterval.width, l.restartInterval.height])).toEqual(
      ref.levels.map((l) => l.tile),
    );
    const { 'openslide.quickhash-1': _hash, ...properties } = ref.properties;
    expect(info.properties).toEqual(properties);
    // The region at the top-left of each native level lies in tile (0, 0): the standalone JPEG, decoded by djpeg.
    for (const region of ref.reference_regions.filter((r) => r.x === 0 && r.y === 0 && r.level < 4)) {
      const file = join(out, `ndpi-${region.level}.jpg`);
      const result = await cli('tile', fixturePath(name), String(region.level), '0', '0', '--out', file);
      expect(result.code, result.stderr).toBe(0);
      const d = difference(crop(djpegRgb(file), region.width, region.height), readPngRgb(referencePng(`ndpi/${region.png}`)));
      expect(withinTolerance('jpeg', d), `level ${region.level}: mean ${d.mean}, max ${d.max}`).toBe(true);
    }
    const macro = join(out, 'ndpi-macro.png');
    expect((await cli('associated', fixturePath(name), 'macro', '--out', macro)).code).toBe(0);
    const d = difference(readPngRgb(macro), readPngRgb(referencePng(`ndpi/${name}/associated-macro.png`)));
    expect(withinTolerance('jpeg', d), `macro: mean ${d.mean}, max ${d.max}`).toBe(true);
  });

  it('an OME fluorescence file: its channels in info, and tile --channel writes that channel as tifffile decodes it', async () => {
    const name = 'hubmap-multi-channel-8level.ome.tif';
    const info = JSON.parse((await cli('info', fixturePath(name), '--json')).stdout);
    expect(info).toMatchObject({ format: 'ome-tiff', channels: [{ name: 'Channel 1' }, { name: 'Channel 2' }, { name: 'Channel 3' }] });
    for (const channel of [0, 2]) {
      const file = join(out, `ome-c${channel}.png`);
      const result = await cli('tile', fixturePath(name), '1', '0', '0', '--png', '--channel', String(channel), '--out', file);
      expect(result.code, result.stderr).toBe(0);
      expect(maxAbsDiff(readPngRgb(file), readPngRgb(referencePng(`ome/${name}/subifd-L1_C${channel}_0_0.png`)))).toBe(0);
    }
    const wrong = await cli('tile', fixturePath(name), '0', '0', '0', '--channel', '3', '--out', join(out, 'none.bin'));
    expect([wrong.code, wrong.stderr]).toEqual([1, expect.stringContaining('out_of_bounds')]);
  });

  it('a DICOM series from its folder: levels and frame grid as pydicom says; tile --png of a frame equals Pillow’s decode', async () => {
    const name = 'cmu-dicomizer';
    const ref = referenceJson<{
      levels: Array<{ width: number; height: number; frame_size: [number, number] }>;
      reference_frames: Array<{ level: number; column: number; row: number; png: string }>;
    }>(name, 'dicom');
    const info = JSON.parse((await cli('info', fixturePath(name), '--json')).stdout);
    expect(info.format).toBe('dicom');
    expect(
      info.levels.map((l: { width: number; height: number; tileWidth: number; tileHeight: number }) => [l.width, l.height, l.tileWidth, l.tileHeight]),
    ).toEqual(ref.levels.map((l) => [l.width, l.height, ...l.frame_size]));
    const frame = ref.reference_frames[1]!;
    const file = join(out, 'dicom-frame.png');
    const result = await cli('tile', fixturePath(name), String(frame.level), String(frame.column), String(frame.row), '--png', '--out', file);
    expect(result.code, result.stderr).toBe(0);
    const d = difference(readPngRgb(file), readPngRgb(referencePng(`dicom/${frame.png}`)));
    expect(withinTolerance('jpeg', d), `mean ${d.mean}, max ${d.max}`).toBe(true);
    const mixed = await cli('info', fixturePath('CMU-1-Small-Region.svs').replace(/[^/]+$/, ''));
    expect([mixed.code, mixed.stderr]).toEqual([1, expect.stringContaining('not_dicom')]);
  });

  it('gives null MPP and magnification for a generic TIFF', async () => {
    const info = JSON.parse((await cli('info', fixturePath('boxes.tiff'), '--json')).stdout);
    expect(info).toMatchObject({ format: 'generic-tiff', mpp: null, magnification: null, associated: [] });
    expect(info.levels.map((l: { downsample: number }) => l.downsample)).toEqual([1, 2, 4.016129032258064, 8.086312118570184]);
  });

  it('prints a human table', async () => {
    const result = await cli('info', fixturePath('aperio-jpeg-ycbcr-240.svs'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/format\s+aperio-svs/);
    expect(result.stdout).toMatch(/^\s+6\s+138\s+185\s+240×240\s+1×1\s+64\.2496$/m);
  });
});

describe('CLI errors: one line, a code, no stack trace', () => {
  const cases: Array<[string, string[], string]> = [
    ['not a TIFF', ['info', fixturePath('broken.svs')], 'not_tiff'],
    ['unknown compression', ['info', fixturePath('unopenable.tiff')], 'unsupported_compression'],
    ['missing file', ['info', join(out, 'nope.svs')], 'not_found'],
    ['tile outside the level', ['tile', fixturePath('small.svs'), '0', '1', '0', '--out', join(out, 'x.jpg')], 'out_of_bounds'],
    ['level that does not exist', ['tile', fixturePath('small.svs'), '3', '0', '0', '--out', join(out, 'x.jpg')], 'out_of_bounds'],
    ['bad number', ['tile', fixturePath('small.svs'), 'a', '0', '0', '--out', join(out, 'x.jpg')], 'invalid_argument'],
    ['unreachable URL', ['info', 'http://127.0.0.1:9/slide.svs'], 'network'],
  ];
  for (const [name, args, code] of cases) {
    it(name, async () => {
      const result = await cli(...args);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(new RegExp(`^wsi-stream: ${code}: \\S.*\\n$`));
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('writes nothing but the tile for a good read', async () => {
    const file = join(out, 'small.jpg');
    const result = await cli('tile', fixturePath('small.svs'), '0', '0', '0', '--out', file);
    expect(result.code).toBe(0);
    expect([...readFileSync(file).subarray(0, 2)]).toEqual([0xff, 0xd8]);
  });
});

describe('a command line people can discover', () => {
  it('--help lists every command and exits 0', async () => {
    const result = await cli('--help');
    expect(result.code).toBe(0);
    for (const command of ['info', 'tile', 'associated', 'cors', 'serve', 'sign', 'check'])
      expect(result.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
  });

  it('serve --help lists every serve flag with its environment variable', async () => {
    const result = await cli('serve', '--help');
    expect(result.code).toBe(0);
    const flags = [
      'host',
      'port',
      'auth-enabled',
      'auth-secret',
      'cache-slides',
      'cache-tiles',
      'cache-metadata',
      'block-size',
      'jpeg-quality',
      'cache-max-age',
      'cors-origins',
      'storage-timeout-ms',
      's3-bucket',
      's3-endpoint',
      's3-region',
    ];
    for (const flag of flags) {
      const env = `WSI_${flag.toUpperCase().replace(/-/g, '_')}`;
      expect(result.stdout).toMatch(new RegExp(`--${flag}\\b.*env ${env}\\b`));
    }
    expect(result.stdout).toMatch(/^example:\n {2}wsi-stream serve /m);
  });

  it('every command has --help with an example', async () => {
    for (const command of ['info', 'tile', 'associated', 'cors', 'sign', 'check']) {
      const result = await cli(command, '-h');
      expect(result.code, command).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: wsi-stream ${command}\\b[\\s\\S]*^example:\\n {2}wsi-stream ${command} `, 'm'));
    }
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await cli('--version')).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('an unknown flag is an error naming it, never ignored (a mistyped --auth-enabled must not start a public server)', async () => {
    const result = await cli('serve', out, '--bogus', '1');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^wsi-stream: invalid_argument: serve has no flag --bogus\./);
    const typo = await cli('serve', out, '--auth-enable');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/--auth-enable\. Did you mean --auth-enabled\?/);
  });

  it('a mistyped flag gets the nearest known one; a missing value names the flag', async () => {
    expect((await cli('info', fixturePath('small.svs'), '--jsn')).stderr).toMatch(/info has no flag --jsn\. Did you mean --json\?/);
    const missing = await cli('tile', fixturePath('small.svs'), '0', '0', '0', '--out');
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/^wsi-stream: invalid_argument: --out needs a value\./)]);
  });

  it('an unknown command suggests the nearest', async () => {
    const result = await cli('serv');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "serv"\. Did you mean serve\?/);
  });
});
