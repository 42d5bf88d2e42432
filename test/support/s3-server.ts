import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketCorsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { REPO_ROOT } from './fixtures.js';
import { s3Client } from '../../src/s3/client.js';
import { s3rverNode } from './s3rver-node.js';

/** The credentials s3rver accepts. */
export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const CLI = join(REPO_ROOT, 'node_modules/@20minutes/s3rver/lib/cli.js');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`s3rver exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`s3rver did not start: ${log()}`);
}

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  client: S3Client;
  upload(key: string, body: Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

/** A real S3-compatible server that checks SigV4 (s3rver 5, on the Node `s3rverNode` finds), with one bucket whose CORS allows any origin. */
export async function startS3Server(bucket = 'wsi'): Promise<S3TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 's3rver-'));
  const port = await freePort();
  const script = join(dir, 'start.cjs');
  writeFileSync(script, `process.argv.splice(1, 1); require(${JSON.stringify(CLI)}).parseAsync();\n`);
  let output = '';
  // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
  const child = spawn(
    s3rverNode(),
    ['--openssl-legacy-provider', script, 'x', '--directory', dir, '--address', '127.0.0.1', '--port', String(port), '--silent'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await waitForPort(port, child, () => output);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = s3Client({ bucket, endpoint, credentials: S3_CREDENTIALS });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: ['*'],
            AllowedMethods: ['GET', 'HEAD'],
            AllowedHeaders: ['*'],
            ExposeHeaders: ['Content-Range', 'Content-Length', 'ETag', 'Accept-Ranges'],
            MaxAgeSeconds: 3600,
          },
        ],
      },
    }),
  );
  return {
    endpoint,
    bucket,
    client,
    upload: async (key, body) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    stop: async () => {
      child.kill();
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export function fixtureBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
