/**
 * `npm run bench:zstd`: ZSTD tile decompression in Node, every tile of the ZSTD fixture (1024² RGB), ours (zstddec
 * behind our check of the frame headers) against zstddec alone (ZSTD compiled to WASM, what geotiff.js uses inside
 * LERC; geotiff.js itself has no ZSTD TIFF decoder) and against fzstd in JavaScript, our decoder before, sizing its
 * own buffers and writing into a caller's; medians of 5 passes.
 */
import { decompress } from 'fzstd';
import { ZSTDDecoder } from 'zstddec';
import { decompressBlock } from '../src/codec/samples-decoder.js';
import { NodeFileSource, openSlide } from '../src/node.js';
import type { EncodedTile } from '../src/slide/types.js';
import { fixturePath } from '../test/support/fixtures.js';

const slide = await openSlide(new NodeFileSource(fixturePath('yb10kx5k.zstd.tiff')));
const level = slide.levels[0]!;
const tiles: EncodedTile[] = [];
for (let y = 0; y < level.tilesY; y++) for (let x = 0; x < level.tilesX; x++) tiles.push(await slide.readTile(0, x, y));
await slide.close();
const size = (t: EncodedTile) => t.stored.width * t.stored.height * t.layout.samplesPerPixel;
const peer = new ZSTDDecoder();
await peer.init();

const decoders: Array<[string, (t: EncodedTile) => unknown]> = [
  ['wsi-stream (zstddec behind the header check)', (t) => decompressBlock(t, size(t))],
  ['zstddec 0.1 (WASM)', (t) => peer.decode(t.bytes, size(t))],
  ['fzstd 0.1 sizing its own buffers (ours before)', (t) => decompress(t.bytes)],
  ['fzstd 0.1 into a caller buffer (ours where zstddec cannot load)', (t) => decompress(t.bytes, new Uint8Array(size(t)))],
];
console.log(
  `${tiles.length} tiles of ${level.tileWidth}×${level.tileHeight}, ${(tiles.reduce((s, t) => s + t.bytes.length, 0) / 1024).toFixed(0)} kB compressed`,
);
console.log('| decoder | ms per tile (median of 5 passes) | vs zstddec |\n|---|---|---|');
const results = new Map<string, number>();
for (const [name, decode] of decoders) {
  const passes: number[] = [];
  for (let pass = 0; pass < 5; pass++) {
    const t0 = performance.now();
    for (const tile of tiles) await decode(tile);
    passes.push((performance.now() - t0) / tiles.length);
  }
  results.set(name, passes.sort((a, b) => a - b)[2]!);
}
const peerMs = results.get('zstddec 0.1 (WASM)')!;
for (const [name, ms] of results) console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms / peerMs).toFixed(2)} |`);
