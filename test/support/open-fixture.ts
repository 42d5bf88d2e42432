import { afterAll } from 'vitest';
import { NodeFileSource, openSlide, type Slide } from '../../src/node.js';
import { fixturePath } from './fixtures.js';

const opened: Slide[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** Opens a shared fixture from disk; its file handle is closed after the test file. */
export async function openFixture(file: string): Promise<Slide> {
  const source = new NodeFileSource(fixturePath(file));
  try {
    const slide = await openSlide(source);
    opened.push(slide);
    return slide;
  } catch (e) {
    await source.close();
    throw e;
  }
}
