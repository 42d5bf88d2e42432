import type { Slide, AssociatedName } from '../slide/types.js';
import type { DecoderPool } from '../workers/pool.js';
import { associatedCanvas } from './associated-canvas.js';
import { fullScreenButton } from './full-screen.js';

function row(table: HTMLTableElement, key: string, value: string): void {
  const tr = table.insertRow();
  tr.insertCell().textContent = key;
  tr.insertCell().textContent = value;
}

/** The metadata panel: summary, levels, properties, and the associated images, decoded only when asked for. */
export function buildPanel(doc: Document, slide: Slide, pool: DecoderPool, colour?: HTMLElement): HTMLElement {
  const panel = doc.createElement('div');
  panel.className = 'wsi-panel';
  panel.setAttribute('role', 'region');
  panel.setAttribute('aria-label', 'Slide information');
  panel.hidden = true;
  if (colour) panel.append(colour);
  const summary = doc.createElement('table');
  row(summary, 'format', slide.format);
  row(summary, 'size', `${slide.width} × ${slide.height}`);
  row(summary, 'MPP', slide.mpp ? `${slide.mpp.x} × ${slide.mpp.y} µm/px` : 'unknown');
  row(summary, 'magnification', slide.magnification !== undefined ? `${slide.magnification}×` : 'unknown');
  row(summary, 'keys', '+ − zoom, 0 home, arrows pan, F full screen');
  for (const [i, l] of slide.levels.entries())
    row(summary, `level ${i}`, `${l.width} × ${l.height}, ${l.tileWidth}×${l.tileHeight} tiles, ÷${l.downsample.toFixed(3)}`);
  panel.append(summary);

  const images = doc.createElement('div');
  for (const name of slide.associated) {
    const button = doc.createElement('button');
    button.type = 'button';
    button.textContent = name;
    button.dataset.associated = name;
    button.addEventListener('click', () => void showAssociated(doc, images, slide, pool, name));
    images.append(button);
  }
  panel.append(images);

  const details = doc.createElement('details');
  details.append(Object.assign(doc.createElement('summary'), { textContent: 'properties' }));
  const properties = doc.createElement('table');
  for (const [k, v] of Object.entries(slide.properties)) row(properties, k, v);
  details.append(properties);
  panel.append(details);
  return panel;
}

/** Shows one associated image beside the buttons, replacing the one shown before. */
async function showAssociated(doc: Document, container: HTMLElement, slide: Slide, pool: DecoderPool, name: AssociatedName): Promise<void> {
  container.querySelector('canvas')?.remove();
  container.append(await associatedCanvas(doc, slide, pool, name));
}

/** Numbers the panels of a page, for the `aria-controls` that ties each "i" button to its own. */
let panels = 0;

/** The buttons over the view (full screen, and "i" for the panel when it is wanted) and the panel itself. */
export function toolsAndPanel(doc: Document, root: HTMLElement, slide: Slide, pool: DecoderPool, withPanel: boolean, colour?: HTMLElement): HTMLElement[] {
  const tools = doc.createElement('div');
  tools.className = 'wsi-tools';
  tools.append(fullScreenButton(doc, root));
  if (!withPanel) return [tools];
  const info = doc.createElement('button');
  info.type = 'button';
  info.textContent = 'i';
  info.title = 'Slide information, label and macro';
  info.setAttribute('aria-label', 'Slide information');
  info.setAttribute('aria-expanded', 'false');
  info.dataset.action = 'info';
  const panel = buildPanel(doc, slide, pool, colour);
  panel.id = `wsi-panel-${++panels}`;
  info.setAttribute('aria-controls', panel.id);
  info.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    info.setAttribute('aria-expanded', String(!panel.hidden));
  });
  tools.prepend(info);
  return [tools, panel];
}
