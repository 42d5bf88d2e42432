import { BlobSource, createViewer, SlideError, type WsiViewer } from '../src/viewer.js';

/** Sample slides sit beside the built assets (Vite's public folder), wherever the site is deployed. */
const SAMPLES = new URL(/* @vite-ignore */ '../samples/', import.meta.url);

interface Sample {
  file: string;
  title: string;
}

const viewerElement = document.getElementById('viewer')!;
const banner = document.getElementById('banner')!;
const statsLine = document.getElementById('stats')!;
let current: WsiViewer | undefined;

function showError(error: unknown): void {
  banner.textContent = SlideError.is(error) ? `${error.code}: ${error.message}` : String(error);
  banner.hidden = false;
}

async function open(input: string | Blob, label: string): Promise<void> {
  banner.hidden = true;
  current?.destroy();
  current = undefined;
  try {
    current = await createViewer(viewerElement, typeof input === 'string' ? input : new BlobSource(input, label), { hashViewport: true });
    current.on('stats', (s) => (statsLine.textContent = `${s.requests} requests, ${(s.bytes / 1024).toFixed(0)} kB, ${s.tilesLoaded} tiles`));
    document.title = `${label} — wsi-stream`;
  } catch (error) {
    showError(error);
  }
}

async function listSamples(): Promise<Sample[]> {
  const response = await fetch(new URL('index.json', SAMPLES));
  return response.ok ? ((await response.json()) as Sample[]) : [];
}

async function main(): Promise<void> {
  const samples = await listSamples();
  const nav = document.getElementById('samples')!;
  const params = new URLSearchParams(location.search);
  const requested = params.get('slide');
  for (const sample of samples) {
    const button = document.createElement('button');
    button.textContent = sample.title;
    button.dataset.file = sample.file;
    button.addEventListener('click', () => {
      nav.querySelectorAll('button').forEach((b) => b.setAttribute('aria-current', String(b === button)));
      const url = new URL(sample.file, SAMPLES).href;
      history.replaceState(null, '', `?slide=${encodeURIComponent(url)}`);
      void open(url, sample.file);
    });
    nav.append(button);
  }
  document.getElementById('by-url')!.addEventListener('submit', (event) => {
    event.preventDefault();
    const url = String(new FormData(event.target as HTMLFormElement).get('url') ?? '').trim();
    if (!url) return;
    history.replaceState(null, '', `?slide=${encodeURIComponent(url)}`);
    void open(url, url.split('/').pop() ?? url);
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
    const file = e.dataTransfer?.files[0];
    if (file) void open(file, file.name);
  });
  if (requested) await open(requested, requested.split('/').pop() ?? requested);
  else if (samples[0]) (nav.querySelector('button') as HTMLButtonElement).click();
}

void main();
