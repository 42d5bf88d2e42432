import { readFileSync } from 'node:fs';

/** The package's version (Node only): from package.json, one level up from both src/ and dist/. */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
