import { BlobSource, createViewer, createViewerGroup, SlideError, type SlideInput, type ViewerGroup, type WsiViewer } from '../src/viewer.js';
import { bucketCatalogue, parseS3Target, s3Input, sampleCatalogue, sidecarCatalogue, type CatalogueEntry, type S3Settings } from './catalogues.js';
import { renderNetworkPanel } from './network-panel.js';
import { SlideBrowser } from './slide-browser.js';

/** Sample slides sit beside the built assets (Vite's public folder), wherever the site is deployed. */
const SAMPLES = new URL(/* @vite-ignore */ '../samples/', import.meta.url);

/** A heading per error code: the SlideError's message under it says what to do. */
const HEADINGS: Partial<Record<string, string>> = {
  not_found: 'The slide was not found',
  http_404: 'The slide was not found',
  http_403: 'Access to the slide was refused',
  access_denied: 'Access to the slide was refused',
  credentials_expired: 'The credentials or link have expired',
  cors_blocked: 'The server does not let this page read the slide (CORS)',
  network: 'The slide server could not be reached',
  not_tiff: 'This is not a slide this viewer can read',
  not_tiled: 'This TIFF is not tiled',
  unsupported_compression: 'The slide uses a compression this viewer cannot decode',
  corrupt: 'The slide file is damaged',
  truncated: 'The slide file is incomplete',
  read_past_end: 'The slide file is incomplete',
  range_unsupported: 'The server does not support partial downloads',
  wrong_region: 'The bucket is in another region',
};

const viewerElement = document.getElementById('viewer')!;
const banner = document.getElementById('banner')!;
const network = document.getElementById('network') as HTMLTableElement;
const themeButton = document.getElementById('theme') as HTMLButtonElement;
const browser = new SlideBrowser(document.getElementById('browser')!, (entry) => void openEntry(entry));
let current: WsiViewer | undefined;
/** Two slides side by side (`?slide=a&slide=b`): their group, whose first viewer is `current`. */
let group: ViewerGroup | undefined;
const compareButton = document.getElementById('compare') as HTMLButtonElement;
const linkButton = document.getElementById('link') as HTMLButtonElement;
let theme: 'dark' | 'light' = localStorage.getItem('wsi-theme') === 'light' ? 'light' : 'dark';

function showError(error: unknown): void {
  const code = SlideError.is(error) ? error.code : undefined;
  const heading = Object.assign(document.createElement('strong'), { textContent: (code && HEADINGS[code]) ?? 'The slide could not be opened' });
  const message = error instanceof Error ? error.message : String(error);
  banner.replaceChildren(heading, `${code ? `${code}: ` : ''}${message}`);
  banner.dataset.code = code ?? 'error';
  banner.hidden = false;
}

function applyTheme(): void {
  document.documentElement.dataset.theme = theme;
  themeButton.textContent = theme === 'dark' ? 'Light' : 'Dark';
  if (group) group.setTheme(theme);
  else current?.setTheme(theme);
}

/** Puts what is open into the address bar, so the page can be bookmarked or shared; the viewport follows in the hash. */
function remember(params: Record<string, string> | URLSearchParams): void {
  const query = `?${new URLSearchParams(params).toString()}`;
  // The viewport in the hash belongs to the slide it was kept for: a deep link keeps it, another slide starts afresh
  // (it used to open at the previous slide's coordinates, off its edge when the slides differ in size).
  history.replaceState(null, '', query === location.search ? `${query}${location.hash}` : query);
}

/** The open under way: a newer one aborts it, so a second click never leaves two viewers stacked. */
let opening: AbortController | undefined;

/** Closes what is shown: one viewer, or a group side by side. */
function closeCurrent(): void {
  if (group) group.destroy();
  else current?.destroy();
  group = undefined;
  current = undefined;
  linkButton.hidden = true;
  viewerElement.replaceChildren();
}

/** A slide: one file, or the files of a DICOM series. */
type OpenInput = SlideInput | readonly SlideInput[];

