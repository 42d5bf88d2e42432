import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { createSidecar } from '../src/sidecar/server.js';
import { FolderStore } from '../src/sidecar/folder-store.js';
import { FIXTURES, REPO_ROOT } from '../test/support/fixtures.js';
import { expect, test } from './support/fixtures.js';

declare const harness: any;

const CMU = 'CMU-1-Small-Region.svs';
const MPP = 0.499;
const CANVAS = '.wsi-osd > .openseadragon-container > .openseadragon-canvas';

async function open(page: Page, url: string, annotations: Record<string, unknown> = { storage: 'none' }): Promise<void> {
  await page.evaluate(
    async ([u, a]) => {
      (window as any).viewer = await harness.createViewer(document.getElementById('viewer'), u, { osd: { animationTime: 0 }, prefetch: false, annotations: a });
      await (window as any).viewer.annotations.loaded;
      await new Promise<void>((resolve) => {
        const check = () => ((window as any).viewer.osd.world.getItemAt(0)?.getFullyLoaded() ? resolve() : setTimeout(check, 50));
        check();
      });
    },
    [url, annotations] as const,
  );
}

/** Page coordinates of a point of the viewer's canvas, and the level-0 pixel OpenSeadragon puts there. */
async function at(page: Page, x: number, y: number): Promise<{ page: { x: number; y: number }; image: { x: number; y: number } }> {
  const box = (await page.locator(CANVAS).boundingBox())!;
  const image = await page.evaluate(
    ([px, py]) => {
      const p = (window as any).viewer.osd.world.getItemAt(0).viewerElementToImageCoordinates(new harness.OpenSeadragon.Point(px, py));
      return { x: p.x, y: p.y };
    },
    [x, y] as const,
  );
  return { page: { x: box.x + x, y: box.y + y }, image };
}

const shapes = (page: Page) => page.evaluate(() => (window as any).viewer.annotations.list());
const last = async (page: Page) => (await shapes(page)).at(-1);
const setTool = (page: Page, tool: string | null) => page.evaluate((t) => (window as any).viewer.annotations.setTool(t), tool);
const centre = (page: Page) => page.evaluate(() => (window as any).viewer.osd.viewport.getCenter(true));

/** Three places on the canvas (CSS px), the view's centre, and the level-0 box spanned by the first two. */
async function threePlaces(page: Page, [ax, ay]: [number, number], [bx, by]: [number, number], [cx, cy]: [number, number]) {
  const [a, b, c] = [await at(page, ax, ay), await at(page, bx, by), await at(page, cx, cy)];
  return { a, b, c, before: await centre(page), w: b.image.x - a.image.x, h: b.image.y - a.image.y };
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, steps = 8): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps });
  await page.mouse.up();
}

function near(actual: { x: number; y: number }, expected: { x: number; y: number }, tolerance = 0.6): void {
  expect(Math.abs(actual.x - expected.x), `x ${actual.x} vs ${expected.x}`).toBeLessThan(tolerance);
  expect(Math.abs(actual.y - expected.y), `y ${actual.y} vs ${expected.y}`).toBeLessThan(tolerance);
}

