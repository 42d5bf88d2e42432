import type { Slide, SlideFormat } from '../slide/types.js';
import { LruMap } from '../source/lru.js';
import type { ExpiringUrl } from '../source/url-provider.js';
import { ApiError } from './http-error.js';
import type { SidecarOptions } from './options.js';
import { dziLevels, dziTile, thumbnail, tileJpeg } from './render.js';
import { intParam, intSegment, type ApiRequest } from './request.js';
import { signUrl, viewerToken } from './signature.js';
import type { SlideCache } from './slide-cache.js';
import { viewPage } from './view-page.js';

export interface Reply {
  status?: number;
  type: string;
  body: string | Buffer;
  cacheable?: boolean;
  headers?: Record<string, string>;
}

/** A rendered image and the headers that describe it. */
export interface CachedImage {
  body: Buffer;
  headers: Record<string, string>;
}

export interface RouteContext {
  options: Required<Pick<SidecarOptions, 'jpegQuality' | 'cacheMaxAge'>> & SidecarOptions;
  slides: SlideCache;
  images: LruMap<string, CachedImage>;
  version: string;
  baseUrl: string;
  signal: AbortSignal;
}

const json = (value: unknown): Reply => ({ type: 'application/json', body: JSON.stringify(value) });
const jpeg = ({ body, headers }: CachedImage): Reply => ({ type: 'image/jpeg', body, cacheable: true, headers });

/**
 * `X-Colour-Managed`: `srgb-from-icc` when the pixels were converted from the slide's ICC profile to sRGB,
 * `not-applied` when the slide has a profile the image does not reflect (a tile passed through as stored, or a
 * profile LittleCMS cannot use), `none` when the slide has no profile (its values are taken as sRGB).
 */
function colourHeader(slide: Slide, managed: boolean): Record<string, string> {
  return { 'X-Colour-Managed': managed ? 'srgb-from-icc' : slide.colourProfile ? 'not-applied' : 'none' };
}

/**
 * Deep Zoom tiles are square: the slide's own tile size where its tiles are square, else 256 (NDPI's tiles are runs of
 * restart intervals as wide as the level, 3968×256 on the shared fixture).
 */
function dziTileSize(slide: Slide): number {
  const { tileWidth, tileHeight } = slide.levels[0]!;
  return tileWidth === tileHeight ? tileWidth : 256;
}

/** `format` in the slide JSON: the seed's two names, and one per format it never read. */
const FORMAT_NAMES: Record<SlideFormat, string> = {
  'aperio-svs': 'Aperio SVS',
  'generic-tiff': 'Generic Pyramidal TIFF',
  'ome-tiff': 'OME-TIFF',
  'hamamatsu-ndpi': 'Hamamatsu NDPI',
  dicom: 'DICOM WSI',
};

/** The seed's slide JSON, plus what the browser library knows (MPP, magnification, associated, properties). */
function slideJson(id: string, slide: Slide) {
  return {
    slide_id: id,
    format: FORMAT_NAMES[slide.format],
    width: slide.width,
    height: slide.height,
    level_count: slide.levels.length,
    levels: slide.levels.map((l, level) => ({
      level,
      width: l.width,
      height: l.height,
      tile_width: l.tileWidth,
      tile_height: l.tileHeight,
      tiles_x: l.tilesX,
      tiles_y: l.tilesY,
      downsample: l.downsample,
    })),
    mpp: slide.mpp ?? null,
    magnification: slide.magnification ?? null,
    associated: slide.associated,
    properties: slide.properties,
  };
}

const urlJson = (url: ExpiringUrl) => ({ url: url.url, expires_at: url.expiresAt === undefined ? null : Math.floor(url.expiresAt / 1000) });

/**
 * A URL of the sidecar's own (a folder's file, through /raw) signed as the raw route asks when auth is on; without
 * it the browser holding the URL could not read the file. Presigned bucket URLs are left as they are.
 */
function readableUrl(ctx: RouteContext, url: ExpiringUrl, ttlSeconds: number): ExpiringUrl {
  const secret = ctx.options.authSecret;
  if (!secret || !url.url.startsWith(`${ctx.baseUrl}/raw/`)) return url;
  const signed = signUrl(secret, url.url.slice(ctx.baseUrl.length), ttlSeconds);
  return { url: `${ctx.baseUrl}${signed.url}`, expiresAt: signed.expiry * 1000 };
}

/** Rendered images are cached by what determines them, with the headers that describe them. */
async function cached(ctx: RouteContext, key: string, render: () => Promise<CachedImage>): Promise<Reply> {
  const hit = ctx.images.get(key);
  if (hit) return jpeg(hit);
  const image = await render();
  ctx.images.set(key, image, image.body.length);
  return jpeg(image);
}

