import { createRoot } from 'react-dom/client';
import { SlideViewer } from './SlideViewer';

const slide = new URLSearchParams(location.search).get('slide') ?? 'https://example.org/slides/CMU-1-Small-Region.svs';
createRoot(document.getElementById('root')!).render(<SlideViewer url={slide} />);
