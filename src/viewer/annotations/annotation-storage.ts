import { createStore, get, set, type UseStore } from 'idb-keyval';
import { fromForkJson, toForkAnnotation, toForkJson } from '../../annotations/formats/fork-json.js';
import type { Annotation } from '../../annotations/types.js';
import { SlideError } from '../../errors.js';

/** Where the viewer keeps a slide's annotations between visits. */
export interface AnnotationStorage {
  readonly description: string;
  /** Every call saves the whole list: queued changes can be saved by one call. */
  readonly wholeList?: boolean;
  load(signal?: AbortSignal): Promise<Annotation[]>;
  added(annotations: readonly Annotation[]): Promise<void>;
  changed(annotations: readonly Annotation[]): Promise<void>;
  removed(ids: readonly string[]): Promise<void>;
}

let idbStore: UseStore | undefined;

/**
 * IndexedDB, one entry per slide identity (the slide's `sourceId`): the same slide opened from another signed URL
 * finds its shapes. The whole list is written after each change, debounced by the caller's queue.
 */
export class IdbAnnotationStorage implements AnnotationStorage {
  readonly description: string;
  readonly wholeList = true;
  readonly #key: string;
  readonly #all: () => readonly Annotation[];

  constructor(slideIdentity: string, all: () => readonly Annotation[]) {
    this.#key = `annotations:${slideIdentity}`;
    this.#all = all;
    this.description = `IndexedDB (${slideIdentity})`;
  }

  #store(): UseStore {
    idbStore ??= createStore('wsi-stream-annotations', 'slides');
    return idbStore;
  }

  async load(): Promise<Annotation[]> {
    return ((await get<Annotation[]>(this.#key, this.#store())) ?? []).filter((a) => a && typeof a.id === 'string');
  }

  #save(): Promise<void> {
    return set(this.#key, [...this.#all()], this.#store());
  }

  added = () => this.#save();
  changed = () => this.#save();
  removed = () => this.#save();
}

export interface SidecarAnnotationOptions {
  /** The sidecar's base URL (`http://host:3000`). */
  sidecar: string;
  /** The slide's id on the sidecar. */
  slideId: string;
  /** Query parameters that authorise the slide's routes, e.g. `vt=…&exp=…` from the sidecar's viewer page (a function for a token that is renewed). */
  auth?: string | (() => string);
}

/** Shapes sent per import request: well under the sidecar's import limit. */
const IMPORT_CHUNK = 20_000;

/** The sidecar's annotation routes for one slide (only slide-scoped ones, which a viewer token may use). */
export class SidecarAnnotationStorage implements AnnotationStorage {
  readonly description: string;
  readonly #base: string;
  readonly #auth: () => string;
  readonly #slideId: string;

  constructor(options: SidecarAnnotationOptions) {
    this.#base = `${options.sidecar.replace(/\/$/, '')}/slides/${encodeURIComponent(options.slideId)}/annotations`;
    const auth = options.auth;
    this.#auth = () => (typeof auth === 'function' ? auth() : (auth ?? '')).replace(/^[?&]/, '');
    this.#slideId = options.slideId;
    this.description = `sidecar ${options.sidecar}`;
  }

  #url(path: string, query: Record<string, string> = {}): string {
    const q = new URLSearchParams(query).toString();
    const all = [q, this.#auth()].filter(Boolean).join('&');
    return `${this.#base}${path}${all ? `?${all}` : ''}`;
  }

  async #call(method: string, url: string, body?: string, signal?: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        ...(body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json' } }),
        ...(signal ? { signal } : {}),
      });
    } catch (cause) {
      throw new SlideError('network', `The sidecar did not answer ${method} ${this.#base} (${(cause as Error).message}); the change is kept and sent again.`, {
        cause,
      });
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    const code = response.status === 401 || response.status === 403 ? 'access_denied' : (`http_${response.status}` as const);
    throw new SlideError(code, `The sidecar refused ${method} ${this.#base}: ${response.status} ${text.slice(0, 300)}`);
  }

  async load(signal?: AbortSignal): Promise<Annotation[]> {
    const out: Annotation[] = [];
    // The list is capped at 10,000 per request: page until a short page.
    for (let offset = 0; ; offset += 10_000) {
      const text = await (await this.#call('GET', this.#url('', { limit: '10000', offset: String(offset) }), undefined, signal)).text();
      const page = fromForkJson(text, { slideId: this.#slideId }).annotations;
      out.push(...page);
      if (page.length < 10_000) return out;
    }
  }

  async added(annotations: readonly Annotation[]): Promise<void> {
    if (annotations.length === 1) {
      const a = annotations[0]!;
      const { slide_id: _slide, annotation_type: _type, bbox: _bbox, created_at: _c, updated_at: _u, ...body } = toForkAnnotation(a, this.#slideId);
      await this.#call('POST', this.#url(''), JSON.stringify(body));
      return;
    }
    for (let i = 0; i < annotations.length; i += IMPORT_CHUNK) {
      await this.#call('POST', this.#url('/import', { format: 'json' }), toForkJson(annotations.slice(i, i + IMPORT_CHUNK), this.#slideId));
    }
  }

  async changed(annotations: readonly Annotation[]): Promise<void> {
    for (const a of annotations) {
      const { geometry, style, label, author_id, properties } = toForkAnnotation(a, this.#slideId);
      await this.#call('PUT', this.#url(`/${encodeURIComponent(a.id)}`), JSON.stringify({ geometry, style, label, author_id, properties: properties ?? {} }));
    }
  }

  async removed(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.#call('DELETE', this.#url(`/${encodeURIComponent(id)}`));
  }
}
