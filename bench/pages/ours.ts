import { createViewer } from '../../src/viewer.js';
import { benchApi, tellDriver } from './bench-api.js';

const slide = new URLSearchParams(location.search).get('slide')!;
// Same conditions as the peer: no navigator, no prefetch (it would spend bytes the script never draws).
createViewer(document.getElementById('viewer')!, slide, { navigator: false, prefetch: false, panel: false }).then(
  (viewer) => {
    benchApi(viewer.osd, performance.now());
    viewer.on('stats', (s) => ((window as unknown as { wsiStats: unknown }).wsiStats = s));
  },
  (error: unknown) => {
    (window as unknown as { benchError: string }).benchError = String(error);
    tellDriver('error');
  },
);
