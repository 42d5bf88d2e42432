/** Colour spellings of the formats: `#rrggbb[aa]` (ours, the fork's), [r, g, b] (QuPath), a COLORREF integer (ImageScope). */

export function hexToRgb(hex: string): [number, number, number] {
  return [Number.parseInt(hex.slice(1, 3), 16), Number.parseInt(hex.slice(3, 5), 16), Number.parseInt(hex.slice(5, 7), 16)];
}

export function rgbToHex([r, g, b]: readonly number[]): string {
  return `#${[r, g, b]
    .map((v) =>
      Math.max(0, Math.min(255, Math.round(v ?? 0)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** ImageScope's `LineColor`: a Windows COLORREF, 0x00BBGGRR, written in decimal (65280 is green, 255 red). */
export function hexToColorref(hex: string): number {
  const [r, g, b] = hexToRgb(hex);
  return r + g * 256 + b * 65536;
}

export function colorrefToHex(value: number): string {
  return rgbToHex([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff]);
}

/** QuPath before 0.4 wrote `colorRGB`, a signed 32-bit ARGB integer. */
export function argbToHex(value: number): string {
  return rgbToHex([(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
}
