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
    res.setHeader('ETag', this.etag);
    res.setHeader('Content-Type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
    res.setHeader('Accept-Ranges', 'bytes');
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!m || this.#options.ignoreRange) {
      res.setHeader('Content-Length', size);
      this.#send(req, res, path, 200, size, file, 0, size - 1);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(m[2] ? Number(m[2]) : size - 1, size - 1);
    if (start >= size) {
      res.setHeader('Content-Range', `bytes */${size}`);
      this.#send(req, res, path, 416, 0);
      return;
    }
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    res.setHeader('Content-Length', end - start + 1);
    this.#send(req, res, path, 206, end - start + 1, file, start, end);
  }

  #send(req: IncomingMessage, res: ServerResponse, path: string, status: number, bytes: number, file?: string, start = 0, end = 0): void {
    if (this.#options.log !== false) this.log.push({ path, status, bytes, ...(req.headers.range ? { range: req.headers.range } : {}) });
    res.writeHead(status);
    if (!file || req.method === 'HEAD') res.end();
    else createReadStream(file, { start, end }).pipe(res);
  }
}
