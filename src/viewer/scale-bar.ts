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
