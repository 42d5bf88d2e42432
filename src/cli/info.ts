import type { Slide } from '../slide/types.js';

/** The JSON contract of `wsi-stream info --json`. */
export function infoJson(slide: Slide): object {
  return {
    format: slide.format,
    width: slide.width,
    height: slide.height,
    levels: slide.levels.map((l) => ({
      width: l.width,
      height: l.height,
      tileWidth: l.tileWidth,
      tileHeight: l.tileHeight,
      tilesX: l.tilesX,
      tilesY: l.tilesY,
      downsample: l.downsample,
      ...(l.restartInterval ? { restartInterval: l.restartInterval } : {}),
    })),
    mpp: slide.mpp ?? null,
    magnification: slide.magnification ?? null,
    associated: slide.associated,
    ...(slide.channels ? { channels: slide.channels } : {}),
    properties: slide.properties,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padStart(widths[c]!)).join('  ')).join('\n');
}

/** Line breaks in a property as visible escapes, so one property stays one line (NDPI's shading data holds bare CRs). */
function escapeBreaks(text: string): string {
  return text.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/** The human form: a summary, the level table, then every property. */
export function infoText(slide: Slide, source: string): string {
  const lines = [
    `${source}`,
    `  format          ${slide.format}`,
    `  size            ${slide.width} × ${slide.height}`,
    `  mpp             ${slide.mpp ? `${slide.mpp.x} × ${slide.mpp.y} µm/px` : 'unknown'}`,
    `  magnification   ${slide.magnification !== undefined ? `${slide.magnification}×` : 'unknown'}`,
    `  associated      ${slide.associated.join(', ') || 'none'}`,
    ...(slide.channels ? [`  channels        ${slide.channels.map((c, i) => `${i} ${c.name} (${c.bitsPerSample}-bit)`).join(', ')}`] : []),
    '',
    table([
      ['level', 'width', 'height', 'tile', 'tiles', 'downsample'],
      ...slide.levels.map((l, i) => [
        String(i),
        String(l.width),
        String(l.height),
        `${l.tileWidth}×${l.tileHeight}${l.restartInterval ? ` (runs of ${l.restartInterval.width}×${l.restartInterval.height} restart intervals)` : ''}`,
        `${l.tilesX}×${l.tilesY}`,
        l.downsample.toFixed(4),
      ]),
    ]),
    '',
    'properties',
    ...Object.entries(slide.properties).map(([k, v]) => `  ${escapeBreaks(k)} = ${escapeBreaks(v)}`),
  ];
  return lines.join('\n');
}
