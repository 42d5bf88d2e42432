/**
 * What one round trip is worth in bytes on the network the benchmarks model (40 ms, 100 Mbit/s: 500 kB): reading this
 * much more costs about as much as one request's latency. The open's tail read and the gaps bridged between tile reads
 * are sized by it.
 */
export const ROUND_TRIP_BYTES = 512 * 1024;
