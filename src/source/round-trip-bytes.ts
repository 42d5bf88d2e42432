/**
 * What one round trip is worth in bytes on the network the benchmarks model (40 ms, 100 Mbit/s: 500 kB): reading this
 * much more costs about as much as one request's latency. It sizes the open's tail read and caps the gaps a coalescer
 * may bridge.
 */
export const ROUND_TRIP_BYTES = 512 * 1024;
