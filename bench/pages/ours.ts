import { openSlide } from '../../src/index.js';
import { benchApi, tellDriver } from './bench-api.js';

// Several `slide`s: the files of one DICOM series.
const named = new URLSearchParams(location.search).getAll('slide');
const input = named.length > 1 ? named : named[0]!;
// The README's fastest embedding: the slide's first reads start before the viewer's code (OpenSeadragon and the
// panels, about 600 kB) has arrived, and the viewer is given the open slide.
const opening = openSlide(input, { persistentCache: true });
// Same conditions as the peer: no navigator, no prefetch (it would spend bytes the script never draws). The long
// session (`?session`) runs the viewer as a user gets it instead: every default on.
const asUsers = new URLSearchParams(location.search).has('session');
import('../../src/viewer.js')
  .then(async ({ createViewer }) =>
    createViewer(document.getElementById('viewer')!, await opening, { ...(asUsers ? {} : { navigator: false, prefetch: false, panel: false }) }),
  )
  .then(
    (viewer) => {
      benchApi(viewer.osd, performance.now());
      viewer.on('stats', (s) => ((window as unknown as { wsiStats: unknown }).wsiStats = s));
    },
    (error: unknown) => {
      (window as unknown as { benchError: string }).benchError = String(error);
      tellDriver('error');
    },
  );
