import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.svs': 'image/tiff',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

export interface LoggedRequest {
  /** When the request arrived (epoch ms): benchmarks split requests into phases by it. */
  at: number;
  path: string;
  range?: string;
  status: number;
  bytes: number;
}

export interface RangeServerOptions {
  root: string;
  /** Keep a log of every request (tests count them); off for a long-running server, whose log would only grow. */
  log?: boolean;
  /** Answer with CORS headers (default); `false` plays a bucket nobody configured for browsers. */
  cors?: boolean;
  /** Answer 200 with the whole file whatever the Range header says (a server that ignores Range). */
  ignoreRange?: boolean;
}

/**
 * A static file server with Range, ETag and CORS that logs what it sent: serves slides to the demo
 * (`npm start`) and is the request counter of the tests. Paths never leave `root`.
 */
export class RangeServer {
  readonly log: LoggedRequest[] = [];
  /** The ETag every file is served with; a test changes it to simulate an object replaced mid-session. */
  etag = '"v1"';
  readonly #options: RangeServerOptions;
  readonly #root: string;
  readonly #server: Server;

  constructor(options: RangeServerOptions) {
    this.#options = options;
    this.#root = resolve(options.root);
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(port, host, resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Requests for one file since the log was last cleared. */
  requestsFor(name: string): LoggedRequest[] {
    return this.log.filter((r) => r.path === `/${name}`);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (this.#options.cors !== false) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', 'Range');
      res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag, Accept-Ranges');
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      this.#send(req, res, req.url ?? '', 400, 0);
      return;
    }
    const file = normalize(join(this.#root, path.endsWith('/') ? `${path}index.html` : path));
    let size: number;
    try {
      if (!file.startsWith(this.#root + sep)) throw new Error('outside the served folder');
      const stat = statSync(file);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      this.#send(req, res, path, 404, 0);
      return;
    }
    const { status, bytes } = answerRange(req, res, file, size, { etag: this.etag, ignoreRange: this.#options.ignoreRange ?? false });
    this.#record(req, path, status, bytes);
  }

  #send(req: IncomingMessage, res: ServerResponse, path: string, status: number, bytes: number): void {
    this.#record(req, path, status, bytes);
    res.writeHead(status).end();
  }

  #record(req: IncomingMessage, path: string, status: number, bytes: number): void {
    if (this.#options.log !== false) this.log.push({ at: Date.now(), path, status, bytes, ...(req.headers.range ? { range: req.headers.range } : {}) });
  }
}

/**
 * Answers a GET or HEAD for an existing file of `size` bytes: 206 with Content-Range for a single
 * `bytes=a-b` range, 416 past the end, 200 with the whole file otherwise.
 */
export function answerRange(req: IncomingMessage, res: ServerResponse, file: string, size: number, options: { etag: string; ignoreRange?: boolean }): { status: number; bytes: number } {
  res.setHeader('ETag', options.etag);
  res.setHeader('Content-Type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Accept-Ranges', 'bytes');
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  let status = 200;
  let start = 0;
  let end = size - 1;
  if (m && !options.ignoreRange) {
    start = Number(m[1]);
    end = Math.min(m[2] ? Number(m[2]) : size - 1, size - 1);
    if (start >= size || end < start) {
      res.setHeader('Content-Range', `bytes */${size}`);
      res.writeHead(416).end();
      return { status: 416, bytes: 0 };
    }
    status = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  }
  const bytes = size === 0 ? 0 : end - start + 1;
  res.setHeader('Content-Length', bytes);
  res.writeHead(status);
  if (req.method === 'HEAD' || bytes === 0) res.end();
  else createReadStream(file, { start, end }).pipe(res);
  return { status, bytes };
}
