import type { CatalogueEntry } from './catalogues.js';

/** Thumbnails drawn at once: each opens a slide, so a long list must not flood the network. */
const THUMBNAIL_CONCURRENCY = 3;

/**
 * Shows a catalogue as a list of buttons with thumbnails, drawn a few at a time; replacing the list aborts the
 * thumbnails still on their way.
 */
export class SlideBrowser {
  #abort = new AbortController();

  constructor(
    private readonly list: HTMLElement,
    private readonly choose: (entry: CatalogueEntry, button: HTMLButtonElement) => void,
  ) {}

  show(entries: CatalogueEntry[]): HTMLButtonElement[] {
    this.#abort.abort();
    this.#abort = new AbortController();
    const signal = this.#abort.signal;
    const buttons = entries.map((entry) => {
      const button = document.createElement('button');
      button.className = 'slide';
      const picture = document.createElement('span');
      picture.className = 'thumb';
      button.append(picture, Object.assign(document.createElement('span'), { textContent: entry.title, className: 'title' }));
      button.addEventListener('click', () => {
        this.select(button);
        this.choose(entry, button);
      });
      return { button, picture, entry };
    });
    this.list.replaceChildren(...buttons.map((b) => b.button));
    void this.#drawThumbnails(buttons, signal);
    return buttons.map((b) => b.button);
  }

  select(button: HTMLButtonElement | undefined): void {
    for (const b of this.list.querySelectorAll('button')) b.setAttribute('aria-current', String(b === button));
  }

  async #drawThumbnails(items: Array<{ picture: HTMLElement; entry: CatalogueEntry }>, signal: AbortSignal): Promise<void> {
    const queue = [...items];
    const next = async (): Promise<void> => {
      for (let item = queue.shift(); item && !signal.aborted; item = queue.shift()) {
        try {
          const image = await item.entry.thumbnail(signal);
          if (image && !signal.aborted) item.picture.replaceChildren(image);
        } catch {
          // A slide whose thumbnail cannot be drawn still opens (and then says why it fails): mark it, keep listing.
          item.picture.classList.add('unavailable');
        }
      }
    };
    await Promise.all(Array.from({ length: THUMBNAIL_CONCURRENCY }, next));
  }
}
