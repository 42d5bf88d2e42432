/**
 * `npm run fuzz -- [--cases N] [--seconds N] [--seed S] [--big]`: mutation fuzzing over the fixtures (with `--big`,
 * over make-big-slide N=11 instead: the only layout whose middle levels the open predicts), until N cases are done or
 * the time is up (whichever comes first; without either, 60 s); prints the outcomes and every finding to replay.
 */
import { parseArgs } from 'node:util';
import { bigSlide } from '../support/big-slide.js';
import { fuzz } from './fuzz.js';

const { values } = parseArgs({
  options: { cases: { type: 'string' }, seconds: { type: 'string' }, seed: { type: 'string' }, big: { type: 'boolean' } },
  strict: true,
});
const whole = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a whole number, not "${value}".`);
  return Number(value);
};
const cases = whole('cases', values.cases);
const seconds = whole('seconds', values.seconds) ?? (cases === undefined ? 60 : undefined);
const seed = whole('seed', values.seed) ?? Date.now() % 1_000_000_000;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
/** A progress line this often, so a run stopped early still says how far it got and what it saw. */
const PROGRESS_EVERY = 500;
const report = await fuzz({
  ...(values.big ? { files: [bigSlide(11).path] } : {}),
  cases: cases ?? Number.MAX_SAFE_INTEGER,
  firstSeed: seed,
  ...(seconds === undefined ? {} : { deadline: started + seconds * 1000 }),
  onCase(progress, finding) {
    if (finding) console.log(`FINDING ${finding.file} seed ${finding.seed} (${finding.what}): ${finding.detail}`);
    if (progress.cases % PROGRESS_EVERY === 0) console.log(`${progress.cases} cases, ${elapsed()}: ${JSON.stringify(progress.outcomes)}`);
  },
});
console.log(`${report.cases} cases from seed ${seed} in ${elapsed()}`);
console.log(JSON.stringify(report.outcomes, null, 2));
console.log(`${report.findings.length} findings (each printed as a FINDING line when it came)`);
process.exitCode = report.findings.length > 0 ? 1 : 0;