test.describe('annotations in the viewer', () => {
  test('each kind drawn with the mouse lands at the level-0 pixels under the pointer, measured in µm; the view does not move', async ({
    harness: page,
    servers,
  }) => {
    await open(page, servers.slideUrl(CMU));
    const { a, b, c, before, w, h } = await threePlaces(page, [300, 200], [500, 350], [420, 500]);

    await setTool(page, 'rectangle');
    await drag(page, a.page, b.page);
    let s = await last(page);
    expect(s.geometry.kind).toBe('rectangle');
    near(s.geometry, a.image);
    near({ x: s.geometry.width, y: s.geometry.height }, { x: w, y: h });
    expect(s.properties.measurements.unit).toBe('µm');
    expect(s.properties.measurements.area / (w * MPP * h * MPP)).toBeCloseTo(1, 2);
    await expect(page.locator('.wsi-measure')).toBeHidden();

    await setTool(page, 'ellipse');
    await drag(page, a.page, b.page);
    s = await last(page);
    near(s.geometry.center, { x: a.image.x + w / 2, y: a.image.y + h / 2 });
    near({ x: s.geometry.radius_x, y: s.geometry.radius_y }, { x: w / 2, y: h / 2 });

    await setTool(page, 'circle');
    await drag(page, a.page, b.page);
    s = await last(page);
    near(s.geometry.center, a.image);
    expect(s.geometry.radius).toBeCloseTo(Math.hypot(w, h), 0);
    expect(s.properties.measurements.area / (Math.PI * (Math.hypot(w, h) * MPP) ** 2)).toBeCloseTo(1, 2);

    await setTool(page, 'line');
    await drag(page, a.page, b.page);
    s = await last(page);
    near(s.geometry.start, a.image);
    near(s.geometry.end, b.image);
    expect(s.properties.measurements.length / (Math.hypot(w, h) * MPP)).toBeCloseTo(1, 2);

    await setTool(page, 'point');
    await page.mouse.click(c.page.x, c.page.y);
    s = await last(page);
    near(s.geometry.point, c.image);

    await setTool(page, 'polygon');
    for (const p of [a, b, c]) await page.mouse.click(p.page.x, p.page.y);
    // Measured live while drawing.
    await expect(page.locator('.wsi-measure')).toContainText(/(µm|mm)² · perimeter/);
    await page.keyboard.press('Enter');
    s = await last(page);
    expect(s.geometry.kind).toBe('polygon');
    for (const [i, p] of [a, b, c].entries()) near(s.geometry.points[i], p.image);

    await setTool(page, 'polyline');
    await page.mouse.click(a.page.x, a.page.y);
    await page.mouse.click(c.page.x, c.page.y);
    await page.mouse.dblclick(b.page.x, b.page.y);
    s = await last(page);
    expect(s.geometry.kind).toBe('polyline');
    expect(s.geometry.points).toHaveLength(3);
    near(s.geometry.points[2], b.image);

    await setTool(page, 'freehand');
    await page.mouse.move(a.page.x, a.page.y);
    await page.mouse.down();
    for (const p of [b, c, a]) await page.mouse.move(p.page.x, p.page.y, { steps: 10 });
    await page.mouse.up();
    s = await last(page);
    expect([s.geometry.kind, s.properties.freehand]).toEqual(['polygon', true]);
    expect(s.geometry.points.length).toBeGreaterThan(10);

    const count = (await shapes(page)).length;
    await setTool(page, 'ruler');
    await drag(page, a.page, c.page);
    expect((await shapes(page)).length).toBe(count);
    await expect(page.locator('.wsi-measure')).toContainText('µm');

    expect(await centre(page)).toEqual(before);
    expect((await shapes(page)).map((x: { geometry: { kind: string } }) => x.geometry.kind)).toEqual([
      'rectangle',
      'ellipse',
      'circle',
      'line',
      'point',
      'polygon',
      'polyline',
      'polygon',
    ]);
  });

  test('panning and zooming stay available while a tool is active; select, move, edit a vertex, delete, undo', async ({ harness: page, servers }) => {
    await open(page, servers.slideUrl(CMU));
    const a = await at(page, 300, 200);
    const b = await at(page, 500, 350);
    await page.evaluate(([x, y, w, h]) => (window as any).viewer.annotations.add({ id: 'r', geometry: { kind: 'rectangle', x, y, width: w, height: h } }), [
      a.image.x,
      a.image.y,
      b.image.x - a.image.x,
      b.image.y - a.image.y,
    ] as const);
    // A click tool leaves dragging to pan; the wheel zooms with a drag tool active.
    await setTool(page, 'polygon');
    const before = await centre(page);
    await drag(page, (await at(page, 700, 500)).page, (await at(page, 800, 560)).page);
    expect(await centre(page)).not.toEqual(before);
    await setTool(page, 'rectangle');
    const zoom = await page.evaluate(() => (window as any).viewer.osd.viewport.getZoom(true));
    await page.mouse.move(640, 400);
    await page.mouse.wheel(0, -300);
    await expect.poll(() => page.evaluate(() => (window as any).viewer.osd.viewport.getZoom(true))).toBeGreaterThan(zoom);
    await page.evaluate(() => (window as any).viewer.osd.viewport.goHome(true));

    await setTool(page, 'select');
    const original = await page.evaluate(() => (window as any).viewer.annotations.get('r').geometry);
    const inside = await at(page, 400, 275);
    await page.mouse.click(inside.page.x, inside.page.y);
    expect(await page.evaluate(() => (window as any).viewer.annotations.selected)).toBe('r');
    const to = await at(page, 450, 305);
    await drag(page, inside.page, to.page);
    const moved = await page.evaluate(() => (window as any).viewer.annotations.get('r').geometry);
    near(moved, { x: original.x + (to.image.x - inside.image.x), y: original.y + (to.image.y - inside.image.y) });
    // The bottom-right handle stretches the box.
    const corner = await page.evaluate(() => {
      const g = (window as any).viewer.annotations.get('r').geometry;
      const p = (window as any).viewer.osd.world.getItemAt(0).imageToViewerElementCoordinates(new harness.OpenSeadragon.Point(g.x + g.width, g.y + g.height));
      return { x: p.x, y: p.y };
    });
    const stretched = await at(page, corner.x + 40, corner.y + 30);
    await drag(page, (await at(page, corner.x, corner.y)).page, stretched.page);
    const resized = await page.evaluate(() => (window as any).viewer.annotations.get('r').geometry);
    near({ x: resized.x + resized.width, y: resized.y + resized.height }, stretched.image);
    near(resized, moved);
    await page.keyboard.press('Delete');
    expect(await page.evaluate(() => (window as any).viewer.annotations.get('r'))).toBeUndefined();
    await page.keyboard.press('Control+z');
    expect(await page.evaluate(() => (window as any).viewer.annotations.get('r').geometry)).toEqual(resized);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    expect(await page.evaluate(() => (window as any).viewer.annotations.get('r').geometry)).toEqual(original);
  });

  test('the toolbar: ✎ opens the tools, a tool button is pressed, Escape cancels a polygon', async ({ harness: page, servers }) => {
    await open(page, servers.slideUrl(CMU));
    await page.locator('button[data-action="annotate"]').click();
    await expect(page.locator('.wsi-annotate')).toBeVisible();
    await page.locator('.wsi-annotate button[data-tool="polygon"]').click();
    await expect(page.locator('.wsi-annotate button[data-tool="polygon"]')).toHaveAttribute('aria-pressed', 'true');
    for (const [x, y] of [
      [300, 300],
      [400, 300],
    ]) {
      const p = await at(page, x!, y!);
      await page.mouse.click(p.page.x, p.page.y);
    }
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    expect(await shapes(page)).toEqual([]);
    // A selected shape takes the colour and label typed in the toolbar (one undo step each).
    await page.evaluate(() =>
      (window as any).viewer.annotations.add({ id: 'sel', geometry: { kind: 'rectangle', x: 100, y: 100, width: 400, height: 300 }, label: 'old' }),
    );
    await page.locator('.wsi-annotate button[data-tool="select"]').click();
    const inside = await page.evaluate(() => {
      const p = (window as any).viewer.osd.world.getItemAt(0).imageToViewerElementCoordinates(new harness.OpenSeadragon.Point(300, 250));
      return { x: p.x, y: p.y };
    });
    const sel = await at(page, inside.x, inside.y);
    await page.mouse.click(sel.page.x, sel.page.y);
    await expect(page.locator('input[data-annotate="label"]')).toHaveValue('old');
    await page.locator('input[data-annotate="label"]').fill('tumour bed');
    await page.locator('input[data-annotate="label"]').press('Enter');
    await page.locator('input[data-annotate="color"]').fill('#00aa55');
    expect(await page.evaluate(() => (window as any).viewer.annotations.get('sel'))).toMatchObject({ label: 'tumour bed', style: { color: '#00aa55' } });
    await page.evaluate(() => (window as any).viewer.annotations.remove('sel'));
    // Deselected: the inputs are back to what new shapes get.
    await expect(page.locator('input[data-annotate="label"]')).toHaveValue('');
    await page.locator('.wsi-annotate button[data-tool="point"]').click();
    const p = await at(page, 320, 330);
    await page.mouse.click(p.page.x, p.page.y);
    expect(await shapes(page)).toHaveLength(1);
    await expect(page.locator('.wsi-annotate button[data-annotate="undo"]')).toBeEnabled();
    await page.locator('.wsi-annotate button[data-annotate="undo"]').click();
    expect(await shapes(page)).toEqual([]);
    // Import: the file QuPath conventions were written from; what could not be read is said, the rest added.
    await page.locator('input[data-annotate="import-file"]').setInputFiles(`${REPO_ROOT}/test/fixtures/annotations/qupath-0.4.geojson`);
    await expect(page.locator('.wsi-measure')).toHaveText('qupath-0.4.geojson: 8 shapes added, 2 not readable');
    expect(await shapes(page)).toHaveLength(8);
    const download = page.waitForEvent('download');
    await page.locator('.wsi-annotate button[data-annotate="export"]').click();
    const file = await (await download).path();
    expect(JSON.parse(readFileSync(file, 'utf8')).features).toHaveLength(8);
  });

  test('a slide without annotations leaves the overlay canvas unsized; the first shape sizes it and is drawn', async ({ harness: page, servers }) => {
    await open(page, servers.slideUrl(CMU), {});
    const canvas = () =>
      page.evaluate(() => {
        const c = document.querySelector('canvas.wsi-annotations') as HTMLCanvasElement;
        return { width: c.width, frames: (window as any).viewer.annotations.renderStats().frames };
      });
    // Frames pass (the home view is drawn) without the overlay making a screen-sized backing store.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await canvas()).toEqual({ width: 300, frames: 0 });
    await page.evaluate(() => (window as any).viewer.annotations.add({ geometry: { kind: 'circle', center: { x: 900, y: 1200 }, radius: 50 } }));
    await expect.poll(async () => (await canvas()).frames).toBeGreaterThan(0);
    expect((await canvas()).width).toBeGreaterThan(300);
    await expect.poll(() => page.evaluate(() => (window as any).viewer.annotations.renderStats().shapesDrawn)).toBe(1);
  });

  test('no annotation operation requests slide bytes; shapes stay in IndexedDB across a reload', async ({ harness: page, servers }) => {
    const server = servers.slides.real.server;
    await open(page, servers.slideUrl(CMU), {});
    const before = server.requestsFor(CMU).length;
    await page.evaluate(() => {
      const ann = (window as any).viewer.annotations;
      for (let i = 0; i < 500; i++) ann.add({ geometry: { kind: 'circle', center: { x: 100 + i * 3, y: 900 }, radius: 5 } });
      const text = ann.export('geojson');
      ann.import(text);
      ann.export('aperio');
      ann.hit({ x: 100, y: 900 });
      ann.undo();
      ann.setTool('rectangle');
    });
    const a = await at(page, 300, 200);
    const b = await at(page, 450, 330);
    await drag(page, a.page, b.page);
    await page.evaluate(() => (window as any).viewer.annotations.flush());
    expect(server.requestsFor(CMU).length - before).toBe(0);
    const saved = await page.evaluate(() => (window as any).viewer.annotations.list().map((x: { id: string }) => x.id));
    expect(saved).toHaveLength(501);

    await page.reload();
    await expect(page).toHaveTitle('ready');
    await open(page, servers.slideUrl(CMU), {});
    expect(await page.evaluate(() => (window as any).viewer.annotations.storage)).toMatch(/^IndexedDB/);
    expect(await page.evaluate(() => (window as any).viewer.annotations.list().map((x: { id: string }) => x.id))).toEqual(saved);
  });

  test('import reports bad features and keeps the rest; the overlay draws 20,000 polygons and hit-tests among them', async ({ harness: page, servers }) => {
    await open(page, servers.slideUrl(CMU));
    const result = await page.evaluate(() => {
      const features = [];
      for (let i = 0; i < 20_000; i++) {
        const x = (i % 200) * 11;
        const y = Math.floor(i / 200) * 16;
        features.push({
          type: 'Feature',
          id: `cell-${i}`,
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [x, y],
                [x + 8, y],
                [x + 8, y + 8],
                [x, y + 8],
                [x, y],
              ],
            ],
          },
          properties: { objectType: 'annotation' },
        });
      }
      features.push({ type: 'Feature', geometry: { type: 'GeometryCollection', geometries: [] }, properties: {} });
      const ann = (window as any).viewer.annotations;
      const r = ann.import(JSON.stringify({ type: 'FeatureCollection', features }));
      return {
        added: r.added.length,
        problems: r.problems,
        hit: ann.hit({ x: 11 * 3 + 4, y: 16 * 2 + 4 })?.id,
        miss: ann.hit({ x: 11 * 3 + 9.5, y: 16 * 2 + 12 }, 0.1) ?? null,
      };
    });
    expect(result).toEqual({
      added: 20_000,
      problems: [{ index: 20_000, message: 'unsupported GeoJSON geometry: GeometryCollection', kept: false }],
      hit: 'cell-403',
      miss: null,
    });
    await expect.poll(() => page.evaluate(() => (window as any).viewer.annotations.renderStats().shapesDrawn)).toBeGreaterThan(10_000);
    // The overlay really painted them: the view's pixels over a cell differ from the same view without shapes.
    const withShapes = await page.locator(CANVAS).screenshot({ path: test.info().outputPath('with-shapes.png') });
    await page.evaluate(() => {
      const ann = (window as any).viewer.annotations;
      for (const a of ann.list()) ann.remove(a.id);
    });
    await page.waitForTimeout(100);
    expect(Buffer.compare(withShapes, await page.locator(CANVAS).screenshot({ path: test.info().outputPath('without-shapes.png') }))).not.toBe(0);
  });
});

