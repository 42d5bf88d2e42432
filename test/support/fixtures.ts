import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared fixtures, read in place: `../shared/fixtures` beside the clone, or WSI_FIXTURES. */
export const FIXTURES = resolve(process.env.WSI_FIXTURES ?? join(root, '../shared/fixtures'));
if (!existsSync(join(FIXTURES, 'reference'))) {
  throw new Error(`Shared fixtures not found at ${FIXTURES}: check out shared/ beside the repository or set WSI_FIXTURES.`);
}
const REFERENCE = join(FIXTURES, 'reference');

export interface ReferenceTile {
  level: number;
  x: number;
  y: number;
  width: number;
  height: number;
  png: string;
}

/** What OpenSlide reports for a TIFF/SVS fixture: the JSONs at the top of `reference/`. */
export interface Reference {
  file: string;
  size: number;
  vendor?: string;
  openslide_error?: string;
  level_count?: number;
  levels?: Array<{ width: number; height: number; downsample: number; tile: [number, number] }>;
  mpp_x?: number | null;
  mpp_y?: number | null;
  objective_power?: string | null;
  associated?: Record<string, [number, number]> | null;
  properties?: Record<string, string>;
  tiff_pages?: Array<{ page: number; width: number; height: number; tiled: boolean; compression: number; photometric: number }>;
  reference_tiles?: ReferenceTile[];
}

/**
 * The kinds of reference the fixtures README describes, each in its own place under `reference/`. A fixture
 * has one or more (an ICC slide is also an OpenSlide one); a fixture with none is not a slide (boxes.png).
 */
export type ReferenceKind = 'openslide' | 'ndpi' | 'dicom' | 'ome' | 'icc';
const REFERENCE_JSON: Record<ReferenceKind, (name: string) => string> = {
  openslide: (name) => join(REFERENCE, `${name}.json`),
  ndpi: (name) => join(REFERENCE, 'ndpi', `${name}.json`),
  dicom: (name) => join(REFERENCE, 'dicom', `${name}.json`),
  ome: (name) => join(REFERENCE, 'ome', `${name}.subifd.json`),
  icc: (name) => join(REFERENCE, 'icc', `${name}.icc.json`),
};

/** How a fixture is read: one TIFF-structured file, one NDPI file, or DICOM (a file or a folder holding a series). */
export type FixtureContainer = 'tiff' | 'ndpi' | 'dicom';

export interface Fixture {
  /** File or folder name, unique across the fixtures: what tests name a fixture by. */
  name: string;
  /** Path relative to the fixtures root with '/' separators, e.g. `generated/icc-adobergb-cmu.svs`: also the URL path under it. */
  id: string;
  /** Absolute path. */
  path: string;
  kinds: ReferenceKind[];
  container: FixtureContainer;
}

function containerOf(kinds: ReferenceKind[]): FixtureContainer {
  if (kinds.includes('dicom')) return 'dicom';
  if (kinds.includes('ndpi')) return 'ndpi';
  return 'tiff';
}

/** Walks `real/` and `generated/`: every entry with a reference of some kind is a fixture; other folders are searched. */
function walk(dir: string, out: Fixture[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    const kinds = (Object.keys(REFERENCE_JSON) as ReferenceKind[]).filter((kind) => existsSync(REFERENCE_JSON[kind](entry.name)));
    if (kinds.length) out.push({ name: entry.name, id: relative(FIXTURES, path).split(sep).join('/'), path, kinds, container: containerOf(kinds) });
    else if (entry.isDirectory()) walk(path, out);
  }
}

/** Every fixture slide, in path order. */
export const catalogue: readonly Fixture[] = (() => {
  const out: Fixture[] = [];
  for (const top of ['real', 'generated']) walk(join(FIXTURES, top), out);
  const seen = new Set<string>();
  for (const f of out) {
    if (seen.has(f.name)) throw new Error(`Two fixtures are named ${f.name}: the catalogue looks fixtures up by name.`);
    seen.add(f.name);
  }
  return out;
})();

/** The fixture of that name (a file or series folder name), or a clear error. */
export function fixture(name: string): Fixture {
  const found = catalogue.find((f) => f.name === name || f.id === name);
  if (!found) throw new Error(`No fixture ${name} under ${FIXTURES} (the catalogue knows ${catalogue.map((f) => f.name).join(', ')}).`);
  return found;
}

/** Absolute path of a fixture by name, wherever it lives (real/, generated/ or a folder below them). */
export function fixturePath(name: string): string {
  return fixture(name).path;
}

/** A file beside the slides that is no slide itself (real/boxes.png, the image boxes.tiff was made from), by its path under the fixtures. */
export function companionFile(id: string): string {
  const path = join(FIXTURES, ...id.split('/'));
  if (!existsSync(path)) throw new Error(`No file ${id} under ${FIXTURES}.`);
  return path;
}

/** The fixtures that have a reference of this kind. */
export function fixturesOf(kind: ReferenceKind): Fixture[] {
  return catalogue.filter((f) => f.kinds.includes(kind));
}

/** A fixture's reference JSON of one kind, parsed. */
export function referenceJson<T>(name: string, kind: ReferenceKind): T {
  return JSON.parse(readFileSync(REFERENCE_JSON[kind](basename(fixture(name).path)), 'utf8')) as T;
}

/** The OpenSlide references (TIFF/SVS), in file order. */
export const references: Reference[] = fixturesOf('openslide')
  .map((f) => referenceJson<Reference>(f.name, 'openslide'))
  .sort((a, b) => (a.file < b.file ? -1 : 1));

/** A reference PNG by its path relative to `reference/` (the OpenSlide JSONs' `png` fields). */
export function referencePng(png: string): string {
  return join(REFERENCE, png);
}

/** The files of a DICOM fixture: the file itself, or every file of its series folder. */
export function dicomFiles(name: string): string[] {
  const { path } = fixture(name);
  return statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .map((f) => join(path, f))
    : [path];
}

export const REPO_ROOT = root;

/** A tile of the repository's Display P3 references (scripts/make-display-p3-reference.py, LittleCMS through Pillow). */
export interface DisplayP3Tile extends ReferenceTile {
  /** `png`: the stored-pixel tile, relative to the shared `reference/icc/`. This: the same tile in Display P3, an absolute path. */
  p3Png: string;
}

/** The Display P3 reference tiles of an ICC fixture. */
export function displayP3Tiles(name: string): DisplayP3Tile[] {
  const folder = join(root, 'test/references/display-p3');
  const { reference_tiles } = JSON.parse(readFileSync(join(folder, `${name}.json`), 'utf8')) as {
    reference_tiles: Array<Omit<DisplayP3Tile, 'p3Png'> & { p3_png: string }>;
  };
  return reference_tiles.map(({ p3_png, ...t }) => ({ ...t, p3Png: join(folder, p3_png) }));
}
