/**
 * The reader alone, in Node: requests, bytes and time to open a big slide and read+decode 1,000 random tiles
 * over loopback HTTP, ours against geotiff.js reading the same tiles. `npm run bench:reader [-- --big]`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fromUrl, getDecoder } from 'geotiff';
import { nodeCodecs } from '../src/codec/node-codecs.js';
import { openSlide } from '../src/index.js';
import { RangeServer } from '../test/support/range-server.js';
import { FIXTURES, REPO_ROOT } from '../test/support/fixtures.js';

const n = process.argv.includes('--big') ? 40 : 11;
const TILES = 1000;
const CONCURRENCY = 8;
const dir = join(REPO_ROOT, 'bench/.slides');
const file = `big-${n}.tif`;
if (!existsSync(join(dir, file))) {
  mkdirSync(dir, { recursive: true });
  execFileSync(join(FIXTURES, '../tools/make-big-slide.sh'), [join(dir, file), String(n)], { stdio: 'inherit' });
}
const server = new RangeServer({ root: dir });
const base = await server.start();
const url = `${base}/${file}`;

/** The same 1,000 level-0 tiles for both readers (seeded). */
function tiles(tilesX: number, tilesY: number): Array<[number, number]> {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  return Array.from({ length: TILES }, () => [Math.floor(next() * tilesX), Math.floor(next() * tilesY)]);
}

async function pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (i < items.length) await work(items[i++]!);
    }),
  );
}

async function measure(name: string, run: () => Promise<{ openMs: number; tilesMs: number; openLog: number }>) {
  const first = server.log.length;
  const r = await run();
  const log = server.log.slice(first);
  const open = log.slice(0, r.openLog);
  const rest = log.slice(r.openLog);
  return {
    name,
    openMs: r.openMs,
    openRequests: open.length,
    openBytes: open.reduce((s, x) => s + x.bytes, 0),
    tilesMs: r.tilesMs,
    tileRequests: rest.length,
    tileBytes: rest.reduce((s, x) => s + x.bytes, 0),
  };
}

const codecs = nodeCodecs();
const ours = await measure('wsi-stream', async () => {
  const t0 = performance.now();
  const slide = await openSlide(url);
  const openMs = performance.now() - t0;
  const openLog = server.log.length;
  const list = tiles(slide.levels[0]!.tilesX, slide.levels[0]!.tilesY);
  const t1 = performance.now();
  await pool(list, async ([x, y]) => void (await codecs.decode(await slide.readTile(0, x, y))));
  return { openMs, tilesMs: performance.now() - t1, openLog };
});
const startPeer = server.log.length;
const peer = await measure('geotiff.js', async () => {
  const t0 = performance.now();
  const tiff = await fromUrl(url);
  const image = await tiff.getImage(0);
  const openMs = performance.now() - t0;
  const openLog = server.log.length - startPeer;
  const list = tiles(Math.ceil(image.getWidth() / image.getTileWidth()), Math.ceil(image.getHeight() / image.getTileHeight()));
  // geotiff.js's own decoder for the file (its JPEG decoder is pure JavaScript; it is the peer's full read path).
  const decoder = await getDecoder(image.fileDirectory);
  const t1 = performance.now();
  await pool(list, async ([x, y]) => void (await image.getTileOrStrip(x, y, 0, decoder, undefined)));
  return { openMs, tilesMs: performance.now() - t1, openLog };
});
await server.stop();
console.log(`make-big-slide N=${n}, ${TILES} random level-0 tiles read and decoded, ${CONCURRENCY} at a time, loopback HTTP`);
console.log('| reader | open ms | open requests | open kB | tiles ms | tile requests | tile MB |\n|---|---|---|---|---|---|---|');
for (const r of [ours, peer])
  console.log(
    `| ${r.name} | ${r.openMs.toFixed(0)} | ${r.openRequests} | ${(r.openBytes / 1024).toFixed(0)} | ${r.tilesMs.toFixed(0)} | ${r.tileRequests} | ${(r.tileBytes / 1e6).toFixed(1)} |`,
  );
console.log(
  `ratios ours/geotiff.js: open requests ${(ours.openRequests / peer.openRequests).toFixed(2)}, open bytes ${(ours.openBytes / peer.openBytes).toFixed(2)}, tile requests ${(ours.tileRequests / peer.tileRequests).toFixed(2)}, tile bytes ${(ours.tileBytes / peer.tileBytes).toFixed(2)}, tiles time ${(ours.tilesMs / peer.tilesMs).toFixed(2)}`,
);