test.describe('annotations saved through the sidecar', () => {
  let base: string;
  let close: () => Promise<void>;
  test.beforeAll(async () => {
    const sidecar = createSidecar({ store: new FolderStore(FIXTURES), host: '127.0.0.1', port: 0, pagesDir: `${REPO_ROOT}/build/pages` });
    base = await sidecar.listen();
    close = () => sidecar.close();
  });
  test.afterAll(async () => close?.());

  test('drawn shapes are created, edited and deleted on the sidecar, and load from it on the next visit', async ({ harness: page, servers }) => {
    const options = { sidecar: base, slideId: 'real/CMU-1-Small-Region.svs', author: 'dr-who' };
    await open(page, servers.slideUrl(CMU), options);
    const a = await at(page, 300, 200);
    const b = await at(page, 450, 330);
    await setTool(page, 'rectangle');
    await drag(page, a.page, b.page);
    await page.evaluate(() => {
      const ann = (window as any).viewer.annotations;
      const [r] = ann.list();
      ann.update(r.id, { label: 'tumour' });
      ann.add({ id: 'gone', geometry: { kind: 'point', point: { x: 1, y: 2 } } });
      ann.remove('gone');
      return ann.flush();
    });
    const stored = await (await fetch(`${base}/slides/${encodeURIComponent(options.slideId)}/annotations`)).json();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ label: 'tumour', author_id: 'dr-who', annotation_type: 'rectangle' });
    near(stored[0].geometry, a.image);

    await page.reload();
    await expect(page).toHaveTitle('ready');
    await open(page, servers.slideUrl(CMU), options);
    const loaded = await shapes(page);
    expect(loaded.map((x: { id: string; label: string }) => [x.id, x.label])).toEqual([[stored[0].id, 'tumour']]);
  });

  test('`{ sidecar }` alone keeps the shapes under the slide’s identity', async ({ harness: page, servers }) => {
    await open(page, servers.slideUrl(CMU), { sidecar: base });
    const sourceId = await page.evaluate(async () => {
      const viewer = (window as any).viewer;
      viewer.annotations.add({ id: 'by-identity', geometry: { kind: 'point', point: { x: 9, y: 9 } } });
      await viewer.annotations.flush();
      return viewer.slide.sourceId;
    });
    const stored = await (await fetch(`${base}/slides/${encodeURIComponent(sourceId)}/annotations`)).json();
    expect(stored.map((x: { id: string }) => x.id)).toEqual(['by-identity']);
  });

  test('a sidecar that fails: the change is kept and sent again when it answers', async ({ harness: page, servers }) => {
    await open(page, servers.slideUrl(CMU), { sidecar: base, slideId: 'retry.svs' });
    let failures = 0;
    await page.route(`${base}/slides/retry.svs/annotations`, async (route) => {
      if (route.request().method() === 'POST' && failures++ < 2) return route.fulfill({ status: 503, body: 'restarting' });
      return route.continue();
    });
    const events = await page.evaluate(async () => {
      const ann = (window as any).viewer.annotations;
      const seen: string[] = [];
      ann.on('annotation-save-failed', (e: { error: { code: string }; retrying: boolean }) => seen.push(`${e.error.code} ${e.retrying}`));
      ann.add({ id: 'kept', geometry: { kind: 'point', point: { x: 5, y: 5 } } });
      await ann.flush();
      return seen;
    });
    expect(events).toEqual(['http_503 true', 'http_503 true']);
    const stored = await (await fetch(`${base}/slides/retry.svs/annotations`)).json();
    expect(stored.map((x: { id: string }) => x.id)).toEqual(['kept']);
  });
});

