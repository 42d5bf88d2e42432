/**
 * Load run on the sidecar over loopback (not a test: it measures time): `npm run bench:sidecar`.
 * Each route is hammered for a few seconds; throughput, p99 latency and errors are printed. A non-2xx
 * answer or a socket error fails the run.
 */
import autocannon from 'autocannon';
import { FolderStore } from '../src/sidecar/folder-store.js';
import { createSidecar } from '../src/sidecar/server.js';
import { FIXTURES } from '../test/support/fixtures.js';

const seconds = Number(process.env.SECONDS_PER_ROUTE ?? 5);
const sidecar = createSidecar({ store: new FolderStore(FIXTURES), host: '127.0.0.1', port: 0 });
const base = await sidecar.listen();
const routes = [
  ['metadata', '/slides/generated%2Faperio-jpeg-ycbcr-240.svs'],
  ['native tiles (pass-through, rotating over 300 tiles)', '/tiles/generated%2Faperio-jpeg-ycbcr-240.svs/0/[x]/[y].jpg'],
  ['thumbnail (cached)', '/slides/real%2FCMU-1-Small-Region.svs/thumbnail?max_size=256'],
] as const;

let failed = false;
console.log(`| route | requests/s | p50 ms | p99 ms | errors | non-2xx |\n|---|---|---|---|---|---|`);
for (const [name, path] of routes) {
  let n = 0;
  const result = await autocannon({
    url: base,
    connections: 16,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => {
          n++;
          return { ...req, path: path.replace('[x]', String(n % 30)).replace('[y]', String(Math.floor(n / 30) % 10)) };
        },
      },
    ],
  });
  const errors = result.errors + result.timeouts;
  failed ||= errors > 0 || result.non2xx > 0;
  console.log(`| ${name} | ${result.requests.average.toFixed(0)} | ${result.latency.p50} | ${result.latency.p99} | ${errors} | ${result.non2xx} |`);
}
console.log(`open slides: ${sidecar.slides.size}; rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
await sidecar.close();
process.exitCode = failed ? 1 : 0;
