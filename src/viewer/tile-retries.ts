import type OpenSeadragon from 'openseadragon';
import type { SlideError } from '../errors.js';
import { letTileLoadAgain, type OsdTile } from './osd-workarounds.js';
import { STALE_TILE } from './slide-tile-source.js';
import type { TileFailures } from './tile-failures.js';

/**
 * Carries out what TileFailures decides: shows and hides the banner, and asks OpenSeadragon for a failed tile
 * again once its pause is over.
 */
export class TileRetries {
  readonly #failures: TileFailures;
  readonly #banner: HTMLElement;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #lookAgainFrame: number | undefined;

  constructor(failures: TileFailures, banner: HTMLElement) {
    this.#failures = failures;
    this.#banner = banner;
  }

  loaded(key: string): void {
    this.#failures.loaded(key);
    if (!this.#failures.bannerVisible) this.#banner.hidden = true;
  }

  failed(key: string, error: SlideError): void {
    this.#failures.failed(key, error.code);
    this.#banner.textContent = `Some tiles could not be shown (${error.code}): ${error.message}`;
    this.#banner.hidden = false;
  }

  /** Listens to the viewer; `keyOf` names an OSD tile as `failed` and `loaded` were told, `onStale` counts aborted tiles. */
  attach(osd: OpenSeadragon.Viewer, keyOf: (tile: OsdTile) => string, onStale: () => void): void {
    // Checked after each drawn frame, when OpenSeadragon's idea of "fully loaded" is up to date.
    osd.addHandler('update-viewport', () => {
      if (!this.#failures.bannerVisible || this.#lookAgainFrame !== undefined || !osd.world.getItemAt(0)?.getFullyLoaded()) return;
      this.#failures.viewComplete();
      if (!this.#failures.bannerVisible) this.#banner.hidden = true;
    });
    osd.addHandler('tile-load-failed', (event) => {
      const tile = (event as unknown as { tile: OsdTile }).tile;
      if ((event as { message?: string }).message === STALE_TILE) {
        onStale();
        // After OSD's own handling of the event, which marks the tile non-existent.
        queueMicrotask(() => letTileLoadAgain(tile));
        return;
      }
      const delay = this.#failures.takeRetry(keyOf(tile));
      if (delay === undefined) return;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#failures.retryDue();
        letTileLoadAgain(tile);
        this.#lookAgain(osd);
      }, delay);
      this.#timers.add(timer);
    });
  }

  /**
   * A view whose every tile failed counts as fully loaded, and OpenSeadragon stops looking at its tiles until the
   * viewport moves: once per frame in which retries fell due (a dozen may at once), have it look again.
   */
  #lookAgain(osd: OpenSeadragon.Viewer): void {
    this.#lookAgainFrame ??= requestAnimationFrame(() => {
      this.#lookAgainFrame = undefined;
      osd.world.update(true);
      osd.forceRedraw();
    });
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    if (this.#lookAgainFrame !== undefined) cancelAnimationFrame(this.#lookAgainFrame);
  }
}