async function open(input: OpenInput | Promise<OpenInput>, label: string, beside?: { input: SlideInput; label: string }): Promise<void> {
  banner.hidden = true;
  opening?.abort();
  const controller = new AbortController();
  opening = controller;
  closeCurrent();
  const started = performance.now();
  let firstTileMs: number | undefined;
  try {
    // Wide-gamut screens see a profile's colours beyond sRGB; every other screen gets sRGB (see colourSpace).
    const options = { theme, colourSpace: 'display-p3', open: { signal: controller.signal } } as const;
    let opened: ViewerGroup | undefined;
    if (beside) {
      const panes = [0, 1].map(() => Object.assign(document.createElement('div'), { className: 'pane' }));
      viewerElement.replaceChildren(...panes);
      opened = await createViewerGroup(panes, [await input, beside.input], { ...options, hashViewport: true, sync: 'physical' });
    }
    const viewer = opened ? opened.viewers[0]! : await createViewer(viewerElement, await input, { ...options, hashViewport: true });
    if (controller.signal.aborted) {
      if (opened) opened.destroy();
      else viewer.destroy();
      return;
    }
    current = viewer;
    group = opened;
    linkButton.hidden = !opened;
    showLink();
    if (beside) label = `${label} | ${beside.label}`;
    // A handle for the browser console: `wsiViewer.stats()`, `wsiViewer.osd.viewport`…
    (window as unknown as { wsiViewer?: WsiViewer }).wsiViewer = viewer;
    viewer.on('tile-loaded', () => (firstTileMs ??= performance.now() - started));
    viewer.on('stats', (stats) => renderNetworkPanel(network, stats, firstTileMs));
    renderNetworkPanel(network, viewer.stats(), firstTileMs);
    document.title = `${label} — wsi-stream`;
  } catch (error) {
    if (!controller.signal.aborted) showError(error);
  }
}

function showLink(): void {
  const linked = group?.locked ?? true;
  linkButton.setAttribute('aria-pressed', String(linked));
  linkButton.textContent = linked ? 'Linked: pan and zoom together' : 'Unlinked: move one slide to align, then link';
}
linkButton.addEventListener('click', () => {
  group?.setLocked(!group.locked);
  showLink();
});
compareButton.addEventListener('click', () => compareButton.setAttribute('aria-pressed', String(compareButton.getAttribute('aria-pressed') !== 'true')));

/** On a small screen the slide list is a drawer over the viewer (demo/index.html's media query). */
const drawerToggle = document.getElementById('drawer-toggle') as HTMLButtonElement;
function setDrawer(open: boolean): void {
  document.body.classList.toggle('drawer-open', open);
  drawerToggle.setAttribute('aria-expanded', String(open));
}
drawerToggle.addEventListener('click', () => setDrawer(!document.body.classList.contains('drawer-open')));

/** What is open by link (one slide, or the first of two), to open a second one beside it. */
let shown: { slide: string; title: string } | undefined;

/** The `?slide=` an entry reopens by, if it has one (a series of files has `?series=` instead). */
const linkedSlide = (entry: CatalogueEntry) => (entry.link ? new URLSearchParams(entry.link).get('slide') : null) ?? undefined;

function openEntry(entry: CatalogueEntry): Promise<void> {
  // The slide chosen: give it the screen.
  setDrawer(false);
  const compare = compareButton.getAttribute('aria-pressed') === 'true';
  compareButton.setAttribute('aria-pressed', 'false');
  const first = shown;
  const slide = linkedSlide(entry);
  if (compare && first && slide) {
    remember(
      new URLSearchParams([
        ['slide', first.slide],
        ['slide', slide],
      ]),
    );
    shown = first;
    return open(first.slide, first.title, { input: slide, label: entry.title });
  }
  if (entry.link) remember(entry.link);
  else history.replaceState(null, '', location.pathname);
  shown = slide ? { slide, title: entry.title } : undefined;
  return open(entry.open(), entry.title);
}

async function browse(entries: Promise<CatalogueEntry[]>): Promise<HTMLButtonElement[]> {
  banner.hidden = true;
  try {
    return browser.show(await entries);
  } catch (error) {
    showError(error);
    return [];
  }
}

function s3Settings(form: HTMLFormElement): S3Settings {
  const data = new FormData(form);
  const field = (name: string) => String(data.get(name) ?? '').trim();
  return {
    region: field('region'),
    endpoint: field('endpoint'),
    accessKeyId: field('accessKeyId'),
    secretAccessKey: field('secretAccessKey'),
    sessionToken: field('sessionToken'),
    identityPoolId: field('identityPoolId'),
  };
}

