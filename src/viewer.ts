export * from './browser.js';
export { createViewer, type CreateViewerOptions, type WsiViewer, type ViewerEvents, type ViewerStats, type TilePosition } from './viewer/create-viewer.js';
export type { ColourMode, ColourState } from './viewer/viewer-colour.js';
export type { ChannelControls, ChannelChange } from './viewer/viewer-channels.js';
export { compositePlanes, DEFAULT_PALETTE, type ChannelSettings } from './viewer/channel-composite.js';
export { SlideTileSource, STALE_TILE } from './viewer/slide-tile-source.js';
export { LevelMap } from './viewer/level-map.js';
export { scaleBarFor } from './viewer/scale-bar.js';
export { slideThumbnail } from './viewer/thumbnail.js';
