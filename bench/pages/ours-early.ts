import { sendEarlyProbe } from '../../src/early.js';

// With `?early`, the slides' first requests go out while the viewer's code loads, as on a page that uses
// `wsi-stream/early` (the bench's "ours + wsi-stream/early" row); without, the page is as most pages are.
const params = new URLSearchParams(location.search);
if (params.has('early')) for (const slide of params.getAll('slide')) sendEarlyProbe(slide);
