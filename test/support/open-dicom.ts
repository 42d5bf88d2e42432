import { afterAll } from 'vitest';
import { NodeFileSource, openSlide, type Slide } from '../../src/node.js';
import { dicomFiles } from './fixtures.js';

const opened: Slide[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** Opens a DICOM fixture (a file, or a folder as the list of its files), closed after the test file. */
export async function openDicomFixture(name: string): Promise<Slide> {
  const files = dicomFiles(name);
  const slide = await openSlide(files.length === 1 ? new NodeFileSource(files[0]!) : files.map((f) => new NodeFileSource(f)));
  opened.push(slide);
  return slide;
}
