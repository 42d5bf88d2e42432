import OpenSeadragon from 'openseadragon';
import { STALE_TILE } from './slide-tile-source.js';

/**
 * The two places where we reach into OpenSeadragon 6's behaviour rather than its API, together so an upgrade
 * knows where to look.
 */

/**
 * A tile we abort because the view no longer wants it must fail its job (OSD has no way to cancel one), and OSD
 * routes every failure's message through its console.error. Those are not errors: drop exactly those messages.
 */
export function muteStaleTileErrors(): void {
  const console = (OpenSeadragon as unknown as { console: { error: (...args: unknown[]) => void; __wsiMuted?: boolean } }).console;
  if (console.__wsiMuted) return;
  const error = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.some((a) => a === STALE_TILE)) return;
    error(...args);
  };
  console.__wsiMuted = true;
}

/** The part of an OSD tile these workarounds touch. */
export interface OsdTile {
  exists: boolean;
  level: number;
  x: number;
  y: number;
}

/**
 * OSD marks a tile whose load failed as non-existent, for good, right after its 'tile-load-failed' event: it
 * would never be drawn again. Undo that for a tile that may be wanted later (aborted as stale, or to be retried).
 */
export function letTileLoadAgain(tile: OsdTile): void {
  tile.exists = true;
}
