import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fixturePath } from '../support/fixtures.js';
import { layoutOf } from './layout.js';
import { MutatedSource } from './mutated-source.js';
import { mutate, rng } from './mutations.js';
import { runCase, type CaseOutcome } from './run-case.js';

export const FUZZ_FIXTURES = [
  'CMU-1-Small-Region.svs',
  'small.svs',
  'boxes.tiff',
  'yb10kx5k.zstd.tiff',
  'aperio-jp2k-33005-256.svs',
  'aperio-jpeg-ycbcr-240.svs',
  'aperio-jp2k-33003-240.svs',
  'test3-TRITC-2-560.ndpi',
  'hubmap-multi-channel-8level.ome.tif',
  'ome-brightfield-cmu.ome.tif',
  'gcp-jpeg.dcm',
  'gcp-jpeg2000.dcm',
  'highdicom-sm_image_jpegls.dcm',
];

/** Bytes still held in ArrayBuffers after a case (and a full collection) beyond this mean something kept them. */
const MEMORY_LIMIT = 512 * 1024 * 1024;

// A full collection before a case is called a leak: a case that allocates a few hundred MB on its way to an error
// (a hostile tile size within the limits) leaves them uncollected for a while, and every later case looked as if
// it held them (a 30,000-case run reported 13 such "findings" in a row, none of which held anything after a GC).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** ArrayBuffer bytes still held once garbage is collected; the collection runs only when the cheap count is over. */
function heldAfterCollection(): number {
  const held = process.memoryUsage().arrayBuffers;
  if (held <= MEMORY_LIMIT) return held;
  collectGarbage();
  return process.memoryUsage().arrayBuffers;
}

export interface FuzzReport {
  cases: number;
  outcomes: Record<string, number>;
  findings: Array<{ file: string; seed: number; what: string; detail: string }>;
}

/** Case `seed` of a fixture: the same seed always builds the same mutant. */
export async function fuzzCase(
  file: string,
  bytes: Uint8Array,
  layout: Awaited<ReturnType<typeof layoutOf>>,
  seed: number,
): Promise<{ what: string; outcome: CaseOutcome }> {
  const mutant = mutate(bytes, layout, rng(seed));
  const outcome = await runCase(new MutatedSource(bytes, mutant.patches, mutant.size, `${file}#${seed}`));
  const held = heldAfterCollection();
  if (outcome.kind !== 'finding' && held > MEMORY_LIMIT)
    return { what: mutant.what, outcome: { kind: 'finding', detail: `${held} bytes held in ArrayBuffers after the case` } };
  return { what: mutant.what, outcome };
}

/** Runs cases round-robin over the fixtures from `firstSeed` until `cases` are done or `deadline` passes. */
export async function fuzz(options: {
  /** Paths of the slides to mutate; the fixtures of FUZZ_FIXTURES unless given. */
  files?: string[];
  cases: number;
  firstSeed: number;
  deadline?: number;
  /** Called after every case: a long run shows how far it got, and its findings as they come. */
  onCase?: (report: FuzzReport, finding?: FuzzReport['findings'][number]) => void;
}): Promise<FuzzReport> {
  const files = await Promise.all(
    (options.files ?? FUZZ_FIXTURES.map(fixturePath)).map(async (path) => {
      const bytes = new Uint8Array(readFileSync(path));
      return { file: basename(path), bytes, layout: await layoutOf(bytes) };
    }),
  );
  const report: FuzzReport = { cases: 0, outcomes: {}, findings: [] };
  for (let i = 0; i < options.cases && (options.deadline === undefined || Date.now() < options.deadline); i++) {
    const { file, bytes, layout } = files[i % files.length]!;
    const seed = options.firstSeed + i;
    const { what, outcome } = await fuzzCase(file, bytes, layout, seed);
    report.cases++;
    const key = outcome.kind === 'slide-error' ? outcome.code : outcome.kind;
    report.outcomes[key] = (report.outcomes[key] ?? 0) + 1;
    const finding = outcome.kind === 'finding' ? { file, seed, what, detail: outcome.detail } : undefined;
    if (finding) report.findings.push(finding);
    options.onCase?.(report, finding);
  }
  return report;
}