export async function slidesRoute(ctx: RouteContext, req: ApiRequest, id: string, sub: string | undefined): Promise<Reply> {
  const quality = () => intParam(req, 'quality', ctx.options.jpegQuality, 1, 100, 'invalid_quality');
  switch (sub) {
    case undefined:
      return json(slideJson(id, await ctx.slides.get(id)));
    case 'thumbnail': {
      const maxSize = intParam(req, 'max_size', 512, 64, 2048);
      const q = quality();
      return cached(ctx, `thumb|${id}|${maxSize}|${q}`, async () => {
        const slide = await ctx.slides.get(id);
        const look = await ctx.slides.look(id, slide);
        return { body: await thumbnail(slide, maxSize, q, look), headers: colourHeader(slide, look.colour !== undefined) };
      });
    }
    case 'dzi': {
      const slide = await ctx.slides.get(id);
      const tile = dziTileSize(slide);
      return {
        type: 'application/xml',
        cacheable: true,
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" TileSize="${tile}" Overlap="0" Format="jpg"><Size Width="${slide.width}" Height="${slide.height}"/></Image>\n`,
      };
    }
    case 'url': {
      const expires = intParam(req, 'ttl', 900, 60, 3600);
      const url = readableUrl(ctx, await ctx.options.store.url(id, expires, ctx.baseUrl), expires);
      return json({ ...urlJson(url), source_id: ctx.options.store.identity(id, ctx.baseUrl) });
    }
    case 'urls': {
      // Every file of the slide: a DICOM series has no single URL, but one per instance.
      const expires = intParam(req, 'ttl', 900, 60, 3600);
      const urls = await ctx.options.store.urls(id, expires, ctx.baseUrl);
      return json({ urls: urls.map((u) => ({ ...urlJson(readableUrl(ctx, u, expires)), source_id: u.sourceId })) });
    }
    case 'token': {
      // Renews a viewer token the caller already holds (checked before we get here); never mints one from nothing.
      if (!ctx.options.authSecret) throw new ApiError('not_found', 'Viewer tokens exist only when auth is enabled.');
      const exp = Math.floor(Date.now() / 1000) + 3600;
      return json({ vt: viewerToken(ctx.options.authSecret, id, exp), exp });
    }
    default:
      throw new ApiError('not_found', `No route /slides/{id}/${sub.slice(0, 50)}.`);
  }
}

export async function dziTileRoute(ctx: RouteContext, req: ApiRequest, id: string, levelSegment: string | undefined, file: string | undefined): Promise<Reply> {
  const level = intSegment(levelSegment, 'The Deep Zoom level', 'invalid_level');
  const m = /^(\d{1,9})_(\d{1,9})\.(jpg|jpeg)$/.exec(file ?? '');
  if (!m) throw new ApiError('tile_out_of_bounds', 'Deep Zoom tiles are named {col}_{row}.jpg.');
  const q = intParam(req, 'quality', ctx.options.jpegQuality, 1, 100, 'invalid_quality');
  const slide = await ctx.slides.get(id);
  if (level >= dziLevels(slide)) throw new ApiError('invalid_level', `Deep Zoom level ${level} does not exist (0–${dziLevels(slide) - 1}).`);
  return cached(ctx, `dz|${id}|${level}|${m[1]}|${m[2]}|${q}`, async () => {
    const look = await ctx.slides.look(id, slide);
    return {
      body: await dziTile(slide, level, Number(m[1]), Number(m[2]), dziTileSize(slide), q, look),
      headers: colourHeader(slide, look.colour !== undefined),
    };
  });
}

export async function tileRoute(
  ctx: RouteContext,
  req: ApiRequest,
  id: string,
  levelSegment: string | undefined,
  xSegment: string | undefined,
  ySegment: string | undefined,
): Promise<Reply> {
  const level = intSegment(levelSegment, 'The level', 'invalid_level');
  const x = intSegment(xSegment, 'x', 'tile_out_of_bounds');
  const y = intSegment(ySegment?.replace(/\.jpe?g$/, ''), 'y', 'tile_out_of_bounds');
  const q = intParam(req, 'quality', ctx.options.jpegQuality, 1, 100, 'invalid_quality');
  return cached(ctx, `tile|${id}|${level}|${x}|${y}|${q}`, async () => {
    const slide = await ctx.slides.get(id);
    const { body, passedThrough, colourManaged } = await tileJpeg(slide, level, x, y, q, () => ctx.slides.look(id, slide));
    return { body, headers: { 'X-Tile-Encoding': passedThrough ? 'passthrough' : 'reencoded', ...colourHeader(slide, colourManaged) } };
  });
}

/** Who draws on the viewer page, as the fork decided it: `?author_id=`, else a proxy's user header, else "viewer". */
function pageAuthor(req: ApiRequest): string {
  const given = req.query.get('author_id')?.trim();
  if (given) return given.slice(0, 256);
  for (const name of ['x-forwarded-user', 'x-remote-user', 'x-auth-request-user']) {
    const value = req.headers[name];
    const user = (Array.isArray(value) ? value[0] : value)?.trim();
    if (user) return user.slice(0, 256);
  }
  return 'viewer';
}

export async function viewRoute(ctx: RouteContext, req: ApiRequest, id: string): Promise<Reply> {
  await ctx.slides.get(id);
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const token = ctx.options.authSecret ? { vt: viewerToken(ctx.options.authSecret, id, exp), exp } : undefined;
  return { type: 'text/html; charset=utf-8', body: await viewPage(ctx.options.pagesDir, { id, author: pageAuthor(req), ...(token ? { token } : {}) }) };
}

export function newImageCache(bytes: number): LruMap<string, CachedImage> {
  return new LruMap(bytes);
}
