/**
 * `npm run fuzz -- [--cases N] [--seconds N] [--seed S]`: mutation fuzzing over the fixtures, until N cases are done
 * or the time is up (whichever comes first; without either, 60 s); prints the outcomes and every finding to replay.
 */
import { parseArgs } from 'node:util';
import { fuzz } from './fuzz.js';

const { values } = parseArgs({
  options: { cases: { type: 'string' }, seconds: { type: 'string' }, seed: { type: 'string' } },
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
const report = await fuzz({
  cases: cases ?? Number.MAX_SAFE_INTEGER,
  firstSeed: seed,
  ...(seconds === undefined ? {} : { deadline: started + seconds * 1000 }),
});
console.log(`${report.cases} cases from seed ${seed} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(JSON.stringify(report.outcomes, null, 2));
for (const f of report.findings) console.log(`FINDING ${f.file} seed ${f.seed} (${f.what}): ${f.detail}`);
process.exitCode = report.findings.length > 0 ? 1 : 0;
