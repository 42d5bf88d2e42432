import OpenSeadragon from 'openseadragon';
import { enableGeoTIFFTileSource } from 'geotiff-tilesource';
import { benchApi, tellDriver } from './bench-api.js';

/**
 * The peer as its README shows it: getAllTileSources, then an OpenSeadragon viewer on the first source; `drawer`
 * (canvas or webgl, OpenSeadragon's default) picks OpenSeadragon's drawer, so the driver can run the peer with each.
 */
const params = new URLSearchParams(location.search);
const slide = params.get('slide')!;
const drawer = params.get('drawer') === 'canvas' ? 'canvas' : 'webgl';
enableGeoTIFFTileSource(OpenSeadragon);
const GeoTIFFTileSource = (
  OpenSeadragon as unknown as { GeoTIFFTileSource: { getAllTileSources(url: string, o: object): Promise<OpenSeadragon.TileSource[]> } }
).GeoTIFFTileSource;
GeoTIFFTileSource.getAllTileSources(slide, { logLatency: false }).then(
  (sources) => {
    const opened = performance.now();
    const osd = OpenSeadragon({
      element: document.getElementById('viewer')!,
      tileSources: [sources[0]!],
      crossOriginPolicy: 'Anonymous',
      drawer,
      showNavigationControl: false,
    });
    osd.addOnceHandler('open', () => benchApi(osd, opened));
  },
  (error: unknown) => {
    (window as unknown as { benchError: string }).benchError = String(error);
    tellDriver('error');
  },
);
