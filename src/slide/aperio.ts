import type { AssociatedName } from './types.js';

/** OpenSlide's test: an Aperio slide's first ImageDescription starts with "Aperio". */
export function isAperioDescription(description: string | undefined): boolean {
  return description?.startsWith('Aperio') ?? false;
}

/**
 * `aperio.*` properties from `header|key = value|key = value`. As OpenSlide does: a segment splits on " = "
 * into exactly two parts or is ignored, and a repeated key keeps its last value.
 */
export function parseAperioDescription(description: string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const segment of description.split('|').slice(1)) {
    const parts = segment.split(' = ');
    if (parts.length === 2) properties[`aperio.${parts[0]}`] = parts[1]!;
  }
  return properties;
}

/**
 * Names a stripped Aperio directory after level 0: the second directory is the thumbnail; others name
 * themselves on the description's second line ("label 387x463", "macro 1280x431"). Scanners that leave
 * descriptions empty (GT450) are recognised by NewSubfileType (1 label, 9 macro) and then by shape:
 * macros are the wide slide overview, labels roughly square.
 */
export function aperioAssociatedName(
  index: number,
  description: string | undefined,
  newSubfileType: number,
  width: number,
  height: number,
): AssociatedName | undefined {
  if (index === 1) return 'thumbnail';
  const line = description?.split(/\r?\n/)[1]?.trim().toLowerCase() ?? '';
  if (line.startsWith('label')) return 'label';
  if (line.startsWith('macro')) return 'macro';
  if (line.startsWith('thumbnail')) return 'thumbnail';
  if (newSubfileType === 1) return 'label';
  if (newSubfileType === 9) return 'macro';
  if (!description) return width > 1.8 * height ? 'macro' : 'label';
  return undefined;
}
