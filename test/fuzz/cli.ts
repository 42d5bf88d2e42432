/** `npm run fuzz -- [--seconds N] [--seed S]`: mutation fuzzing for as long as asked; prints findings to replay. */
import { fuzz } from './fuzz.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const seconds = arg('seconds', 60);
const seed = arg('seed', Date.now() % 1_000_000_000);
const report = await fuzz({ cases: Number.MAX_SAFE_INTEGER, firstSeed: seed, deadline: Date.now() + seconds * 1000 });
console.log(`${report.cases} cases from seed ${seed} in ${seconds} s`);
console.log(JSON.stringify(report.outcomes, null, 2));
for (const f of report.findings) console.log(`FINDING ${f.file} seed ${f.seed} (${f.what}): ${f.detail}`);
process.exitCode = report.findings.length > 0 ? 1 : 0;
