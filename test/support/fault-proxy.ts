import { request as httpRequest, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy can do to one request instead of forwarding it faithfully. */
export type Fault =
  | { kind: 'status'; status: number }
  /** The connection is cut before any answer. */
  | { kind: 'reset' }
  /** No answer at all, until the client gives up. */
  | { kind: 'stall' }
  /** Headers and half of the body, then the connection is cut. */
  | { kind: 'truncate' }
  /** The whole object with 200, as a server that ignores Range. */
  | { kind: 'ignore-range' }
  /** A faithful answer carrying another ETag: the object was replaced. */
  | { kind: 'etag'; etag: string };

/**
 * A network to emulate on the server side (benchmarks): each request waits one round trip, and answers share one link
 * of the given bandwidth. Unlike the browser's emulation, it also holds back what workers fetch.
 */
export interface NetworkShape {
  latencyMs: number;
  mbps: number;
}

const CORS = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'Content-Range, Content-Length, ETag, Accept-Ranges' };

/**
 * A local HTTP proxy in front of a Range server that injects network faults: the next requests take the queued
 * faults in order, and while `down` every request fails with 503. The browser sees it as the slide's server.
 */
export class FaultProxy {
  /** Every request seen, with the fault it met (undefined: forwarded faithfully). */
  readonly log: Array<{ range: string | undefined; url: string | undefined; fault: Fault['kind'] | 'down' | undefined }> = [];
  down = false;
  readonly #queue: Fault[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #upstream: URL;

  readonly #shape: NetworkShape | undefined;
  /** When the emulated link is next free: every answer's bytes queue on one link, whoever asked. */
  #linkFreeAt = 0;

  constructor(upstream: string, shape?: NetworkShape) {
    this.#upstream = new URL(upstream);
    this.#shape = shape;
    this.#server = createServer((req, res) => this.#handle(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Faults for the next requests, one each, in order. */
  inject(...faults: Fault[]): void {
    this.#queue.push(...faults);
  }

  /** Drops the faults not met yet. */
  clear(): void {
    this.#queue.length = 0;
  }

  get pending(): number {
    return this.#queue.length;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'OPTIONS') {
      // A preflight costs its round trip like any request.
      const answer = () =>
        res.writeHead(204, { ...CORS, 'Access-Control-Allow-Headers': 'Range, Accept, Authorization', 'Access-Control-Allow-Methods': 'GET, HEAD' }).end();
      if (this.#shape) setTimeout(answer, this.#shape.latencyMs);
      else answer();
      return;
    }
    const range = req.headers.range;
    if (this.down) {
      this.log.push({ range, url: req.url, fault: 'down' });
      res.writeHead(503, CORS).end('down');
      return;
    }
    const fault = this.#queue.shift();
    this.log.push({ range, url: req.url, fault: fault?.kind });
    switch (fault?.kind) {
      case 'status':
        res.writeHead(fault.status, CORS).end(`fault ${fault.status}`);
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'stall':
        return;
      default:
        this.#forward(req, res, fault);
    }
  }

  #forward(req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): void {
    if (this.#shape) setTimeout(() => this.#forwardNow(req, res, fault), this.#shape.latencyMs);
    else this.#forwardNow(req, res, fault);
  }

  /** Writes a chunk when the shared link has carried everything queued before it. */
  #paced(res: ServerResponse, chunk: Buffer): Promise<void> {
    const bytesPerMs = (this.#shape!.mbps * 1e6) / 8 / 1000;
    const now = performance.now();
    this.#linkFreeAt = Math.max(now, this.#linkFreeAt) + chunk.length / bytesPerMs;
    return new Promise((resolve) => setTimeout(() => res.write(chunk, () => resolve()), this.#linkFreeAt - now));
  }

  #forwardNow(req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): void {
    // Every header goes through unchanged, Host included: an S3 request's signature covers them.
    const headers = { ...req.headers };
    if (fault?.kind === 'ignore-range') delete headers.range;
    const upstream = httpRequest(new URL(req.url ?? '/', this.#upstream), { headers, method: req.method }, (answer) => {
      const out: Record<string, string | string[]> = { ...CORS };
      for (const name of ['content-type', 'content-length', 'content-range', 'etag', 'accept-ranges']) {
        const value = answer.headers[name];
        if (value !== undefined) out[name] = value;
      }
      if (fault?.kind === 'etag') out.etag = fault.etag;
      res.writeHead(answer.statusCode ?? 502, out);
      if (this.#shape) {
        let queue = Promise.resolve();
        answer.on('data', (chunk: Buffer) => {
          answer.pause();
          queue = queue.then(() => this.#paced(res, chunk)).then(() => void answer.resume());
        });
        answer.on('end', () => void queue.then(() => res.end()));
        return;
      }
      if (fault?.kind !== 'truncate') {
        answer.pipe(res);
        return;
      }
      const length = Number(answer.headers['content-length'] ?? 0);
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        const room = Math.floor(length / 2) - sent;
        if (room > 0) res.write(chunk.subarray(0, room));
        sent += chunk.length;
        if (sent >= length / 2) {
          answer.destroy();
          res.socket?.destroy();
        }
      });
    });
    upstream.on('error', () => res.socket?.destroy());
    upstream.end();
  }
}
