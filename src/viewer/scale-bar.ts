import type OpenSeadragon from 'openseadragon';

/** Lengths a scale bar may show, in micrometres: 1, 2, 5 × 10^n. */
function niceLength(maxMicrometres: number): number {
  const power = 10 ** Math.floor(Math.log10(maxMicrometres));
  for (const step of [5, 2, 1]) if (step * power <= maxMicrometres) return step * power;
  return power;
}

export function formatLength(micrometres: number): string {
  return micrometres >= 1000 ? `${micrometres / 1000} mm` : `${micrometres} µm`;
}

/** The bar's length in screen pixels and its label, for `micrometresPerScreenPixel` and a bar at most `maxPixels` wide. */
export function scaleBarFor(micrometresPerScreenPixel: number, maxPixels = 160): { pixels: number; label: string } {
  const length = niceLength(micrometresPerScreenPixel * maxPixels);
  return { pixels: Math.round(length / micrometresPerScreenPixel), label: formatLength(length) };
}

/** The scale bar over the view: a 1-2-5 length for the current zoom, kept up to date as the view moves. */
export function scaleBarElement(osd: OpenSeadragon.Viewer, doc: Document, mpp: number): HTMLElement {
  const bar = doc.createElement('div');
  bar.className = 'wsi-bar';
  const label = doc.createElement('div');
  const line = doc.createElement('div');
  line.className = 'wsi-bar-line';
  bar.append(label, line);
  const update = () => {
    const item = osd.world.getItemAt(0);
    if (!item) return;
    const screenPerImage = item.viewportToImageZoom(osd.viewport.getZoom(true));
    const { pixels, label: text } = scaleBarFor(mpp / screenPerImage);
    label.textContent = text;
    line.style.width = `${pixels}px`;
    bar.dataset.micrometresPerPixel = String(mpp / screenPerImage);
  };
  for (const event of ['open', 'update-viewport', 'animation', 'animation-finish', 'resize'] as const) osd.addHandler(event, update);
  return bar;
}
