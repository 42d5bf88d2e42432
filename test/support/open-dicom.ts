import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { NodeFileSource, openSlide, type Slide } from '../../src/node.js';
import { fixture } from './fixtures.js';

const opened: Slide[] = [];
afterAll(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** The files of a DICOM fixture: the file itself, or every file of its series folder. */
export function dicomFiles(name: string): string[] {
  const { path } = fixture(name);
  return statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .map((f) => join(path, f))
    : [path];
}

/** Opens a DICOM fixture (a file, or a folder as the list of its files), closed after the test file. */
export async function openDicomFixture(name: string): Promise<Slide> {
  const files = dicomFiles(name);
  const slide = await openSlide(files.length === 1 ? new NodeFileSource(files[0]!) : files.map((f) => new NodeFileSource(f)));
  opened.push(slide);
  return slide;
}
