import { expect, it } from 'vitest';
import { fuzz } from './fuzz.js';

/**
 * One part of the CI fuzz run (the parts run in parallel): a fixed seed per part, so a failure replays
 * exactly with `npm run fuzz -- --seed N`.
 */
export function fuzzCiPart(part: number): void {
  it(`part ${part}: 1,000 mutants of every fixture end in a result or a SlideError, in time and bounded memory`, async () => {
    const report = await fuzz({ cases: 1000, firstSeed: 20_261_125 + part * 1000 });
    expect(report.cases).toBe(1000);
    expect(report.findings).toEqual([]);
    // The mutants really exercise both paths: some still open and decode, most fail with a typed error.
    expect(report.outcomes.ok ?? 0).toBeGreaterThan(100);
    expect(Object.keys(report.outcomes).length).toBeGreaterThan(3);
  }, 600_000);
}
