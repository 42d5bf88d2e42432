declare module 'geotiff-tilesource' {
  export function enableGeoTIFFTileSource(osd: unknown, options?: object): void;
}
