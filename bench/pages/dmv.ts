import { tellDriver } from './bench-api.js';

/** The globals of the peer's UMD bundles (dicomweb-client 0.11.3, dicom-microscopy-viewer 0.48.24). */
declare const DICOMwebClient: { api: { DICOMwebClient: new (o: { url: string }) => { retrieveSeriesMetadata(o: object): Promise<object[]> } } };
declare const dicomMicroscopyViewer: {
  metadata: { VLWholeSlideMicroscopyImage: new (o: { metadata: object }) => { ImageType: string[] } };
  viewer: {
    VolumeImageViewer: new (
      o: object,
    ) => {
      render(o: { container: HTMLElement }): void;
      getMap(): { once(type: 'rendercomplete', f: () => void): void };
    };
  };
};

/** What the driver reads: the same marks as the other pages (bench-api.ts), from OpenLayers' events. */
const marks: { metadata?: number; fullViewport?: number } = {};
const longTasks: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push(e.duration);
}).observe({ type: 'longtask', buffered: true });
(window as unknown as { bench: object }).bench = {
  marks,
  longTasks: () => ({ total: longTasks.reduce((a, b) => a + b, 0), max: Math.max(0, ...longTasks), over50: longTasks.filter((d) => d > 50).length }),
  heap: () => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize,
};

/**
 * OrthancWSIDicomizer 1.1 leaves out ImageType (Type 1 in the VL Whole Slide Microscopy IOD), and the peer shows no
 * series without it. Filling it in as a conformant writer would (every instance is a VOLUME level) costs the peer
 * nothing and lets it show the same series as ours.
 */
function withImageType(m: object): object {
  const json = m as Record<string, unknown>;
  return json['00080008'] ? m : { ...json, '00080008': { vr: 'CS', Value: ['DERIVED', 'PRIMARY', 'VOLUME', 'NONE'] } };
}

/** A classic script (the peer's UMD bundles set globals), loaded before the viewer is made. */
function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement('script'), { src, onload: () => resolve(), onerror: () => reject(new Error(`${src} did not load`)) });
    document.head.append(script);
  });
}

/**
 * The peer's two published builds: `bundle` (dist/, codecs inside) and `dynamic` (dist/dynamic-import/, codecs loaded
 * on use). Both start their frame-loading worker from /static/js/, Slim's layout, where the driver puts the
 * dynamic-import worker (the bundle's own worker is a UMD script that fails as the module worker it is started as).
 */
const BUILDS = { bundle: '/dmv/dicomMicroscopyViewer.bundle.min.js', dynamic: '/static/js/dicomMicroscopyViewer.min.js' };

/** The peer as its README shows it: the series' metadata through dicomweb-client, its VOLUME and THUMBNAIL images, a VolumeImageViewer. */
async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  await loadScript('/dmv/dicomweb-client.js');
  await loadScript(BUILDS[params.get('build') === 'dynamic' ? 'dynamic' : 'bundle']);
  const client = new DICOMwebClient.api.DICOMwebClient({ url: params.get('root')! });
  const metadata = await client.retrieveSeriesMetadata({ studyInstanceUID: params.get('study'), seriesInstanceUID: params.get('series') });
  const images = metadata
    .map((m) => new dicomMicroscopyViewer.metadata.VLWholeSlideMicroscopyImage({ metadata: withImageType(m) }))
    .filter((image) => image.ImageType[2] === 'VOLUME' || image.ImageType[2] === 'THUMBNAIL');
  marks.metadata = performance.now();
  const viewer = new dicomMicroscopyViewer.viewer.VolumeImageViewer({ client, metadata: images, controls: [] });
  viewer.render({ container: document.getElementById('viewer')! });
  // OpenLayers' rendercomplete: every tile the view needs is loaded and drawn.
  viewer.getMap().once('rendercomplete', () => {
    marks.fullViewport = performance.now();
    tellDriver('shown');
  });
}

main().catch((error: unknown) => {
  (window as unknown as { benchError: string }).benchError = error instanceof Error ? `${error.message} ${error.stack}` : String(error);
  tellDriver('error');
});
