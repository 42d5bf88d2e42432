import { createViewer } from '../../src/viewer.js';
import { benchApi, tellDriver } from './bench-api.js';

// Several `slide`s: the files of one DICOM series.
const named = new URLSearchParams(location.search).getAll('slide');
const slide = named.length > 1 ? named : named[0]!;
// Same conditions as the peer: no navigator, no prefetch (it would spend bytes the script never draws). The long
// session (`?session`) runs the viewer as a user gets it instead: every default on.
const asUsers = new URLSearchParams(location.search).has('session');
// `?fetchAhead=0`: without the home view's tiles read ahead (bench:ahead measures what they save).
const fetchAhead = new URLSearchParams(location.search).get('fetchAhead') !== '0';
createViewer(document.getElementById('viewer')!, slide, asUsers ? {} : { navigator: false, prefetch: false, panel: false, fetchAhead }).then(
  (viewer) => {
    benchApi(viewer.osd, performance.now());
    viewer.on('stats', (s) => ((window as unknown as { wsiStats: unknown }).wsiStats = s));
  },
  (error: unknown) => {
    (window as unknown as { benchError: string }).benchError = String(error);
    tellDriver('error');
  },
);
