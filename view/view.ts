import type { ViewConfig } from '../src/sidecar/view-page.js';
import { createViewer, presignedUrlSource, SlideError } from '../src/viewer.js';

const config = (window as unknown as { WSI_VIEW: ViewConfig }).WSI_VIEW;
let token = config.token;
const base = new URL('../', location.href);
const slidePath = `slides/${encodeURIComponent(config.id)}`;

function withToken(path: string): URL {
  const url = new URL(path, base);
  if (token) {
    url.searchParams.set('exp', String(token.exp));
    url.searchParams.set('vt', token.vt);
  }
  return url;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(withToken(path));
  const body = (await response.json()) as T & { error?: string; message?: string };
  if (!response.ok)
    throw new SlideError(response.status === 404 ? 'not_found' : `http_${response.status}`, body.message ?? `${path} answered ${response.status}`);
  return body;
}

/** Renews the viewer token a minute before it ends, so a long session never sees an expired link. */
function scheduleRenewal(): void {
  if (!token) return;
  const delay = Math.max(5_000, (token.exp - 60) * 1000 - Date.now());
  setTimeout(async () => {
    token = await getJson<{ vt: string; exp: number }>(`${slidePath}/token`);
    scheduleRenewal();
  }, delay);
}

interface UrlJson {
  url: string;
  expires_at: number | null;
  source_id: string;
}

async function main(): Promise<void> {
  scheduleRenewal();
  // Every file of the slide (a DICOM series: one per instance), each read straight from storage by its URL.
  const urls = async () => (await getJson<{ urls: UrlJson[] }>(`${slidePath}/urls`)).urls;
  const sources = (await urls()).map((first, i) => {
    let pending: UrlJson | undefined = first;
    return presignedUrlSource(first.source_id, async () => {
      // The first URL is the one just fetched; each renewal asks the sidecar again.
      const next = pending ?? (await urls())[i]!;
      pending = undefined;
      return { url: next.url, ...(next.expires_at ? { expiresAt: next.expires_at * 1000 } : {}) };
    });
  });
  document.title = `${config.id} — wsi-stream`;
  const viewer = await createViewer(document.getElementById('viewer')!, sources.length === 1 ? sources[0]! : sources, {
    // Shapes are kept by the sidecar (its annotation routes), authorised by the page's own renewed token.
    annotations: {
      sidecar: base.href,
      slideId: config.id,
      author: config.author,
      auth: () => (token ? `vt=${token.vt}&exp=${token.exp}` : ''),
    },
  });
  // A handle for the browser console, as the demo has: `wsiViewer.stats()`.
  (window as unknown as { wsiViewer: typeof viewer }).wsiViewer = viewer;
}

main().catch((error: unknown) => {
  const banner = document.createElement('div');
  banner.setAttribute('role', 'alert');
  banner.style.cssText =
    'position:absolute;top:12px;left:50%;transform:translateX(-50%);background:#b3261e;color:#fff;padding:8px 14px;border-radius:4px;font:14px system-ui';
  banner.textContent = SlideError.is(error) ? `${error.code}: ${error.message}` : String(error);
  document.body.append(banner);
});
