import { mkdtempSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSlide } from '../src/index.js';
import { FolderStore } from '../src/sidecar/folder-store.js';
import { difference, rgbaToRgb, withinTolerance } from './support/compare.js';
import { autoRange, compositePlanes, DEFAULT_PALETTE } from '../src/viewer/channel-composite.js';
import { catalogue, dicomFiles, fixture, FIXTURES, fixturePath, fixturesOf, referenceJson, referencePng, references } from './support/fixtures.js';
import { crop, jpegRgb, readPngRgb } from './support/images.js';
import { getJson, startSidecar } from './support/sidecar.js';
import { omeTiff } from './support/ome-builder.js';

let base: string;
beforeAll(async () => {
  ({ url: base } = await startSidecar({ store: new FolderStore(FIXTURES) }));
});

const idOf = (file: string) => fixture(file).id;
const enc = encodeURIComponent;

describe('sidecar over a folder: the WSIStreamer interface', () => {
  it('/health', async () => {
    const { status, body } = await getJson(`${base}/health`);
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'healthy', version: '0.1.0' });
  });

  it('/slides lists every slide once across pages, with prefix and search', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { body } = await getJson(`${base}/slides?limit=3${cursor ? `&cursor=${enc(cursor)}` : ''}`);
      ids.push(...body.slides);
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    // Every fixture: the single files, and each DICOM series folder as one slide.
    const expected = catalogue.map((f) => f.id).sort();
    expect(ids).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 3));
    expect((await getJson(`${base}/slides?prefix=generated/`)).body.slides).toEqual(expected.filter((id) => id.startsWith('generated/')));
    expect((await getJson(`${base}/slides?search=JP2K`)).body.slides).toEqual(expected.filter((id) => id.toLowerCase().includes('jp2k')));
    expect(expected.filter((id) => id.toLowerCase().includes('jp2k')).length).toBe(3);
    expect((await getJson(`${base}/slides?limit=0`)).body.slides.length).toBe(1);
  });

  for (const ref of references) {
    it(`/slides/{id} for ${ref.file}`, async () => {
      const { status, body } = await getJson(`${base}/slides/${enc(idOf(ref.file))}`);
      if (ref.openslide_error) {
        expect(status).toBe(415);
        expect(body).toMatchObject({ error: 'unsupported_format', status: 415 });
        return;
      }
      expect(status).toBe(200);
      expect(body).toMatchObject({
        slide_id: idOf(ref.file),
        format: ref.vendor === 'aperio' ? 'Aperio SVS' : 'Generic Pyramidal TIFF',
        width: ref.levels![0]!.width,
        level_count: ref.level_count,
      });
      expect(body.levels[0]).toEqual(
        expect.objectContaining({ level: 0, tile_width: ref.levels![0]!.tile[0], tiles_x: Math.ceil(ref.levels![0]!.width / ref.levels![0]!.tile[0]) }),
      );
      expect(body.mpp?.x ?? null).toBe(ref.mpp_x ?? null);
      expect(body.properties['openslide.level-count']).toBe(String(ref.level_count));
    });
  }

  it('/slides/{id} and /tiles serve the NDPI like any slide, its tiles equal to OpenSlide’s read_region', async () => {
    const ndpi = fixture('test3-TRITC-2-560.ndpi');
    const ref = referenceJson<{ levels: Array<{ width: number }>; reference_regions: Array<{ level: number; x: number; y: number; png: string }> }>(
      ndpi.name,
      'ndpi',
    );
    const { status, body } = await getJson(`${base}/slides/${enc(ndpi.id)}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ format: 'Hamamatsu NDPI', width: 3968, height: 4864, level_count: ref.levels.length });
    expect(body.properties['openslide.vendor']).toBe('hamamatsu');
    // Level 0's second tile row starts at y = 256 of a 3968-wide strip: the top-left 256×256 of the reference at (0, 0) is in tile (0, 0).
    const response = await fetch(`${base}/tiles/${enc(ndpi.id)}/0/0/0.jpg?quality=100`);
    expect([response.status, response.headers.get('x-tile-encoding')]).toEqual([200, 'passthrough']);
    const tile = await jpegRgb(response);
    const region = ref.reference_regions.find((r) => r.level === 0 && r.x === 0 && r.y === 0)!;
    const d = difference(crop(tile, 256, 256), readPngRgb(referencePng(`ndpi/${region.png}`)));
    expect(withinTolerance('jpeg', d), `max ${d.max}, mean ${d.mean}`).toBe(true);
    const dzi = await (await fetch(`${base}/slides/${enc(ndpi.id)}/dzi`)).text();
    expect(dzi).toContain('TileSize="256"');
  });

  for (const f of fixturesOf('ome')) {
    it(`/slides/{id} says OME-TIFF for ${f.name}, with every SubIFD level`, async () => {
      const ref = referenceJson<{ levels: Array<{ width: number }> }>(f.name, 'ome');
      const { status, body } = await getJson(`${base}/slides/${enc(f.id)}`);
      expect([status, body.format, body.level_count]).toEqual([200, 'OME-TIFF', ref.levels.length]);
    });
  }

  it('a fluorescence OME-TIFF is served composited as the viewer opens it (palette colours, ranges from its histogram)', async () => {
    const name = 'hubmap-multi-channel-8level.ome.tif';
    const ref = referenceJson<{ reference_tiles: Array<{ level: number; channel: number; x: number; y: number; png: string }> }>(name, 'ome');
    // tifffile's planes of level 0, the level the histogram is taken from on this slide (the first with 65,536 pixels).
    const planes = [0, 1, 2].map((channel) => {
      const { width, height, rgb } = readPngRgb(referencePng(`ome/${ref.reference_tiles.find((t) => t.level === 0 && t.channel === channel)!.png}`));
      return { width, height, bits: 8 as const, values: rgb.filter((_, i) => i % 3 === 0) };
    });
    const settings = DEFAULT_PALETTE.slice(0, 3).map((colour, c) => ({
      name: `${c}`,
      colour: [...colour] as [number, number, number],
      visible: true,
      bitsPerSample: 8,
      ...autoRange([planes[c]!], 8),
    }));
    const { width, height } = planes[0]!;
    const expected = rgbaToRgb(width, height, compositePlanes(planes, settings, width, height));
    const tile = await fetch(`${base}/tiles/${enc(idOf(name))}/0/0/0.jpg?quality=100`);
    expect([tile.status, tile.headers.get('x-tile-encoding')]).toEqual([200, 'reencoded']);
    const d = difference(await jpegRgb(tile), expected);
    expect(withinTolerance('jpeg', d), `mean ${d.mean}, max ${d.max}`).toBe(true);
    // The thumbnail at the level's own size: resampled (Lanczos) and re-encoded, so compared on the mean alone.
    const thumb = await fetch(`${base}/slides/${enc(idOf(name))}/thumbnail?max_size=439&quality=100`);
    expect(difference(await jpegRgb(thumb), expected).mean).toBeLessThan(1.5);
  });

  it('channels that differ come out in their own colours (the fixture’s three are alike): channel 0 in grey is what was served before', async () => {
    // Red rises left to right, green top to bottom, blue is a checkerboard: colours from the OME-XML.
    const planes = [
      Uint8Array.from({ length: 256 }, (_, i) => (i % 16) * 16),
      Uint8Array.from({ length: 256 }, (_, i) => Math.floor(i / 16) * 16),
      Uint8Array.from({ length: 256 }, (_, i) => (((i % 16) + Math.floor(i / 16)) % 2 === 0 ? 200 : 0)),
    ];
    const colours: Array<[number, number, number]> = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ];
    const argb = (c: [number, number, number]) => (((c[0] << 24) | (c[1] << 16) | (c[2] << 8) | 255) >> 0).toString();
    const dir = mkdtempSync(join(tmpdir(), 'wsi-ome-'));
    writeFileSync(
      join(dir, 'three.ome.tif'),
      omeTiff(
        'DimensionOrder="XYCZT" SizeC="3" SizeZ="1" SizeT="1" SizeX="16" SizeY="16" Type="uint8"',
        colours.map((c, i) => `<Channel ID="Channel:0:${i}" Color="${argb(c)}"/>`).join(''),
        planes,
        1,
      ),
    );
    const { url } = await startSidecar({ store: new FolderStore(dir) });
    const sampled = planes.map((values) => ({ width: 16, height: 16, bits: 8 as const, values }));
    const settings = colours.map((colour, c) => ({ name: `${c}`, colour, visible: true, bitsPerSample: 8, ...autoRange([sampled[c]!], 8) }));
    const expected = rgbaToRgb(16, 16, compositePlanes(sampled, settings, 16, 16));
    const tile = await fetch(`${url}/tiles/three.ome.tif/0/0/0.jpg?quality=100`);
    const d = difference(await jpegRgb(tile), expected);
    expect(withinTolerance('jpeg', d), `mean ${d.mean}, max ${d.max}`).toBe(true);
    const grey = { width: 16, height: 16, rgb: Uint8Array.from([...planes[0]!].flatMap((v) => [v, v, v])) };
    expect(difference(grey, expected).mean).toBeGreaterThan(40);
  });

  it('a DICOM series folder is one slide: /slides/{id} says DICOM WSI, /tiles serves its frames as the references decode', async () => {
    const series = fixture('cmu-dicomizer');
    const ref = referenceJson<{ levels: Array<{ width: number }>; reference_frames: Array<{ level: number; column: number; row: number; png: string }> }>(
      series.name,
      'dicom',
    );
    const { status, body } = await getJson(`${base}/slides/${enc(series.id)}`);
    expect([status, body.format, body.level_count, body.width]).toEqual([200, 'DICOM WSI', ref.levels.length, ref.levels[0]!.width]);
    const frame = ref.reference_frames[1]!;
    const response = await fetch(`${base}/tiles/${enc(series.id)}/${frame.level}/${frame.column}/${frame.row}.jpg?quality=100`);
    expect(response.status).toBe(200);
    const d = difference(await jpegRgb(response), readPngRgb(referencePng(`dicom/${frame.png}`)));
    expect(withinTolerance('jpeg', d), `max ${d.max}, mean ${d.mean}`).toBe(true);
    const url = await getJson(`${base}/slides/${enc(series.id)}/url`);
    expect([url.status, url.body.error]).toEqual([415, 'unsupported_format']);
    // Its files have a URL each, the browser library's way to read a series without the sidecar's tiles.
    const urls = await getJson(`${base}/slides/${enc(series.id)}/urls`);
    expect(urls.body.urls.map((u: { source_id: string }) => decodeURIComponent(u.source_id.split('/raw/')[1]!))).toEqual(
      dicomFiles('cmu-dicomizer').map((f) => `${series.id}/${basename(f)}`),
    );
    const single = await getJson(`${base}/slides/${enc(idOf('small.svs'))}/urls`);
    expect(single.body.urls.length).toBe(1);
  });

  it('thumbnail of unreadable.svs (its JPEG data is corrupt) is a decode_error, not a crash', async () => {
    const { status, body } = await getJson(`${base}/slides/${enc(idOf('unreadable.svs'))}/thumbnail?max_size=200`);
    expect([status, body.error]).toEqual([500, 'decode_error']);
  });

  for (const ref of references.filter((r) => !r.openslide_error && r.file !== 'unreadable.svs')) {
    it(`thumbnail of ${ref.file} fits max_size with the slide's aspect`, async () => {
      const response = await fetch(`${base}/slides/${enc(idOf(ref.file))}/thumbnail?max_size=200`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/jpeg');
      expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
      const { width, height } = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      const [w, h] = [ref.levels![0]!.width, ref.levels![0]!.height];
      expect(Math.max(width!, height!)).toBe(Math.min(200, Math.max(w, h)) === 200 ? 200 : Math.max(width!, height!));
      expect(Math.abs(width! / height! - w / h)).toBeLessThan(0.05 * (w / h) + 1 / Math.min(width!, height!));
    });
  }

  for (const ref of references.filter((r) => r.reference_tiles?.length)) {
    const t = ref.reference_tiles![0]!;
    it(`/tiles for ${ref.file} L${t.level} (${t.x}, ${t.y}) matches the reference`, async () => {
      const compression = ref.tiff_pages![0]!.compression;
      // Lossless sources come back re-encoded as JPEG: ask for quality 100 and hold them to JPEG's tolerance.
      const response = await fetch(`${base}/tiles/${enc(idOf(ref.file))}/${t.level}/${t.x}/${t.y}.jpg?quality=100`);
      expect(response.status).toBe(200);
      const passthrough = response.headers.get('x-tile-encoding') === 'passthrough';
      expect(passthrough).toBe(compression === 7 && t.width === ref.levels![t.level]!.tile[0] && t.height === ref.levels![t.level]!.tile[1]);
      const d = difference(await jpegRgb(response), readPngRgb(referencePng(t.png)));
      // Passed-through JPEG: the decode tolerance of the codec issue. Re-encoded (one JPEG generation at
      // quality 100, 4:4:4): mean within 1 level and no pixel off by more than 8.
      if (passthrough) expect(withinTolerance(7, d), `max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
      else expect(d.mean <= 1 && d.max <= 8, `max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
    });
  }

  for (const f of fixturesOf('icc')) {
    const icc = referenceJson<{
      levels: Array<{ tile: [number, number] }>;
      reference_tiles: Array<{ level: number; x: number; y: number; width: number; height: number; png: string; srgb_png: string }>;
    }>(f.name, 'icc');
    it(`${f.name}: re-encoded tiles and thumbnails are converted from the ICC profile to sRGB and say so; passed-through tiles say they are not`, async () => {
      const edge = icc.reference_tiles.filter((t) => t.width < icc.levels[t.level]!.tile[0] || t.height < icc.levels[t.level]!.tile[1]);
      expect(edge.length).toBeGreaterThan(0);
      for (const t of edge) {
        const response = await fetch(`${base}/tiles/${enc(f.id)}/${t.level}/${t.x}/${t.y}.jpg?quality=100`);
        expect([response.headers.get('x-tile-encoding'), response.headers.get('x-colour-managed')]).toEqual(['reencoded', 'srgb-from-icc']);
        const d = difference(await jpegRgb(response), readPngRgb(referencePng(`icc/${t.srgb_png}`)));
        expect(d.mean <= 1 && d.max <= 8, `L${t.level} (${t.x}, ${t.y}) vs LittleCMS sRGB: max ${d.max}, mean ${d.mean.toFixed(3)}`).toBe(true);
      }
      const whole = icc.reference_tiles.find((t) => !edge.includes(t))!;
      const stored = await fetch(`${base}/tiles/${enc(f.id)}/${whole.level}/${whole.x}/${whole.y}.jpg?quality=100`);
      expect([stored.headers.get('x-tile-encoding'), stored.headers.get('x-colour-managed')]).toEqual(['passthrough', 'not-applied']);
      expect(withinTolerance('jpeg', difference(await jpegRgb(stored), readPngRgb(referencePng(`icc/${whole.png}`))))).toBe(true);
      const thumb = await fetch(`${base}/slides/${enc(f.id)}/thumbnail?max_size=200`);
      expect(thumb.headers.get('x-colour-managed')).toBe('srgb-from-icc');
      // Asked again: served from the image cache, with the same header.
      expect((await fetch(`${base}/slides/${enc(f.id)}/thumbnail?max_size=200`)).headers.get('x-colour-managed')).toBe('srgb-from-icc');
    });
  }

  it('a slide without a profile is served as stored, and says so', async () => {
    const response = await fetch(`${base}/slides/${enc(idOf('CMU-1-Small-Region.svs'))}/thumbnail?max_size=100`);
    expect(response.headers.get('x-colour-managed')).toBe('none');
  });

  it('Deep Zoom: the descriptor and tiles at every level a DZI viewer asks for', async () => {
    const id = enc(idOf('CMU-1-Small-Region.svs'));
    const xml = await (await fetch(`${base}/slides/${id}/dzi`)).text();
    expect(xml).toContain('xmlns="http://schemas.microsoft.com/deepzoom/2008"');
    expect(xml).toContain('TileSize="240" Overlap="0" Format="jpg"><Size Width="2220" Height="2967"/>');
    const top = await fetch(`${base}/slides/${id}_files/12/0_0.jpg`);
    expect(top.status).toBe(200);
    expect(await sharp(Buffer.from(await top.arrayBuffer())).metadata()).toMatchObject({ width: 240, height: 240 });
    const single = await fetch(`${base}/slides/${id}_files/0/0_0.jpg`);
    expect(await sharp(Buffer.from(await single.arrayBuffer())).metadata()).toMatchObject({ width: 1, height: 1 });
    // The full-resolution DZ tile equals the native tile: DZ level 12 is level 0 here.
    const native = await fetch(`${base}/tiles/${id}/0/0/0.jpg?quality=100`);
    const d = difference(await jpegRgb(await fetch(`${base}/slides/${id}_files/12/0_0.jpg?quality=100`)), await jpegRgb(native));
    expect(d.mean).toBeLessThan(1);
    expect((await getJson(`${base}/slides/${id}_files/13/0_0.jpg`)).body.error).toBe('invalid_level');
    expect((await getJson(`${base}/slides/${id}_files/12/99_0.jpg`)).body.error).toBe('tile_out_of_bounds');
  });

  it('/slides/{id}/url hands out a Range-capable URL the library opens', async () => {
    const { body } = await getJson(`${base}/slides/${enc(idOf('CMU-1-Small-Region.svs'))}/url`);
    expect(body.url).toMatch(/\/raw\/real%2FCMU-1-Small-Region\.svs$/);
    expect(body.expires_at).toBeGreaterThan(Date.now() / 1000);
    const slide = await openSlide(body.url);
    expect(slide.width).toBe(2220);
  });

  it('/view/{id} serves the viewer page configured for the slide', async () => {
    const response = await fetch(`${base}/view/${enc(idOf('small.svs'))}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('window.WSI_VIEW = {"id":"real/small.svs","author":"viewer"}');
    // The author of shapes drawn there: ?author_id=, else the proxy's user header (the fork's rule), escaped.
    const named = await (await fetch(`${base}/view/${enc(idOf('small.svs'))}`, { headers: { 'X-Forwarded-User': 'dr-lee' } })).text();
    expect(named).toContain('"author":"dr-lee"');
    const hostile = await (await fetch(`${base}/view/${enc(idOf('small.svs'))}?author_id=${encodeURIComponent('</script><b>')}`)).text();
    expect(hostile).toContain('"author":"\\u003c/script>\\u003cb>"');
    const asset = /src="\.\.\/(assets\/[^"]+)"/.exec(html)![1]!;
    expect((await fetch(`${base}/${asset}`)).status).toBe(200);
  });
});

describe('sidecar errors: always the JSON shape and the seed codes', () => {
  const cases: Array<[string, string, number, string]> = [
    ['a level that does not exist', '/tiles/real%2Fsmall.svs/5/0/0.jpg', 400, 'invalid_level'],
    ['a tile outside the level', '/tiles/real%2Fsmall.svs/0/3/0.jpg', 400, 'tile_out_of_bounds'],
    ['a non-numeric level', '/tiles/real%2Fsmall.svs/x/0/0.jpg', 400, 'invalid_level'],
    ['a non-numeric quality', '/tiles/real%2Fsmall.svs/0/0/0.jpg?quality=high', 400, 'invalid_quality'],
    ['a missing slide', '/slides/nope.svs', 404, 'not_found'],
    ['a file that is not a slide', '/slides/real%2Fbroken.svs', 415, 'unsupported_format'],
    ['a corrupt tile', '/tiles/real%2Funreadable.svs/0/0/0.jpg?quality=50', 500, 'decode_error'],
    ['an unknown route', '/nothing/here', 404, 'not_found'],
    ['bad percent-encoding', '/slides/%ZZ', 400, 'invalid_request'],
    ['a non-integer limit', '/slides?limit=ten', 400, 'invalid_request'],
    ['an unknown sub-route', '/slides/real%2Fsmall.svs/nope', 404, 'not_found'],
  ];
  for (const [name, path, status, code] of cases) {
    it(name, async () => {
      const { status: got, body, headers } = await getJson(`${base}${path}`);
      expect(headers.get('content-type')).toBe('application/json');
      expect(body).toEqual({ error: code, message: expect.any(String), status });
      expect(got).toBe(status);
    });
  }

  it('a method other than GET', async () => {
    const { status, body } = await getJson(`${base}/slides`, { method: 'POST' });
    expect([status, body.error]).toEqual([405, 'method_not_allowed']);
  });
});

describe('path traversal and odd keys never leave the folder', () => {
  let oddBase: string;
  const long = `${'a'.repeat(5000)}.svs`;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsi-odd-'));
    mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
    copyFileSync(fixturePath('small.svs'), join(dir, 'Ünïcødé slide #1.svs'));
    copyFileSync(fixturePath('small.svs'), join(dir, 'nested', 'deeper', 'a b.svs'));
    ({ url: oddBase } = await startSidecar({ store: new FolderStore(join(dir, 'nested')) }));
    await startSidecar({ store: new FolderStore(dir) }).then(({ url }) => (base2 = url));
  });
  let base2 = '';

  it('lists and serves unicode and nested keys', async () => {
    const { body } = await getJson(`${base2}/slides`);
    expect(body.slides).toEqual(['nested/deeper/a b.svs', 'Ünïcødé slide #1.svs'].sort());
    for (const id of body.slides) expect((await getJson(`${base2}/slides/${enc(id)}`)).body.width).toBe(16);
  });

  for (const attempt of [
    '..%2FÜnïcødé%20slide%20%231.svs',
    '%2E%2E%2F%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20slide%20%231.svs',
    '..',
    '%2Fetc%2Fpasswd',
    'deeper%2F..%2F..%2F..%2Fetc%2Fpasswd',
    '%00',
    'deeper%5C..%5C..%5Ca.svs',
    encodeURIComponent(long),
  ]) {
    it(`refuses ${attempt.slice(0, 60)}`, async () => {
      for (const route of ['slides', 'raw', 'tiles']) {
        const path = route === 'tiles' ? `/tiles/${attempt}/0/0/0.jpg` : `/${route}/${attempt}`;
        const { status, body } = await getJson(`${oddBase}${path}`);
        expect([status, body.error]).toEqual([404, 'not_found']);
      }
    });
  }
});
