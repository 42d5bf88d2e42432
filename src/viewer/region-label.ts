import type OpenSeadragon from 'openseadragon';
import type { Slide } from '../slide/types.js';

/** What the view shows at this zoom, for a screen reader: the objective-equivalent magnification, else µm per screen pixel, else the zoom. */
export function describeZoom(slide: Slide, imageZoom: number): string {
  const round = (n: number) => Number(n.toPrecision(3));
  if (slide.magnification) return `${round(slide.magnification * imageZoom)}× magnification`;
  if (slide.mpp) return `${round(slide.mpp.x / imageZoom)} µm per screen pixel`;
  return `zoom ${round(imageZoom * 100)} %`;
}

/** The slide's file name from its source id (URL without query, s3:// key, file name). */
export function slideName(slide: Slide): string {
  return decodeURIComponent(slide.sourceId.split(/[?#]/)[0]!.split('/').filter(Boolean).pop() ?? slide.sourceId);
}

/**
 * Makes the viewer a labelled region ("CMU-1.svs, 12.4× magnification, slide viewer") and keeps the label in step
 * with the zoom, so a screen reader says what is shown; updated when the view comes to rest, not on every frame.
 */
export function labelRegion(root: HTMLElement, osd: OpenSeadragon.Viewer, slide: Slide, name: string): void {
  root.setAttribute('role', 'region');
  const update = () => {
    const item = osd.world.getItemAt(0);
    const zoom = item ? item.viewportToImageZoom(osd.viewport.getZoom(true)) : undefined;
    root.setAttribute('aria-label', `${name}, ${zoom === undefined ? 'opening' : describeZoom(slide, zoom)}, slide viewer`);
  };
  update();
  osd.addHandler('open', update);
  osd.addHandler('animation-finish', update);
}
