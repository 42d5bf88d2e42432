import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared fixtures, read in place: `../shared/fixtures` beside the clone, or WSI_FIXTURES. */
export const FIXTURES = resolve(process.env.WSI_FIXTURES ?? join(root, '../shared/fixtures'));
if (!existsSync(join(FIXTURES, 'reference'))) {
  throw new Error(`Shared fixtures not found at ${FIXTURES}: check out shared/ beside the repository or set WSI_FIXTURES.`);
}

export interface ReferenceTile {
  level: number;
  x: number;
  y: number;
  width: number;
  height: number;
  png: string;
}

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

export const references: Reference[] = readdirSync(join(FIXTURES, 'reference'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(FIXTURES, 'reference', f), 'utf8')) as Reference);

/** Path of a fixture by file name, wherever it lives (real/ or generated/). */
export function fixturePath(file: string): string {
  for (const dir of ['real', 'generated']) {
    const p = join(FIXTURES, dir, file);
    if (existsSync(p)) return p;
  }
  throw new Error(`fixture ${file} not found under ${FIXTURES}`);
}

export function referencePng(png: string): string {
  return join(FIXTURES, 'reference', png);
}

export const REPO_ROOT = root;
