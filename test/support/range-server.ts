import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { answerRange, contentTypeOf } from '../../src/sidecar/range-response.js';

export interface LoggedRequest {
  /** When the request arrived (epoch ms): benchmarks split requests into phases by it. */
  at: number;
  path: string;
  range?: string;
  status: number;
  /** The answer's length. */
  bytes: number;
  /** Bytes that went out on the connection, known once the answer is done or the client went away. */
  sent?: number;
}

export interface RangeServerOptions {
  root: string;
  /** Keep a log of every request (tests count them); off for a long-running server, whose log would only grow. */
  log?: boolean;
  /** Answer with CORS headers (default); `false` plays a bucket nobody configured for browsers. */
  cors?: boolean;
  /** Answer 200 with the whole file whatever the Range header says (a server that ignores Range). */
  ignoreRange?: boolean;
  /** The Cache-Control header for a path (none by default): the benchmark pages are served as a static host would. */
  cacheControl?: (path: string) => string | undefined;
  /** Headers sent with every file, or with the files a function picks by path, such as a page's Content-Security-Policy. */
  headers?: Record<string, string> | ((path: string) => Record<string, string> | undefined);
  /**
   * Extensions (`.js`, `.wasm`…) whose files go out gzipped to a request that accepts it and asks for no range, as
   * static hosts and CDNs commonly serve pages, scripts and WASM: the benchmark pages, so that every viewer's code
   * comes as it would from such a host. Slides are never compressed.
   */
  compress?: readonly string[];
}

/**
 * A static file server with Range, ETag and CORS that logs what it sent: the request counter of the tests,
 * the benchmarks' server and the demo's (`npm start`). Test-only knobs (a changeable ETag, ignoring Range)
 * are why it lives here and not in the package. Paths never leave `root`.
 */
export class RangeServer {
  readonly log: LoggedRequest[] = [];
  /** The paths CORS preflights (OPTIONS) asked about: a request a page could have sent without one costs a round trip. */
  readonly preflights: string[] = [];
  /** The ETag every file is served with; a test changes it to simulate an object replaced mid-session. */
  etag = '"v1"';
  readonly #options: RangeServerOptions;
  readonly #root: string;
  readonly #server: Server;
  /** Gzipped files by path, made once (the pages are built before the server starts and do not change under it). */
  readonly #gzipped = new Map<string, Buffer>();

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
    // The connection may have carried earlier answers (keep-alive): this one's bytes are counted from here.
    const sentBefore = req.socket.bytesWritten;
    if (this.#options.cors !== false) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', 'Range');
      res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag, Accept-Ranges');
    }
    if (req.method === 'OPTIONS') {
      this.preflights.push(new URL(req.url ?? '/', 'http://x').pathname);
      res.writeHead(204).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      this.#send(req, res, sentBefore, req.url ?? '', 400, 0);
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
      this.#send(req, res, sentBefore, path, 404, 0);
      return;
    }
    const cacheControl = this.#options.cacheControl?.(path);
    if (cacheControl) res.setHeader('Cache-Control', cacheControl);
    const headers = typeof this.#options.headers === 'function' ? this.#options.headers(path) : this.#options.headers;
    for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
    if (this.#compresses(req, file)) {
      this.#answerGzipped(req, res, sentBefore, path, file);
      return;
    }
    const { status, bytes } = answerRange(req, res, file, size, { etag: this.etag, ...(this.#options.ignoreRange ? { range: undefined } : {}) });
    this.#record(req, res, sentBefore, path, status, bytes);
  }

  #compresses(req: IncomingMessage, file: string): boolean {
    if (!this.#options.compress?.includes(extname(file).toLowerCase()) || req.headers.range) return false;
    return /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  }

  #answerGzipped(req: IncomingMessage, res: ServerResponse, sentBefore: number, path: string, file: string): void {
    let body = this.#gzipped.get(file);
    if (!body) {
      body = gzipSync(readFileSync(file));
      this.#gzipped.set(file, body);
    }
    res.setHeader('Content-Type', contentTypeOf(file));
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
    // Another representation than the file's own bytes: another validator.
    res.setHeader('ETag', `${this.etag.slice(0, -1)}-gzip"`);
    res.setHeader('Content-Length', body.length);
    this.#record(req, res, sentBefore, path, 200, body.length);
    res.writeHead(200).end(req.method === 'HEAD' ? undefined : body);
  }

  #send(req: IncomingMessage, res: ServerResponse, sentBefore: number, path: string, status: number, bytes: number): void {
    this.#record(req, res, sentBefore, path, status, bytes);
    res.writeHead(status).end();
  }

  #record(req: IncomingMessage, res: ServerResponse, sentBefore: number, path: string, status: number, bytes: number): void {
    if (this.#options.log === false) return;
    const entry: LoggedRequest = { at: Date.now(), path, status, bytes, ...(req.headers.range ? { range: req.headers.range } : {}) };
    this.log.push(entry);
    const socket = req.socket;
    res.on('close', () => (entry.sent = socket.bytesWritten - sentBefore));
  }
}
