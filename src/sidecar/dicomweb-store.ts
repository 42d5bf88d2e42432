import { type DicomWebOptions, dicomWebRequest } from '../dicom/dicomweb.js';
import type { ExpiringUrl } from '../source/url-provider.js';
import { ApiError } from './http-error.js';
import { decodeCursor, encodeCursor, type ListPage, type ListQuery, type SlideStore } from './store.js';

/** Study and series UIDs: digits and dots, as DICOM writes them. */
const UID = /^[0-9][0-9.]{0,63}$/;

/**
 * The slide-microscopy series of a DICOMweb server (a PACS, Orthanc, Google's or Azure's DICOM service): listed by
 * QIDO-RS (`/series?Modality=SM`), each one slide, its id `<StudyInstanceUID>/<SeriesInstanceUID>`, read by WADO-RS
 * as the library reads a `dicomweb:` name. Such a slide has no file URL: browsers read it from the server itself.
 */
export class DicomWebStore implements SlideStore {
  readonly description: string;
  readonly #root: string;
  readonly #token: string | undefined;

  constructor(root: string, token?: string) {
    this.#root = root.replace(/\/$/, '');
    this.#token = token;
    this.description = `dicomweb:${this.#root}`;
  }

  #split(id: string): { study: string; series: string } {
    const [study, series, ...rest] = id.split('/');
    if (!study || !series || rest.length > 0 || !UID.test(study) || !UID.test(series)) {
      throw new ApiError('not_found', `No slide "${id.slice(0, 200)}": ids here are <StudyInstanceUID>/<SeriesInstanceUID>.`);
    }
    return { study, series };
  }

  async list(query: ListQuery, signal?: AbortSignal): Promise<ListPage> {
    const offset = Number(decodeCursor(query.cursor) ?? 0) || 0;
    // One more than asked for says whether a next page exists.
    const url = `${this.#root}/series?Modality=SM&includefield=0020000D&offset=${offset}&limit=${query.limit + 1}`;
    const response = await dicomWebRequest(url, 'application/dicom+json', this.dicomWebOptions(), signal ? { signal } : {});
    // No match is an empty body (204) on some servers.
    const text = await response.text();
    const found = (text ? (JSON.parse(text) as Array<Record<string, { Value?: string[] }>>) : []).flatMap((s) => {
      const study = s['0020000D']?.Value?.[0];
      const series = s['0020000E']?.Value?.[0];
      return study && series ? [`${study}/${series}`] : [];
    });
    const search = query.search?.toLowerCase();
    const slides = found.filter((id) => (!query.prefix || id.startsWith(query.prefix)) && (!search || id.toLowerCase().includes(search)));
    const more = found.length > query.limit;
    return { slides: slides.slice(0, query.limit), ...(more ? { nextCursor: encodeCursor(String(offset + query.limit)) } : {}) };
  }

  identity(id: string): string {
    const { study, series } = this.#split(id);
    return `dicomweb:${this.#root}/studies/${study}/series/${series}`;
  }

  /** The series' `dicomweb:` name, which `openSlide` reads by WADO-RS (the token in `dicomWebOptions`). */
  source(id: string): string {
    return this.identity(id);
  }

  /** What the sidecar's requests to the server send: the store's token. */
  dicomWebOptions(): DicomWebOptions {
    const token = this.#token;
    return token ? { headers: () => ({ Authorization: `Bearer ${token}` }) } : {};
  }

  async url(id: string): Promise<ExpiringUrl> {
    return this.#noUrl(id);
  }

  async urls(id: string): Promise<Array<ExpiringUrl & { sourceId: string }>> {
    return this.#noUrl(id);
  }

  #noUrl(id: string): never {
    throw new ApiError(
      'unsupported_format',
      `"${id.slice(0, 200)}" is a DICOMweb series: it has no file URL. Read it through /slides/{id} and /tiles, or open ${this.identity(id)} in the library.`,
    );
  }

  async check(): Promise<void> {
    await this.list({ limit: 1 });
  }
}
