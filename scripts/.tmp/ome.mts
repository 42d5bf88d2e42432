import { readPngRgb } from '../../test/support/images.js';
import { referenceJson, referencePng } from '../../test/support/fixtures.js';
import { autoRange } from '../../src/viewer/channel-composite.js';
const ref = referenceJson<any>('hubmap-multi-channel-8level.ome.tif', 'ome');
for (const c of [0, 1, 2]) {
  const { rgb } = readPngRgb(referencePng(`ome/${ref.reference_tiles.find((t: any) => t.level === 0 && t.channel === c).png}`));
  const v = rgb.filter((_, i) => i % 3 === 0);
  let max = 0,
    nz = 0,
    sum = 0;
  for (const x of v) {
    max = Math.max(max, x);
    if (x) nz++;
    sum += x;
  }
  console.log(c, { max, nz, n: v.length, mean: sum / v.length, range: autoRange([{ width: 1, height: 1, bits: 8, values: v }], 8) });
}