function nameOf(path: string): string {
  return decodeURIComponent(path.split(/[/?#]/).filter(Boolean).pop() ?? path);
}

function bindForms(): void {
  document.getElementById('by-url')!.addEventListener('submit', (event) => {
    event.preventDefault();
    const url = String(new FormData(event.target as HTMLFormElement).get('url') ?? '').trim();
    if (!url) return;
    browser.select(undefined);
    remember({ slide: url });
    void open(url, nameOf(url));
  });
  document.getElementById('by-sidecar')!.addEventListener('submit', (event) => {
    event.preventDefault();
    const base = String(new FormData(event.target as HTMLFormElement).get('sidecar') ?? '').trim();
    if (!base) return;
    remember({ sidecar: base });
    void browse(sidecarCatalogue(base, new AbortController().signal));
  });
  document.getElementById('by-s3')!.addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const settings = s3Settings(form);
    try {
      const { bucket, key } = parseS3Target(String(new FormData(form).get('uri') ?? ''));
      // Credentials never go into the address bar: only a public bucket's slide is worth a link.
      const publicLink = !settings.accessKeyId && !settings.identityPoolId;
      if (key && !key.endsWith('/')) {
        if (publicLink)
          remember({
            slide: `s3://${bucket}/${key}`,
            ...(settings.region ? { region: settings.region } : {}),
            ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
          });
        void open(s3Input(settings, bucket, key), nameOf(key));
      } else {
        void browse(bucketCatalogue(settings, bucket, key, new AbortController().signal));
      }
    } catch (error) {
      showError(error);
    }
  });
  const main = document.getElementById('main')!;
  main.addEventListener('dragover', (e) => {
    e.preventDefault();
    main.classList.add('dragging');
  });
  main.addEventListener('dragleave', () => main.classList.remove('dragging'));
  main.addEventListener('drop', (e) => {
    e.preventDefault();
    main.classList.remove('dragging');
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    browser.select(undefined);
    // A local file has no address to share: the link goes back to the plain demo.
    history.replaceState(null, '', location.pathname);
    shown = undefined;
    // Several files at once are the instances of one DICOM series.
    const sources = files.map((file) => new BlobSource(file, file.name));
    void open(sources.length === 1 ? sources[0]! : sources, files.length === 1 ? files[0]!.name : `${files.length} DICOM files`);
  });
  themeButton.addEventListener('click', () => {
    theme = theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('wsi-theme', theme);
    applyTheme();
  });
}

/**
 * `?slide=<url, s3://bucket/key or s3://bucket/prefix/ (a DICOM series), dicomweb:…>[&region=&endpoint=]`, two
 * `slide`s side by side, `?series=<url>&series=<url>…` (a DICOM series by its files' URLs), `?sidecar=<url>[&id=<slide>]`,
 * else the first sample.
 */
async function main(): Promise<void> {
  applyTheme();
  bindForms();
  const params = new URLSearchParams(location.search);
  const sidecar = params.get('sidecar');
  const slide = params.get('slide');
  const [, second] = params.getAll('slide');
  const series = params.getAll('series');
  if (sidecar) {
    const entries = await sidecarCatalogue(sidecar, new AbortController().signal).catch((error: unknown) => {
      showError(error);
      return [];
    });
    const buttons = browser.show(entries);
    const wanted = params.get('id');
    const index = entries.findIndex((e) => e.title === wanted);
    if (wanted && index >= 0) {
      browser.select(buttons[index]);
      await openEntry(entries[index]!);
    }
    return;
  }
  const samples = await sampleCatalogue(SAMPLES);
  const buttons = browser.show(samples);
  if (slide?.startsWith('s3://')) {
    const { bucket, key } = parseS3Target(slide);
    await open(
      s3Input(
        {
          region: params.get('region') ?? '',
          endpoint: params.get('endpoint') ?? '',
          accessKeyId: '',
          secretAccessKey: '',
          sessionToken: '',
          identityPoolId: '',
        },
        bucket,
        key,
      ),
      nameOf(key),
    );
  } else if (series.length > 0) {
    const index = samples.findIndex((s) => new URLSearchParams(s.link).getAll('series').join() === series.join());
    browser.select(buttons[index]);
    await open(series, samples[index]?.title ?? `${series.length} DICOM files`);
  } else if (slide && second) {
    const titleOf = (url: string) => samples.find((s) => linkedSlide(s) === url)?.title ?? nameOf(url);
    shown = { slide, title: titleOf(slide) };
    await open(slide, titleOf(slide), { input: second, label: titleOf(second) });
  } else if (slide) {
    const index = samples.findIndex((s) => linkedSlide(s) === slide);
    browser.select(buttons[index]);
    shown = { slide, title: samples[index]?.title ?? nameOf(slide) };
    await open(slide, samples[index]?.title ?? nameOf(slide));
  } else {
    buttons[0]?.click();
  }
}

void main();
