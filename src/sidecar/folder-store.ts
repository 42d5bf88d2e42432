import { type Dirent, readdirSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { SlideError } from '../errors.js';
import { isDicomKey, isSlideKey } from '../slide/slide-key.js';
import { NodeFileSource } from '../source/node-file-source.js';
import type { ExpiringUrl } from '../source/url-provider.js';
import { ApiError } from './http-error.js';
import { decodeCursor, encodeCursor, type ListPage, type ListQuery, type SlideStore } from './store.js';

const MAX_ID_LENGTH = 1024;

/** A folder whose entries are all DICOM files (hidden files aside), at least one. */
function isSeriesFolder(entries: Dirent[]): boolean {
  const visible = entries.filter((e) => !e.name.startsWith('.'));
  return visible.length > 0 && visible.every((e) => e.isFile() && isDicomKey(e.name));
}

/** Slides in a local folder (and its sub-folders); ids are paths relative to it with "/" separators. */
export class FolderStore implements SlideStore {
  readonly root: string;
  readonly description: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.description = this.root;
  }

  /** The file for an id, refusing anything that would leave the folder (`..`, absolute paths, NUL, odd lengths). */
  path(id: string): string {
    if (
      id.length === 0 ||
      id.length > MAX_ID_LENGTH ||
      id.includes('\0') ||
      id.startsWith('/') ||
      id.split('/').some((part) => part === '..' || part === '.' || part === '')
    ) {
      throw new ApiError('not_found', `No slide "${id.slice(0, 200)}".`);
    }
    const path = resolve(this.root, ...id.split('/'));
    if (!path.startsWith(this.root + sep)) throw new ApiError('not_found', `No slide "${id.slice(0, 200)}".`);
    return path;
  }

  async #walk(dir: string, out: string[]): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    const id = (full: string) => relative(this.root, full).split(sep).join('/');
    // A folder of nothing but DICOM files is one slide, its series; DICOM files beside anything else are slides of their own.
    if (dir !== this.root && isSeriesFolder(entries)) {
      out.push(id(dir));
      return;
    }
    for (const entry of entries) {
      const full = resolve(dir, entry.name);
      if (entry.isDirectory()) await this.#walk(full, out);
      else if (entry.isFile() && (isSlideKey(entry.name) || isDicomKey(entry.name))) out.push(id(full));
    }
  }

  async list(query: ListQuery): Promise<ListPage> {
    const all: string[] = [];
    await this.#walk(this.root, all);
    const after = decodeCursor(query.cursor);
    const search = query.search?.toLowerCase();
    const matching = all
      .sort()
      .filter((k) => (!query.prefix || k.startsWith(query.prefix)) && (!search || k.toLowerCase().includes(search)) && (after === undefined || k > after));
    const slides = matching.slice(0, query.limit);
    return { slides, ...(matching.length > query.limit ? { nextCursor: encodeCursor(slides[slides.length - 1]!) } : {}) };
  }

  identity(id: string, baseUrl: string): string {
    return `${baseUrl}/raw/${encodeURIComponent(id)}`;
  }

  /** The ids of a series folder's DICOM files, in name order; undefined for a file; `not_found` for another folder. */
  #seriesFiles(id: string): string[] | undefined {
    const path = this.path(id);
    if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return undefined;
    const entries = readdirSync(path, { withFileTypes: true });
    if (!isSeriesFolder(entries)) throw new ApiError('not_found', `No slide "${id.slice(0, 200)}": the folder is not a DICOM series.`);
    return entries
      .filter((e) => e.isFile() && isDicomKey(e.name))
      .map((e) => `${id}/${e.name}`)
      .sort();
  }

  /** A file's source, or for a series folder the sources of its files (one DICOM instance each). */
  source(id: string): NodeFileSource | NodeFileSource[] {
    const files = this.#seriesFiles(id);
    return files ? files.map((file) => new NodeFileSource(this.path(file))) : new NodeFileSource(this.path(id));
  }

  async urls(id: string, ttlSeconds: number, baseUrl: string): Promise<Array<ExpiringUrl & { sourceId: string }>> {
    return (this.#seriesFiles(id) ?? [id]).map((file) => ({ ...this.#rawUrl(file, ttlSeconds, baseUrl), sourceId: this.identity(file, baseUrl) }));
  }

  #rawUrl(id: string, ttlSeconds: number, baseUrl: string): ExpiringUrl {
    return { url: `${baseUrl}/raw/${encodeURIComponent(id)}`, expiresAt: Date.now() + ttlSeconds * 1000 };
  }

  async url(id: string, ttlSeconds: number, baseUrl: string): Promise<ExpiringUrl> {
    if (statSync(this.path(id), { throwIfNoEntry: false })?.isDirectory()) {
      throw new ApiError(
        'unsupported_format',
        `"${id.slice(0, 200)}" is a DICOM series of several files: it has no single URL. Read it through /slides/{id} and /tiles.`,
      );
    }
    return this.#rawUrl(id, ttlSeconds, baseUrl);
  }

  async check(): Promise<void> {
    const s = await stat(this.root).catch(() => undefined);
    if (!s?.isDirectory()) throw new SlideError('not_found', `${this.root} is not a folder.`);
  }
}
