import type OpenSeadragon from 'openseadragon';

/** Puts the viewer on the whole screen, or takes it back (the F key and the full-screen button). */
export function toggleFullScreen(root: HTMLElement): void {
  const doc = root.ownerDocument;
  if (doc.fullscreenElement) void doc.exitFullscreen();
  else void root.requestFullscreen?.();
}

const SVG = 'http://www.w3.org/2000/svg';
/** Four corners: drawn, not a glyph, because fonts on many machines (headless ones included) lack ⛶. */
const CORNERS = 'M1 5V1h4M9 1h4v4M13 9v4H9M5 13H1V9';

export function fullScreenButton(doc: Document, root: HTMLElement): HTMLButtonElement {
  const button = doc.createElement('button');
  button.type = 'button';
  button.title = 'Full screen (F)';
  button.setAttribute('aria-label', 'Full screen');
  button.dataset.action = 'full-screen';
  const icon = doc.createElementNS(SVG, 'svg');
  icon.setAttribute('viewBox', '0 0 14 14');
  icon.setAttribute('width', '12');
  icon.setAttribute('height', '12');
  icon.setAttribute('aria-hidden', 'true');
  const path = doc.createElementNS(SVG, 'path');
  path.setAttribute('d', CORNERS);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '1.6');
  icon.append(path);
  button.append(icon);
  button.addEventListener('click', () => toggleFullScreen(root));
  return button;
}

/** F toggles full screen. */
export function bindFullScreenKey(osd: OpenSeadragon.Viewer, root: HTMLElement): void {
  osd.addHandler('canvas-key', (event) => {
    const e = event as unknown as { originalEvent: KeyboardEvent; preventDefaultAction: boolean };
    const key = e.originalEvent.key;
    if (key === 'f' || key === 'F') {
      // OpenSeadragon flips the image on F; here F means full screen, as in WSIStreamer's viewer.
      e.preventDefaultAction = true;
      if (e.originalEvent.type === 'keydown') toggleFullScreen(root);
    }
  });
}
