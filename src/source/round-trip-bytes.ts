/**
 * What one round trip is worth in bytes on the network the benchmarks model (40 ms, 100 Mbit/s: 500 kB): reading this
 * much more costs about as much as one request's latency. It sizes the open's tail read and caps the gaps a coalescer
 * may bridge.
 */
export const ROUND_TRIP_BYTES = 512 * 1024;

/**
 * The first bytes worth reading with a file's header: Hamamatsu NDPI writes the first page's JPEG right after it, and
 * opening one needs that JPEG's header (SOF, restart interval) as soon as the first directory is known — a round trip
 * of its own otherwise. An HTTP source's first request (which also learns the size) reads this much.
 */
export const HEAD_READ_AHEAD = 8 * 1024;

/** The metadata cache's block: it reads whole aligned blocks, so a read becomes a request from the block it starts in. */
export const METADATA_BLOCK_BYTES = 4 * 1024;
