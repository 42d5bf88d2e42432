/** `wsi-stream/sidecar` (Node only): WSIStreamer's HTTP interface over a folder or a bucket, to embed in a server. */
export { createSidecar, type Sidecar } from './sidecar/server.js';
export type { SidecarOptions } from './sidecar/options.js';
export { FolderStore } from './sidecar/folder-store.js';
export { S3Store } from './sidecar/s3-store.js';
export type { SlideStore } from './sidecar/store.js';
export { signUrl } from './sidecar/signature.js';
