/** `wsi-stream/early`: the slide's first requests (its header, its tail) sent while the viewer's code still loads (a few hundred bytes of script). */
export { sendEarlyProbe, type EarlyProbeOptions } from './source/early-probe.js';
