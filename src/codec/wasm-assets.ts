import charlsWasmUrl from '@cornerstonejs/codec-charls/decodewasm?url&no-inline';
import openJpegWasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url&no-inline';
import openJphWasmUrl from '@cornerstonejs/codec-openjph/wasm?url&no-inline';
import littleCmsWasmUrl from 'lcms-wasm/dist/lcms.wasm?url&no-inline';
import type { TileCodec } from '../slide/types.js';

/** What the decode workers run in WASM: a codec (DECODED_IN_WASM), or LittleCMS for ICC profiles. */
export type WasmName = TileCodec | 'littlecms';

/** The codecs a decode worker runs in WASM (OpenJPEG, OpenJPH, CharLS; see host-codecs.ts), and their WASM files. */
const CODEC_WASM_URLS = { jp2k: openJpegWasmUrl, htj2k: openJphWasmUrl, jpegls: charlsWasmUrl } as const;

/**
 * The codecs a decode worker runs in WASM on its own thread: tens of milliseconds of CPU a tile, where the browser's
 * JPEG and WebP decoders take one or two.
 */
export const DECODED_IN_WASM: ReadonlySet<TileCodec> = new Set(Object.keys(CODEC_WASM_URLS) as TileCodec[]);

/**
 * The WASM binaries the decode workers run (the codecs of DECODED_IN_WASM, LittleCMS), as files beside the page's bundle.
 * The page, not the worker, refers to them: a library build would inline a worker's assets into the worker's one file
 * (1.36 MB of base64 of its 1.57 MB, which every page loaded whatever its slide), and an app's bundler
 * copies the files it finds as `new URL(…, import.meta.url)` in the bundle it imports, never in a worker it copies
 * whole. `no-inline` keeps even the library build's references files.
 */
const WASM_URLS: Partial<Record<WasmName, string>> = { ...CODEC_WASM_URLS, littlecms: littleCmsWasmUrl };

/**
 * The URL of a WASM binary (undefined for a codec that is not WASM). Bundlers name the file by a hash of its content, so
 * the URL changes with the decoder it holds.
 */
export function wasmFile(name: WasmName): string | undefined {
  return WASM_URLS[name];
}

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
 * A WASM module the workers need, compiled once by the page for all of them (a WebAssembly.Module is posted, not copied:
 * the workers share its code, and what one compiles on its first call the other need not), or its bytes where this page
 * may not compile WebAssembly and each worker must; undefined for a codec that is not WASM.
 */
export function wasmForWorkers(name: WasmName): Promise<WebAssembly.Module | ArrayBuffer> | undefined {
  const url = wasmFile(name);
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
