import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from './http-error.js';

/** What the sidecar injects into its viewer page (view/view.ts reads it): which slide, and, with auth on, the token it renews while open. */
export interface ViewConfig {
  id: string;
  token?: { vt: string; exp: number };
  /** Author of the shapes drawn on the page (the fork's rule: `?author_id=`, else the proxy's user header, else "viewer"). */
  author: string;
}

/** The built viewer page (`build/pages/view/index.html`) with the slide's configuration injected. */
export async function viewPage(pagesDir: string | undefined, config: ViewConfig): Promise<string> {
  if (!pagesDir) throw new ApiError('not_found', 'The viewer page is not built into this sidecar (run npm run build:pages).');
  let html: string;
  try {
    html = await readFile(join(pagesDir, 'view', 'index.html'), 'utf8');
  } catch {
    throw new ApiError('not_found', 'The viewer page is not built (build/pages/view/index.html is missing): run npm start or vite build.');
  }
  // JSON inside <script>: escape "<" so no slide id can close the element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return html.replace('</head>', `<script>window.WSI_VIEW = ${json};</script></head>`);
}
