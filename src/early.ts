/** `wsi-stream/early`: the slide's first request sent while the viewer's code still loads (a few hundred bytes of script). */
export { sendEarlyProbe, type EarlyProbeOptions } from './source/early-probe.js';
