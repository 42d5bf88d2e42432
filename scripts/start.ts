/** `npm start`: builds the demo and serves it with the bundled sample slides from a local Range-capable server. */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { RangeServer } from '../test/support/range-server.js';

const root = resolve(import.meta.dirname, '..');
execFileSync(process.execPath, [resolve(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
const server = new RangeServer({ root: resolve(root, 'build/pages'), log: false });
const port = Number(process.env.PORT ?? 5180);
const url = await server.start(port, process.env.HOST ?? '127.0.0.1');
console.log(`wsi-stream demo: ${url}/demo/`);
