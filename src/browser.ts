export * from './index.js';
export { DecoderPool, type DecoderPoolOptions, type DecoderPoolStats, type DecodeJobOptions } from './workers/pool.js';
export { createDecoderPool } from './workers/default-pool.js';
export type { DecodedImage } from './codec/types.js';
