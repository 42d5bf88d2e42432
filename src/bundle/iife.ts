/**
 * What `<script src="wsi-stream.iife.js">` puts on `window.WsiStream`: the viewer and the reader (including
 * presigned URLs from a sidecar or backend). Signing S3 requests in the page needs the AWS SDK: use the ES build.
 */
export * from '../viewer.js';
