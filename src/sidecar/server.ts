import { statSync } from 'node:fs';
import { PACKAGE_VERSION } from '../package-version.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { answerRange } from './range-response.js';
import { AnnotationStore } from './annotations/annotation-store.js';
import { annotationRoute, annotationRouteOf } from './annotations/routes.js';
import { FolderStore } from './folder-store.js';
import { ApiError, apiErrorOf } from './http-error.js';
import { DEFAULTS, type SidecarOptions } from './options.js';
import { parseRequest, intParam, type ApiRequest } from './request.js';
import { dziTileRoute, newImageCache, slidesRoute, tileRoute, viewRoute, type Reply, type RouteContext } from './routes.js';
import { verifyRequest } from './signature.js';
import { SlideCache } from './slide-cache.js';

const EXPOSED = 'Content-Range, Content-Length, ETag, Accept-Ranges, Cache-Control, X-Tile-Encoding, X-Colour-Managed, X-Total-Count, Content-Disposition';

export interface Sidecar {
  server: Server;
  slides: SlideCache;
  /** What the bounded caches hold now: open slides, their metadata bytes, cached images. */
  memory(): { slidesOpen: number; metadataBytes: number; imageBytes: number };
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** WSIStreamer's HTTP interface over a folder or a bucket, stateless but for bounded caches. */
export function createSidecar(input: SidecarOptions): Sidecar {
  const options = { ...DEFAULTS, ...input };
  const slides = new SlideCache(options.store, options.cacheSlides, options.blockSize, options.storageTimeoutMs, options.cacheMetadata);
  const images = newImageCache(options.cacheTiles);
  let baseUrl = '';
  const annotations = options.annotations ? Promise.resolve(options.annotations) : AnnotationStore.open();
  const log = options.log ?? (() => undefined);

  const server = createServer((req, res) => {
    const started = Date.now();
    const signal = AbortSignal.any([AbortSignal.timeout(options.storageTimeoutMs), closed(res)]);
    // The storage timeout bounds the whole answer: a stalled bucket gets the client a JSON error, not a hang.
    const stalled = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    Promise.race([handle(req, res, signal), stalled])
      .catch((e: unknown) =>
        sendError(res, timedOut(signal) ? new ApiError('connection_error', `Storage did not answer within ${options.storageTimeoutMs} ms.`) : apiErrorOf(e)),
      )
      .finally(() => log(`${req.method} ${(req.url ?? '').replace(/([?&](sig|vt)=)[^&]*/g, '$1…')} ${res.statusCode} ${Date.now() - started}ms`));
  });

  // Requests Node cannot parse (bad request line or headers, headers too large) get the JSON error too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      error: 'invalid_request',
      message: tooLarge ? 'The request headers are too large.' : `The request could not be parsed (${error.code ?? 'malformed'}).`,
      status,
    });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  function cors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (!options.corsOrigins) res.setHeader('Access-Control-Allow-Origin', '*');
    else if (origin && options.corsOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    res.setHeader('Access-Control-Expose-Headers', EXPOSED);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    cors(req, res);
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type, Range',
          'Access-Control-Max-Age': '86400',
        })
        .end();
      return;
    }
    const request = parseRequest(req);
    const annotationPath = annotationRouteOf(request.segments);
    if (annotationPath) {
      authorize(request, request.segments[0], annotationPath.slideId);
      return send(req, res, await annotationRoute(await annotations, annotationPath, req, request, signal));
    }
    if (request.method !== 'GET' && request.method !== 'HEAD')
      throw new ApiError('method_not_allowed', `${request.method.slice(0, 20)} is not supported: use GET.`);
    const [first, id, ...rest] = request.segments;
    if (first === 'health' && request.segments.length === 1)
      return send(req, res, { type: 'application/json', body: JSON.stringify({ status: 'healthy', version: PACKAGE_VERSION }) });
    if (first === 'assets') return sendAsset(req, res, request.segments.slice(1));
    authorize(request, first, id);
    const ctx: RouteContext = { options, slides, images, version: PACKAGE_VERSION, baseUrl, signal };
    if (first === 'slides' && request.segments.length === 1) {
      const page = await options.store.list(
        {
          limit: intParam(request, 'limit', 100, 1, 1000),
          ...(request.query.get('cursor') ? { cursor: request.query.get('cursor')! } : {}),
          ...(request.query.get('prefix') ? { prefix: request.query.get('prefix')! } : {}),
          ...(request.query.get('search') ? { search: request.query.get('search')! } : {}),
        },
        signal,
      );
      return send(req, res, {
        type: 'application/json',
        body: JSON.stringify({ slides: page.slides, ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) }),
      });
    }
    if (first === 'slides' && id !== undefined && id.endsWith('_files') && rest.length === 2)
      return send(req, res, await dziTileRoute(ctx, request, id.slice(0, -'_files'.length), rest[0], rest[1]));
    if (first === 'slides' && id && rest.length <= 1) return send(req, res, await slidesRoute(ctx, request, id, rest[0]));
    if (first === 'tiles' && id && rest.length === 3) return send(req, res, await tileRoute(ctx, request, id, rest[0], rest[1], rest[2]));
    if (first === 'view' && id && rest.length === 0) return send(req, res, await viewRoute(ctx, request, id));
    if (first === 'raw' && id && rest.length === 0) return sendRaw(req, res, id);
    throw new ApiError('not_found', `No route ${request.rawPath.slice(0, 200)}.`);
  }

  /** Every route but /health and the page's static assets needs `exp` + `sig`, or a viewer token for its own slide. */
  function authorize(request: ApiRequest, first: string | undefined, id: string | undefined): void {
    if (!options.authSecret) return;
    const slideScoped = first === 'tiles' || first === 'raw' || (first === 'slides' && id !== undefined);
    const slideId = slideScoped && id !== undefined ? id.replace(/_files$/, '') : undefined;
    const usesToken = request.params.some(([k]) => k === 'vt');
    // The viewer page and token renewal are reached with a signed URL or the slide's own token, never bare.
    if (first === 'view' && usesToken) throw new ApiError('missing_signature', 'The viewer page needs a signed URL (exp and sig).');
    // Annotations by id may belong to any slide: a slide's viewer token does not reach them (as in the fork).
    if (first === 'annotations' && usesToken && !request.params.some(([k]) => k === 'sig')) {
      throw new ApiError('missing_signature', 'Annotation routes by id need a signed URL (exp and sig); a viewer token reaches only /slides/{id}/annotations.');
    }
    verifyRequest(options.authSecret, request.rawPath, request.params, slideId, undefined, request.method);
  }

  function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    const headers: Record<string, string | number> = { 'Content-Type': reply.type, 'Content-Length': Buffer.byteLength(reply.body), ...reply.headers };
    if (reply.cacheable) headers['Cache-Control'] = `${options.authSecret ? 'private' : 'public'}, max-age=${options.cacheMaxAge}`;
    res.writeHead(reply.status ?? 200, headers);
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  }

  function sendError(res: ServerResponse, error: ApiError): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = error.json();
    res
      .writeHead(error.status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        ...(error.allow ? { Allow: error.allow } : {}),
      })
      .end(body);
  }

  function sendAsset(req: IncomingMessage, res: ServerResponse, parts: string[]): void {
    if (!options.pagesDir) throw new ApiError('not_found', 'No viewer assets in this sidecar.');
    const root = normalize(join(options.pagesDir, 'assets'));
    const file = normalize(join(root, ...parts));
    const size = file.startsWith(root + sep) ? statSync(file, { throwIfNoEntry: false }) : undefined;
    if (!size?.isFile()) throw new ApiError('not_found', 'No such asset.');
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    answerRange(req, res, file, size.size, { etag: `"${size.size}-${size.mtimeMs}"` });
  }

  function sendRaw(req: IncomingMessage, res: ServerResponse, id: string): void {
    if (!(options.store instanceof FolderStore)) throw new ApiError('not_found', 'Slides in a bucket are read through /slides/{id}/url.');
    const file = options.store.path(id);
    const size = statSync(file, { throwIfNoEntry: false });
    if (!size?.isFile()) throw new ApiError('not_found', `No slide "${id.slice(0, 200)}".`);
    answerRange(req, res, file, size.size, { etag: `"${size.size}-${Math.floor(size.mtimeMs)}"` });
  }

  return {
    server,
    slides,
    memory: () => ({ slidesOpen: slides.size, metadataBytes: slides.metadataBytes, imageBytes: images.weight }),
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, resolve);
      });
      const address = server.address() as AddressInfo;
      baseUrl = `http://${address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address}:${address.port}`;
      return baseUrl;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await slides.closeAll();
    },
  };
}

function closed(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}

function timedOut(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
}
