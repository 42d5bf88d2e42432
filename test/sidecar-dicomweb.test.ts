import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomWebStore } from '../src/sidecar/dicomweb-store.js';
import { difference, withinTolerance } from './support/compare.js';
import { dicomFiles, REPO_ROOT, referenceJson, referencePng } from './support/fixtures.js';
import { jpegRgb, readPngRgb } from './support/images.js';
import { type OrthancServer, startOrthanc } from './support/orthanc.js';
import { getJson, startSidecar } from './support/sidecar.js';
import { startTokenGate } from './support/token-gate.js';

interface DicomReference {
  instances: Array<{ sop_instance_uid: string }>;
  levels: Array<{ width: number }>;
  reference_frames: Array<{ level: number; column: number; row: number; png: string }>;
}

const SERIES = ['cmu-1-small-region', 'cmu-dicomizer'];
let orthanc: OrthancServer;
let gate: Awaited<ReturnType<typeof startTokenGate>>;
const ids: Record<string, string> = {};
const enc = encodeURIComponent;

beforeAll(async () => {
  orthanc = await startOrthanc();
  for (const name of SERIES) {
    for (const file of dicomFiles(name)) await orthanc.upload(file);
    const { study, series } = await orthanc.seriesOf(referenceJson<DicomReference>(name, 'dicom').instances[0]!.sop_instance_uid);
    ids[name] = `${study}/${series}`;
  }
  gate = await startTokenGate(orthanc.rest, 's3cret');
}, 60_000);
afterAll(async () => {
  gate?.close();
  await orthanc?.stop();
});

describe('wsi-stream serve dicomweb:<root>: a DICOMweb server’s slide series as the sidecar’s slides', () => {
  it('lists the SM series by QIDO-RS (id = study/series) in pages; serves their metadata and frames as the references decode', async () => {
    const { url: base } = await startSidecar({ store: new DicomWebStore(orthanc.dicomweb) });
    expect((await getJson(`${base}/slides`)).body.slides.sort()).toEqual(Object.values(ids).sort());
    const first = await getJson(`${base}/slides?limit=1`);
    const second = await getJson(`${base}/slides?limit=1&cursor=${enc(first.body.next_cursor)}`);
    expect([...first.body.slides, ...second.body.slides].sort()).toEqual(Object.values(ids).sort());
    for (const name of SERIES) {
      const ref = referenceJson<DicomReference>(name, 'dicom');
      const { status, body } = await getJson(`${base}/slides/${enc(ids[name]!)}`);
      expect([status, body.format, body.level_count, body.width]).toEqual([200, 'DICOM WSI', ref.levels.length, ref.levels[0]!.width]);
      const frame = ref.reference_frames[0]!;
      const tile = await fetch(`${base}/tiles/${enc(ids[name]!)}/${frame.level}/${frame.column}/${frame.row}.jpg?quality=100`);
      const d = difference(await jpegRgb(tile), readPngRgb(referencePng(`dicom/${frame.png}`)));
      expect(withinTolerance('jpeg', d), `${name}: mean ${d.mean}, max ${d.max}`).toBe(true);
    }
    const url = await getJson(`${base}/slides/${enc(ids['cmu-dicomizer']!)}/url`);
    expect([url.status, url.body.error]).toEqual([415, 'unsupported_format']);
    for (const bad of ['1.2.3/4.5.6', 'not-a-uid/x', 'a/b/c']) expect((await getJson(`${base}/slides/${enc(bad)}`)).status).toBe(404);
  });

  it('wsi-stream check dicomweb:<root> --list-slides lists the series, and opens one with --test-slide', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      `${REPO_ROOT}/bin/wsi-stream.js`,
      'check',
      `dicomweb:${orthanc.dicomweb}`,
      '--list-slides',
      '--test-slide',
      ids['cmu-dicomizer']!,
    ]);
    for (const id of Object.values(ids)) expect(stdout).toContain(id);
    expect(stdout).toMatch(/: dicom, 2220×2967, 5 levels/);
  });

  it('sends --dicomweb-token to a server that wants one; without it, the start-up check says access_denied', async () => {
    const { url: base } = await startSidecar({ store: new DicomWebStore(`${gate.url}/dicom-web`, 's3cret') });
    const { body } = await getJson(`${base}/slides/${enc(ids['cmu-1-small-region']!)}`);
    expect(body.format).toBe('DICOM WSI');
    expect((await fetch(`${base}/tiles/${enc(ids['cmu-1-small-region']!)}/0/0/0.jpg`)).status).toBe(200);
    await expect(new DicomWebStore(`${gate.url}/dicom-web`).check()).rejects.toMatchObject({ code: 'access_denied' });
  });
});
