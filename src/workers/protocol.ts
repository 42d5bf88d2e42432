import type { SamplePlane } from '../codec/plane.js';
import type { WasmName } from '../codec/wasm-assets.js';
import type { OutputColourSpace } from '../colour/output-space.js';
import type { TilePixels } from '../codec/types.js';
import type { SlideErrorCode } from '../errors.js';
import type { EncodedTile, TileCodec } from '../slide/types.js';

/** What a failed job sends back: the SlideError's code and message survive the worker boundary. */
export interface WorkerFailure {
  error: { code: SlideErrorCode | 'internal'; message: string };
}

export type DecodeOutput = 'rgba' | 'bitmap' | 'plane';

/** A decoded tile as an ImageBitmap (cheapest for drawing), RGBA pixels (for analysis and tests), or one channel's stored values (for compositing). */
export type WorkerResult =
  | { kind: 'rgba'; image: TilePixels }
  | { kind: 'bitmap'; bitmap: ImageBitmap; width: number; height: number }
  | { kind: 'plane'; plane: SamplePlane };

/** The API a decode worker exposes through comlink. */
export interface DecodeWorkerApi {
  /** `profile`: convert the pixels from that registered ICC profile to its output space. */
  decode(id: number, tile: EncodedTile, output: DecodeOutput, profile?: number): Promise<WorkerResult | WorkerFailure>;
  /** Builds the transform from an ICC profile to `output`, kept under `id`: its description, or why it cannot be used. */
  setProfile(id: number, profile: Uint8Array, output: OutputColourSpace): Promise<{ description: string } | WorkerFailure>;
  /** Loads a codec's decoder now (a WASM module compiles while the slide's tiles are still being read). */
  warmCodec(codec: TileCodec): Promise<void>;
  /** The page is compiling a WASM module for the worker (a codec's, LittleCMS's): what needs it waits for `giveWasm`. */
  expectWasm(name: WasmName): void;
  /** The WASM module the page compiled, its bytes for the worker to compile (the page may not), or why neither came. */
  giveWasm(name: WasmName, module: WebAssembly.Module | ArrayBuffer | { error: string }): void;
  /** Loads LittleCMS now (its WASM compiles while the profile's bytes are still being read). */
  warmColour(): Promise<void>;
  /** Marks a job unwanted: the worker skips its remaining stages and answers `aborted`. */
  cancel(id: number): void;
}
