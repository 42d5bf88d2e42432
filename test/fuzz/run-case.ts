import { nodeCodecs } from '../../src/codec/node-codecs.js';
import { SlideError } from '../../src/errors.js';
import { openSlide } from '../../src/slide/open-slide.js';
import type { RangeSource } from '../../src/source/range-source.js';

export type CaseOutcome = { kind: 'ok' } | { kind: 'slide-error'; code: string } | { kind: 'finding'; detail: string };

const codecs = nodeCodecs();
/** Every case must end within this; a real slide opens and decodes a few tiles in a few milliseconds. */
export const CASE_TIME_LIMIT_MS = 5_000;

/** Open, read a few tiles (of every channel) and the associated images, decode them: a result or a SlideError, nothing else. */
async function exercise(source: RangeSource): Promise<void> {
  const slide = await openSlide(source);
  for (const [i, level] of slide.levels.entries()) {
    for (const [x, y] of [
      [0, 0],
      [level.tilesX - 1, level.tilesY - 1],
      [Math.floor(level.tilesX / 2), Math.floor(level.tilesY / 2)],
    ] as const) {
      await codecs.decode(await slide.readTile(i, x, y));
      // Every further channel of a fluorescence slide, as the viewer composites them.
      for (let channel = 1; channel < (slide.channels?.length ?? 1); channel++) await codecs.decodePlane(await slide.readTile(i, x, y, { channel }));
    }
  }
  for (const name of slide.associated) await codecs.decodeImage(await slide.readAssociated(name));
}

export async function runCase(source: RangeSource): Promise<CaseOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<CaseOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'finding', detail: `no answer within ${CASE_TIME_LIMIT_MS} ms` }), CASE_TIME_LIMIT_MS);
  });
  const work = exercise(source).then(
    (): CaseOutcome => ({ kind: 'ok' }),
    (e: unknown): CaseOutcome => {
      if (!SlideError.is(e)) return { kind: 'finding', detail: `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
      // The harness only ever passes valid arguments: this code means a value from the file reached a read unchecked.
      if (e.code === 'invalid_argument') return { kind: 'finding', detail: `a file value passed as an invalid argument: ${e.message}` };
      return { kind: 'slide-error', code: e.code };
    },
  );
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
