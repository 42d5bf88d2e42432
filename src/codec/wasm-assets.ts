import charlsWasmUrl from '@cornerstonejs/codec-charls/decodewasm?url&no-inline';
import openJpegWasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url&no-inline';
import openJphWasmUrl from '@cornerstonejs/codec-openjph/wasm?url&no-inline';
import type { TileCodec } from '../slide/types.js';

/**
 * The WASM binaries of the codecs the decode workers run in WASM (DECODED_IN_WASM), as files beside the page's bundle.
 * The page, not the worker, refers to them: a library build would inline a worker's assets into the worker's one file
 * (1.3 MB of base64 in a 1.6 MB file that every page loaded, whatever its slide's codec), and an app's bundler
 * copies the files it finds as `new URL(…, import.meta.url)` in the bundle it imports, never in a worker it copies
 * whole. `no-inline` keeps even the library build's references files.
 */
const WASM_URLS: Partial<Record<TileCodec, string>> = { jp2k: openJpegWasmUrl, htj2k: openJphWasmUrl, jpegls: charlsWasmUrl };

/** The smallest module there is (magic and version): compiling it tells whether this page may compile any. */
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/**
 * Whether this page may compile WebAssembly: a Content-Security-Policy without `'wasm-unsafe-eval'` forbids it, while
 * a worker runs under the policy its own script was served with, which may allow it.
 */
function pageMayCompileWasm(): boolean {
  try {
    new WebAssembly.Module(EMPTY_MODULE);
    return true;
  } catch {
    return false;
  }
}

/**
 * A WASM codec's module, compiled once by the page for every worker (a WebAssembly.Module is posted, not copied: the
 * workers share its code, and what one compiles on its first call the other need not), or its bytes where this page
 * may not compile WebAssembly and each worker must; undefined for a codec that is not WASM.
 */
export function codecWasm(codec: TileCodec): Promise<WebAssembly.Module | ArrayBuffer> | undefined {
  const url = WASM_URLS[codec];
  return url === undefined ? undefined : fetchedWasm(url);
}

/**
 * Streamed into the compiler as it arrives where the server labels it `application/wasm` (every host Vite's output is
 * meant for), else compiled once all of it has come.
 */
async function fetchedWasm(url: string): Promise<WebAssembly.Module | ArrayBuffer> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  if (!pageMayCompileWasm()) return response.arrayBuffer();
  if (response.headers.get('content-type')?.split(';')[0]?.trim() === 'application/wasm') return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}
