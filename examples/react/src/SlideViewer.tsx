import { useEffect, useRef, useState } from 'react';
import { createViewer, SlideError, type WsiViewer } from 'wsi-stream/viewer';

/** One slide in an OpenSeadragon viewer; the viewer (its workers and caches) is destroyed with the component. */
export function SlideViewer({ url }: { url: string }) {
  const element = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState('Opening…');

  useEffect(() => {
    let viewer: WsiViewer | undefined;
    let cancelled = false;
    createViewer(element.current!, url).then(
      (opened) => {
        if (cancelled) return opened.destroy();
        viewer = opened;
        const { width, height } = opened.slide.levels[0]!;
        setStatus(`${width} × ${height} px, ${opened.slide.levels.length} levels`);
        opened.on('stats', (s) => setStatus(`${width} × ${height} px, ${opened.slide.levels.length} levels, ${s.tilesLoaded} tiles loaded`));
      },
      (error: unknown) => setStatus(SlideError.is(error) ? `${error.code}: ${error.message}` : String(error)),
    );
    return () => {
      cancelled = true;
      viewer?.destroy();
    };
  }, [url]);

  return (
    <div style={{ display: 'grid', gridTemplateRows: '1fr auto', height: '100%' }}>
      <div ref={element} />
      <output>{status}</output>
    </div>
  );
}
