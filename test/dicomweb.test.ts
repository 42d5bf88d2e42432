import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCodecs } from '../src/codec/node-codecs.js';
import { openSlide, parseDicomWebUrl } from '../src/index.js';
import { difference, rgbaToRgb, withinTolerance } from './support/compare.js';
import { dicomFiles, REPO_ROOT, referenceJson, referencePng } from './support/fixtures.js';
import { readPngRgb } from './support/images.js';
import { type OrthancServer, startOrthanc } from './support/orthanc.js';
import { startTokenGate } from './support/token-gate.js';

interface DicomReference {
  instances: Array<{ sop_instance_uid: string }>;
  levels: Array<{ width: number; height: number; frame_size: [number, number] }>;
  reference_frames: Array<{ level: number; column: number; row: number; png: string }>;
}

const codecs = nodeCodecs();
let orthanc: OrthancServer;
const names: Record<string, string> = {};

beforeAll(async () => {
  orthanc = await startOrthanc();
  for (const fixture of ['cmu-1-small-region', 'cmu-dicomizer', 'gcp-jpeg2000.dcm']) {
    for (const file of dicomFiles(fixture)) await orthanc.upload(file);
    const { study, series } = await orthanc.seriesOf(referenceJson<DicomReference>(fixture, 'dicom').instances[0]!.sop_instance_uid);
    names[fixture] = `dicomweb:${orthanc.dicomweb}/studies/${study}/series/${series}`;
  }
}, 60_000);
afterAll(async () => orthanc?.stop());

describe('DICOMweb (WADO-RS) against a real Orthanc with its DICOMweb plugin', () => {
  it('parses dicomweb: names and refuses others', () => {
    expect(parseDicomWebUrl('dicomweb:http://127.0.0.1:8042/dicom-web/studies/1.2.3/series/1.2.3.4')).toEqual({
      root: 'http://127.0.0.1:8042/dicom-web',
      study: '1.2.3',
      series: '1.2.3.4',
    });
    expect(parseDicomWebUrl('http://x/studies/1/series/2')).toBeUndefined();
  });

  for (const fixture of ['cmu-1-small-region', 'cmu-dicomizer', 'gcp-jpeg2000.dcm']) {
    it(`${fixture}: the series' levels from its metadata (one request), each frame read alone in one request, equal to the references`, async () => {
      const ref = referenceJson<DicomReference>(fixture, 'dicom');
      const slide = await openSlide(names[fixture]!);
      expect(slide.format).toBe('dicom');
      expect(slide.ioStats().requests).toBe(1);
      expect(slide.levels.map((l) => [l.width, l.height, l.tileWidth, l.tileHeight])).toEqual(ref.levels.map((l) => [l.width, l.height, ...l.frame_size]));
      for (const frame of ref.reference_frames) {
        const before = slide.ioStats().requests;
        const tile = await codecs.decode(await slide.readTile(frame.level, frame.column, frame.row));
        expect(slide.ioStats().requests - before).toBe(1);
        const d = difference(rgbaToRgb(tile.width, tile.height, tile.data), readPngRgb(referencePng(`dicom/${frame.png}`)));
        expect(withinTolerance(fixture.includes('jpeg2000') ? 'raw' : 'jpeg', d), `${frame.png}: mean ${d.mean}, max ${d.max}`).toBe(true);
      }
    });
  }

  it('the frames of one instance wanted together (a viewport) come in one request, each equal to its own single read', async () => {
    const slide = await openSlide(names['cmu-1-small-region']!);
    const level = slide.levels[0]!;
    const wanted = Array.from({ length: level.tilesX * 2 }, (_, i) => [i % level.tilesX, Math.floor(i / level.tilesX)] as const);
    const before = slide.ioStats().requests;
    const together = await Promise.all(wanted.map(([x, y]) => slide.readTile(0, x, y)));
    expect(slide.ioStats().requests - before).toBe(1);
    const alone = await openSlide(names['cmu-1-small-region']!);
    for (const [i, [x, y]] of wanted.entries()) expect(Buffer.from(together[i]!.bytes).equals(Buffer.from((await alone.readTile(0, x, y)).bytes))).toBe(true);
    // A frame whose caller gave up is dropped from the answer's waiters without failing the others.
    const controller = new AbortController();
    const gone = slide.readTile(0, 0, 0, { signal: controller.signal });
    const kept = slide.readTile(0, 1, 0);
    controller.abort();
    await expect(gone).rejects.toMatchObject({ code: 'aborted' });
    expect((await kept).bytes.length).toBeGreaterThan(0);
  });

  it('sends the auth hook’s headers with every request, asking the hook each time', async () => {
    const seen: string[] = [];
    let calls = 0;
    const slide = await openSlide(names['gcp-jpeg2000.dcm']!, {
      dicomweb: {
        headers: () => ({ Authorization: `Bearer token-${++calls}` }),
        fetch: (url, init) => {
          seen.push(new Headers(init?.headers).get('authorization') ?? '');
          return fetch(url, init);
        },
      },
    });
    await slide.readTile(0, 0, 0);
    expect(seen).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('wsi-stream info and tile take a dicomweb: name; --dicomweb-token (or WSI_DICOMWEB_TOKEN) is its bearer token', async () => {
    const gate = await startTokenGate(orthanc.rest, 't0ken');
    const name = names['cmu-1-small-region']!.replace(orthanc.rest, gate.url);
    const cli = (args: string[], env: Record<string, string> = {}) =>
      promisify(execFile)(process.execPath, [`${REPO_ROOT}/bin/wsi-stream.js`, ...args], { env: { ...process.env, ...env } });
    try {
      const ref = referenceJson<DicomReference>('cmu-1-small-region', 'dicom');
      const { stdout } = await cli(['info', name, '--json', '--dicomweb-token', 't0ken']);
      const info = JSON.parse(stdout) as { format: string; levels: Array<{ width: number; height: number }> };
      expect([info.format, info.levels.map((l) => [l.width, l.height])]).toEqual(['dicom', ref.levels.map((l) => [l.width, l.height])]);
      const frame = ref.reference_frames[0]!;
      const png = join(mkdtempSync(join(tmpdir(), 'wsi-dicomweb-')), 'frame.png');
      await cli(['tile', name, String(frame.level), String(frame.column), String(frame.row), '--png', '--out', png], { WSI_DICOMWEB_TOKEN: 't0ken' });
      const d = difference(readPngRgb(png), readPngRgb(referencePng(`dicom/${frame.png}`)));
      expect(withinTolerance('jpeg', d), `mean ${d.mean}, max ${d.max}`).toBe(true);
      const refused = await cli(['info', name]).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(refused?.code).toBe(1);
      expect(refused?.stderr).toMatch(/access_denied/);
    } finally {
      gate.close();
    }
  });

  it('a series the server does not have is not_found', async () => {
    await expect(openSlide(`dicomweb:${orthanc.dicomweb}/studies/1.2.3/series/4.5.6`)).rejects.toMatchObject({ code: 'not_found' });
  });
});