test.describe('annotations by touch, on a phone', () => {
  test.use({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } });

  test('every kind drawn by touch lands at the level-0 pixels under the finger: drags for drag tools, taps (a double tap finishes) for the others', async ({
    harness: page,
    servers,
  }) => {
    await open(page, servers.slideUrl(CMU));
    const cdp = await page.context().newCDPSession(page);
    const touch = async (type: 'touchStart' | 'touchMove' | 'touchEnd', p?: { x: number; y: number }) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: p ? [{ x: p.x, y: p.y, id: 1, radiusX: 1, radiusY: 1, force: 1 }] : [] });
    const swipe = async (from: { x: number; y: number }, via: Array<{ x: number; y: number }>) => {
      await touch('touchStart', from);
      let last = from;
      for (const to of via) {
        for (let i = 1; i <= 10; i++) await touch('touchMove', { x: last.x + ((to.x - last.x) * i) / 10, y: last.y + ((to.y - last.y) * i) / 10 });
        last = to;
      }
      await touch('touchEnd');
    };
    const { a, b, c, before, w, h } = await threePlaces(page, [80, 250], [260, 420], [150, 560]);

    await setTool(page, 'rectangle');
    await swipe(a.page, [b.page]);
    const rect = await last(page);
    expect(rect.geometry.kind).toBe('rectangle');
    near(rect.geometry, a.image, 1);
    near({ x: rect.geometry.x + rect.geometry.width, y: rect.geometry.y + rect.geometry.height }, b.image, 1);
    expect(rect.properties.measurements.area / (w * MPP * h * MPP)).toBeCloseTo(1, 1);

    await setTool(page, 'ellipse');
    await swipe(a.page, [b.page]);
    near((await last(page)).geometry.center, { x: a.image.x + w / 2, y: a.image.y + h / 2 }, 1);
    await setTool(page, 'circle');
    await swipe(a.page, [b.page]);
    expect((await last(page)).geometry.radius / Math.hypot(w, h)).toBeCloseTo(1, 1);
    await setTool(page, 'line');
    await swipe(a.page, [b.page]);
    near((await last(page)).geometry.end, b.image, 1);
    await setTool(page, 'freehand');
    await swipe(a.page, [b.page, c.page, a.page]);
    expect((await last(page)).properties.freehand).toBe(true);

    await setTool(page, 'point');
    await page.touchscreen.tap(c.page.x, c.page.y);
    await expect.poll(async () => (await last(page)).geometry.kind).toBe('point');
    near((await last(page)).geometry.point, c.image, 1);

    for (const kind of ['polygon', 'polyline']) {
      await setTool(page, kind);
      await page.touchscreen.tap(a.page.x, a.page.y);
      await page.waitForTimeout(400);
      await page.touchscreen.tap(b.page.x, b.page.y);
      await page.waitForTimeout(400);
      // A double tap on the last vertex finishes the shape.
      await page.touchscreen.tap(c.page.x, c.page.y);
      await page.touchscreen.tap(c.page.x, c.page.y);
      await expect.poll(async () => (await last(page)).geometry.kind).toBe(kind);
      const points = (await last(page)).geometry.points;
      expect(points).toHaveLength(3);
      for (const [i, p] of [a, b, c].entries()) near(points[i], p.image, 1);
    }
    expect(await centre(page)).toEqual(before);
    expect((await shapes(page)).map((x: { geometry: { kind: string } }) => x.geometry.kind)).toEqual([
      'rectangle',
      'ellipse',
      'circle',
      'line',
      'polygon',
      'point',
      'polygon',
      'polyline',
    ]);

    // Choosing a tool opened the tools: on a phone, a wrapped row of 44-px buttons; the toggle closes them.
    await expect(page.locator('.wsi-annotate')).toBeVisible();
    const box = (await page.locator('.wsi-annotate button[data-tool="select"]').boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: test.info().outputPath('phone-annotations.png') });
    await page.locator('button[data-action="annotate"]').tap();
    await expect(page.locator('.wsi-annotate')).toBeHidden();
    expect(await page.evaluate(() => (window as any).viewer.annotations.tool)).toBeNull();
  });
});
