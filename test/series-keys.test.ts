import { describe, expect, it } from 'vitest';
import { type ListedSlide, SeriesKeyGrouper } from '../src/sidecar/series-keys.js';

/** Slide ids of a whole listing, in one pass as S3 gives it (keys in order), from `root` resuming after `after`. */
function group(keys: string[], root = '', after?: string): ListedSlide[] {
  const grouper = new SeriesKeyGrouper(root, after);
  return [...[...keys].sort().flatMap((k) => grouper.push(k)), ...grouper.end()];
}
const ids = (keys: string[], root?: string, after?: string) => group(keys, root, after).map((s) => s.id);

describe('slide ids from a flat key listing', () => {
  it('a folder of nothing but DICOM files is one slide named by the folder; its last key is the resume point', () => {
    expect(group(['a/s/1.dcm', 'a/s/2.dcm', 'b.svs'])).toEqual([
      { id: 'a/s', lastKey: 'a/s/2.dcm' },
      { id: 'b.svs', lastKey: 'b.svs' },
    ]);
  });

  it('DICOM files beside anything else, before or after them in key order, are slides of their own', () => {
    // '.' sorts before '/', so a sub-folder's keys fall between a folder's own files.
    expect(ids(['m/a.dcm', 'm/b/x.svs', 'm/c.dcm'])).toEqual(['m/a.dcm', 'm/b/x.svs', 'm/c.dcm']);
    expect(ids(['m/a.dcm', 'm/notes.txt'])).toEqual(['m/a.dcm']);
    expect(ids(['m/0.svs', 'm/a.dcm'])).toEqual(['m/0.svs', 'm/a.dcm']);
    expect(ids(['m/a.dcm', 'm/z/y.dcm'])).toEqual(['m/a.dcm', 'm/z']);
  });

  it('the root folder is never a series; hidden files and folder markers are ignored', () => {
    expect(ids(['lab/a.dcm', 'lab/b.dcm'], 'lab/')).toEqual(['lab/a.dcm', 'lab/b.dcm']);
    expect(ids(['lab/s/', 'lab/s/.DS_Store', 'lab/s/1.dcm'], 'lab/')).toEqual(['lab/s']);
    expect(ids(['x.txt', 'y.jpg'])).toEqual([]);
  });

  it('a listing narrowed inside a folder cannot see the whole folder, so it lists its files one by one', () => {
    expect(ids(['lab/s/1.dcm', 'lab/s/10.dcm'], 'lab/s/1')).toEqual(['lab/s/1.dcm', 'lab/s/10.dcm']);
    expect(ids(['lab/s/1.dcm'], 'lab/s')).toEqual(['lab/s']);
  });

  it('resuming in the middle of a folder (a page ended there) keeps its remaining files single', () => {
    expect(ids(['m/b.dcm', 'm/c.dcm'], '', 'm/a.svs')).toEqual(['m/b.dcm', 'm/c.dcm']);
    expect(ids(['n/b.dcm'], '', 'm/z.dcm')).toEqual(['n']);
  });
});
