import { readdir, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { SlideError } from '../errors.js';
import { isSlideKey } from '../slide/slide-key.js';
import { NodeFileSource } from '../source/node-file-source.js';
import type { ExpiringUrl } from '../source/url-provider.js';
import { ApiError } from './http-error.js';
import { decodeCursor, encodeCursor, type ListPage, type ListQuery, type SlideStore } from './store.js';

const MAX_ID_LENGTH = 1024;

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
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = resolve(dir, entry.name);
      if (entry.isDirectory()) await this.#walk(full, out);
      else if (entry.isFile() && isSlideKey(entry.name)) out.push(relative(this.root, full).split(sep).join('/'));
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

  source(id: string): NodeFileSource {
    return new NodeFileSource(this.path(id));
  }

  async url(id: string, ttlSeconds: number, baseUrl: string): Promise<ExpiringUrl> {
    this.path(id);
    return { url: `${baseUrl}/raw/${encodeURIComponent(id)}`, expiresAt: Date.now() + ttlSeconds * 1000 };
  }

  async check(): Promise<void> {
    const s = await stat(this.root).catch(() => undefined);
    if (!s?.isDirectory()) throw new SlideError('not_found', `${this.root} is not a folder.`);
  }
}
