/** Extensions of the slides wsi-stream reads. */
export const SLIDE_EXTENSIONS = ['.svs', '.tif', '.tiff', '.ndpi'];

/** Whether a file name or object key names a slide (by extension: listings have nothing else to go on). */
export function isSlideKey(key: string): boolean {
  const lower = key.toLowerCase();
  return SLIDE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** Whether a file name or object key names a DICOM instance (Part 10 files carry `.dcm` by convention). */
export function isDicomKey(key: string): boolean {
  return key.toLowerCase().endsWith('.dcm');
}
