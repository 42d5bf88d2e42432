import OpenSeadragon from 'openseadragon';
import * as wsi from '../../src/viewer.js';
import * as s3 from '../../src/s3.js';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import { convertedJpegBitmap, nativeBitmap } from '../../src/codec/browser-codecs.js';
import { browserAgrees, withBrowserJpegRoute } from '../../src/colour/browser-jpeg-colour.js';
import { iccTransform } from '../../src/colour/icc-transform.js';
import { jpegIccSegments } from '../../src/colour/jpeg-icc.js';
import { littleCms } from '../../src/colour/slide-colour.js';
import { forgetIdleTileRecords } from '../../src/viewer/osd-workarounds.js';
import { IdbStore } from '../../src/source/idb-store.js';

const decodeWorker = () => new Worker(new URL('../../src/workers/decode.worker.ts', import.meta.url), { type: 'module' });
const crashingWorker = () => new Worker(new URL('./crashing.worker.ts', import.meta.url), { type: 'module' });

/** What the browser tests drive: the library's browser entry, and workers that crash on their first job. */
const harness = {
  ...wsi,
  s3,
  // The SDK's own Cognito provider, so a test exercises it rather than an injected stand-in.
  fromCognitoIdentityPool,
  OpenSeadragon,
  // The colour route's parts, so a test can show the check that guards the browser's own conversion can fail.
  colourRoute: { browserAgrees, withBrowserJpegRoute, iccTransform, jpegIccSegments, littleCms },
  // The browser's JPEG decode routes, so a test can tell which one a tile takes.
  jpegRoutes: { nativeBitmap, convertedJpegBitmap },
  // With short times, so a test need not wait the viewer's own ten seconds of idleness.
  forgetIdleTileRecords,
  // The IndexedDB store under the persistent cache, so a test can write to it while an eviction goes on.
  IdbStore,
  crashingWorker,
  /** A pool whose first worker dies on its first message; every worker after it (its replacement too) decodes. */
  poolWithCrashingFirstWorker: (options: wsi.DecoderPoolOptions) => {
    let made = 0;
    return new wsi.DecoderPool(() => (made++ === 0 ? crashingWorker() : decodeWorker()), options);
  },
};
(globalThis as unknown as { harness: typeof harness }).harness = harness;
document.title = 'ready';
