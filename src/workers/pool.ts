import { transfer, wrap, type Remote } from 'comlink';
import type { SamplePlane } from '../codec/plane.js';
import type { TilePixels } from '../codec/types.js';
import type { OutputColourSpace } from '../colour/output-space.js';
import { type WasmName, wasmForWorkers } from '../codec/wasm-assets.js';
import { SlideError, abortError } from '../errors.js';
import type { EncodedTile, TileCodec } from '../slide/types.js';
import type { DecodeOutput, DecodeWorkerApi, WorkerResult } from './protocol.js';

/**
 * Sends a worker a call whose answer nobody waits for (a warm-up, a module or profile handed over). A worker that has
 * died rejects it; that is no error here: its replacement is told anew (see #spawn and #run).
 */
function tell(call: Promise<unknown>): void {
  call.catch(() => undefined);
}

export interface DecoderPoolOptions {
  /** Number of workers; default `navigator.hardwareConcurrency` capped at 4 (decoding a viewport rarely needs more). */
  size?: number;
  /**
   * Jobs handed to one worker at a time (default 16); the rest wait in the pool, where an abort removes them at no cost.
   * Each answer passes through the main thread before the pool hands that worker more: with only 2 each, a worker sat
   * idle whenever the main thread was busy (OpenSeadragon's first frames), and the 48 strips of CMU-1's thumbnail took
   * about 210 ms to decode in 12 waves where the decoding itself was about 4 ms a strip. A 4:2:0 JPEG tile's decode
   * (createImageBitmap of a Blob) waits mostly on the browser's blob store, not the CPU: 16 at a time rather than 8 drew
   * the 4:2:0 fixture's first viewport 25–30 ms sooner and its warm reload 20–25 ms sooner (two pairs of runs, five
   * cold loads and ten reloads each); 32 sooner still, but with frames over 50 ms as their bitmaps arrived together.
   */
  jobsPerWorker?: number;
}

export interface DecodeJobOptions {
  signal?: AbortSignal;
  /** A profile from `registerProfile`: the pixels come out converted from it to its output space. */
  profile?: number;
  /**
   * The worker to run on (an index, modulo the pool's size), however busy, instead of the least loaded: work kept to
   * one core while the page needs the other (see OneWorkerUntil).
   */
  worker?: number;
}

export interface DecoderPoolStats {
  workers: number;
  queued: number;
  running: number;
  completed: number;
  failed: number;
  aborted: number;
  workersReplaced: number;
}

interface Job {
  id: number;
  tile: EncodedTile;
  output: DecodeOutput;
  profile: number | undefined;
  worker: number | undefined;
  settled: boolean;
  resolve(result: WorkerResult): void;
  reject(error: unknown): void;
  detach(): void;
}

interface Slot {
  worker: Worker;
  api: Remote<DecodeWorkerApi>;
  running: Map<number, Job>;
  /** Profiles this worker has been given (a replaced worker starts with none). */
  profiles: Set<number>;
}

const DEFAULT_MAX_WORKERS = 4;

/**
 * Decodes tiles in a pool of module workers: least-loaded dispatch, tile bytes transferred in and pixels or
 * ImageBitmaps transferred out, every job abortable, worker errors rethrown as SlideError with their code,
 * and a worker that dies replaced.
 */
export class DecoderPool {
  readonly stats: DecoderPoolStats = { workers: 0, queued: 0, running: 0, completed: 0, failed: 0, aborted: 0, workersReplaced: 0 };
  readonly #createWorker: () => Worker;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #jobsPerWorker: number;
  #nextId = 1;
  #terminated = false;
  readonly #profiles = new Map<number, { profile: Uint8Array; output: OutputColourSpace }>();
  /** The WASM modules the workers run (codecs, LittleCMS), compiled here once for all of them (see handWasm). */
  readonly #wasm = new Map<WasmName, Promise<WebAssembly.Module | ArrayBuffer>>();

  constructor(createWorker: () => Worker, options: DecoderPoolOptions = {}) {
    this.#createWorker = createWorker;
    const cores = typeof navigator === 'undefined' ? 2 : navigator.hardwareConcurrency || 2;
    const size = Math.max(1, Math.floor(options.size ?? Math.min(cores, DEFAULT_MAX_WORKERS)));
    this.#jobsPerWorker = Math.max(1, options.jobsPerWorker ?? 16);
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
    this.stats.workers = size;
  }

  /**
   * RGBA pixels at the tile's true size, and the space they are in. The tile's bytes are transferred to the worker (its
   * buffer is detached).
   */
  async decode(tile: EncodedTile, opts: DecodeJobOptions = {}): Promise<TilePixels> {
    const result = await this.#submit(tile, 'rgba', opts);
    if (result.kind !== 'rgba') throw new SlideError('worker_failed', 'The decode worker answered with the wrong kind of result.');
    return result.image;
  }

  /** An ImageBitmap at the tile's true size, the cheapest thing to draw. The caller owns (and closes) it. */
  async decodeBitmap(tile: EncodedTile, opts: DecodeJobOptions = {}): Promise<ImageBitmap> {
    const result = await this.#submit(tile, 'bitmap', opts);
    if (result.kind !== 'bitmap') throw new SlideError('worker_failed', 'The decode worker answered with the wrong kind of result.');
    return result.bitmap;
  }

  /** One channel's stored values (8 or 16 bits) at the tile's true size: what the viewer composites fluorescence from. */
  async decodePlane(tile: EncodedTile, opts: DecodeJobOptions = {}): Promise<SamplePlane> {
    const result = await this.#submit(tile, 'plane', opts);
    if (result.kind !== 'plane') throw new SlideError('worker_failed', 'The decode worker answered with the wrong kind of result.');
    return result.plane;
  }

  /**
   * Loads a codec's decoder in every worker, ahead of the tiles that will need it: JPEG 2000's WASM compiles while the
   * open reads the rest of the slide's directories. Only codecs a slide uses are loaded (see `OpenSlideOptions.onTileCodec`).
   */
  warmCodec(codec: TileCodec): void {
    this.#handWasm(codec);
    for (const slot of this.#slots) tell(slot.api.warmCodec(codec));
  }

  /** Starts LittleCMS in every worker, ahead of a profile whose bytes are still on their way. */
  warmColour(): void {
    this.#handWasm('littlecms');
    for (const slot of this.#slots) tell(slot.api.warmColour());
  }

  /**
   * Makes an ICC profile available to every worker, converting to `output` (sRGB unless asked), and checks it: each
   * worker builds its transform at once, in parallel (a worker started later gets it before its first job that needs
   * it). Resolves with its id and description, or rejects with `unsupported_colour_profile`.
   */
  async registerProfile(profile: Uint8Array, output: OutputColourSpace = 'srgb'): Promise<{ id: number; description: string }> {
    const id = this.#nextId++;
    this.#handWasm('littlecms');
    this.#profiles.set(id, { profile, output });
    const answers = this.#slots.map((slot) => {
      slot.profiles.add(id);
      return slot.api.setProfile(id, profile, output);
    });
    const answer = await answers[0]!;
    if ('error' in answer) {
      this.#profiles.delete(id);
      throw new SlideError(answer.error.code === 'internal' ? 'unsupported_colour_profile' : answer.error.code, answer.error.message);
    }
    return { id, description: answer.description };
  }

  terminate(): void {
    this.#terminated = true;
    for (const job of this.#queue.splice(0)) this.#settle(job, () => job.reject(new SlideError('aborted', 'The decoder pool was shut down.')));
    for (const slot of this.#slots) {
      for (const job of slot.running.values()) this.#settle(job, () => job.reject(new SlideError('aborted', 'The decoder pool was shut down.')));
      slot.worker.terminate();
    }
  }

  #submit(tile: EncodedTile, output: DecodeOutput, opts: DecodeJobOptions): Promise<WorkerResult> {
    if (this.#terminated) return Promise.reject(new SlideError('invalid_argument', 'The decoder pool was terminated.'));
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));
    // Any other value names no worker, and the job would wait for it forever.
    if (opts.worker !== undefined && !(Number.isSafeInteger(opts.worker) && opts.worker >= 0)) {
      return Promise.reject(new SlideError('invalid_argument', `A job's worker is a worker's index (0, 1…), not ${String(opts.worker)}.`));
    }
    return new Promise<WorkerResult>((resolve, reject) => {
      const job: Job = {
        id: this.#nextId++,
        tile,
        output,
        profile: opts.profile,
        worker: opts.worker,
        settled: false,
        resolve,
        reject,
        detach: () => undefined,
      };
      const signal = opts.signal;
      if (signal) {
        const onAbort = () => this.#abort(job, signal);
        signal.addEventListener('abort', onAbort, { once: true });
        job.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.#handWasm(tile.codec);
      this.#queue.push(job);
      this.stats.queued = this.#queue.length;
      this.#dispatch();
    });
  }

  #abort(job: Job, signal: AbortSignal): void {
    const queued = this.#queue.indexOf(job);
    if (queued !== -1) this.#queue.splice(queued, 1);
    else {
      // Running: the worker skips its remaining stages; its slot frees as soon as the current stage ends.
      const slot = this.#slots.find((s) => s.running.has(job.id));
      void slot?.api.cancel(job.id);
    }
    this.stats.aborted++;
    this.stats.queued = this.#queue.length;
    this.#settle(job, () => job.reject(abortError(signal)));
  }

  #settle(job: Job, action: () => void): void {
    if (job.settled) return;
    job.settled = true;
    job.detach();
    action();
  }

  #dispatch(): void {
    // In order, except that a job for a worker that is full waits without holding up those behind it.
    for (let i = 0; i < this.#queue.length; ) {
      const job = this.#queue[i]!;
      const slot = job.worker === undefined ? this.#leastLoaded() : this.#slots[job.worker % this.#slots.length]!;
      if (slot && slot.running.size < this.#jobsPerWorker) {
        this.#queue.splice(i, 1);
        this.#run(slot, job);
      } else if (job.worker === undefined) break;
      else i++;
    }
    this.stats.queued = this.#queue.length;
    this.stats.running = this.#slots.reduce((n, s) => n + s.running.size, 0);
  }

  #leastLoaded(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) if (slot.running.size < this.#jobsPerWorker && (!best || slot.running.size < best.running.size)) best = slot;
    return best;
  }

  #run(slot: Slot, job: Job): void {
    slot.running.set(job.id, job);
    // Transfer, never copy; a view into a larger buffer is copied first so we never detach someone else's bytes.
    const bytes = job.tile.bytes.byteOffset === 0 && job.tile.bytes.byteLength === job.tile.bytes.buffer.byteLength ? job.tile.bytes : job.tile.bytes.slice();
    const tile = { ...job.tile, bytes };
    // Comlink keeps a worker's calls in order: the profile arrives before the job that needs it.
    if (job.profile !== undefined && !slot.profiles.has(job.profile)) {
      const registered = this.#profiles.get(job.profile);
      if (registered) tell(slot.api.setProfile(job.profile, registered.profile, registered.output));
      slot.profiles.add(job.profile);
    }
    slot.api
      .decode(job.id, transfer(tile, [bytes.buffer as ArrayBuffer]), job.output, job.profile)
      .then(
        (answer) => {
          if ('error' in answer) {
            this.stats.failed++;
            this.#settle(job, () => job.reject(new SlideError(answer.error.code === 'internal' ? 'worker_failed' : answer.error.code, answer.error.message)));
          } else if (job.settled) {
            // Aborted while running: drop the result, and free a bitmap nobody will draw.
            if (answer.kind === 'bitmap') answer.bitmap.close();
          } else {
            this.stats.completed++;
            this.#settle(job, () => job.resolve(answer));
          }
        },
        (cause: unknown) => this.#settle(job, () => job.reject(new SlideError('worker_failed', `The decode worker failed: ${String(cause)}`, { cause }))),
      )
      .finally(() => {
        slot.running.delete(job.id);
        this.#dispatch();
      });
  }

  /**
   * Compiles a WASM module the workers need (a codec's, LittleCMS's) here, once, and hands it to every worker: one
   * fetch and one compile serve them all, and Chromium keeps the compiled code of a page's modules for the next visit,
   * not a worker's (warm reloads of the JPEG 2000 fixtures about a third sooner). Each worker is told before any tile
   * or profile that needs it reaches it (a worker's calls arrive in order), so none fetches its own. Where the page's
   * policy forbids it to compile WebAssembly, it hands the bytes and each worker compiles them. A fetch that fails is
   * handed on as its reason, and tried again for the next tile.
   */
  #handWasm(name: WasmName): void {
    if (this.#wasm.has(name)) return;
    const compiling = wasmForWorkers(name);
    if (!compiling) return;
    this.#wasm.set(name, compiling);
    compiling.catch(() => {
      if (this.#wasm.get(name) === compiling) this.#wasm.delete(name);
    });
    for (const slot of this.#slots) this.#giveWasm(slot, name, compiling);
  }

  #giveWasm(slot: Slot, name: WasmName, compiling: Promise<WebAssembly.Module | ArrayBuffer>): void {
    tell(slot.api.expectWasm(name));
    compiling.then(
      (module) => tell(slot.api.giveWasm(name, module)),
      (cause: unknown) => tell(slot.api.giveWasm(name, { error: cause instanceof Error ? cause.message : String(cause) })),
    );
  }

  #spawn(): Slot {
    const worker = this.#createWorker();
    const slot: Slot = { worker, api: wrap<DecodeWorkerApi>(worker), running: new Map(), profiles: new Set() };
    // A worker started after a module was compiled (one replacing a crashed worker) is handed it too.
    for (const [name, compiling] of this.#wasm) this.#giveWasm(slot, name, compiling);
    // An uncaught error or a crash: fail its jobs with a code, and put a fresh worker in its place.
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      this.#replace(slot, event.message || 'the worker stopped');
    });
    return slot;
  }

  #replace(slot: Slot, why: string): void {
    const index = this.#slots.indexOf(slot);
    if (index === -1 || this.#terminated) return;
    slot.worker.terminate();
    for (const job of slot.running.values()) {
      this.stats.failed++;
      this.#settle(job, () => job.reject(new SlideError('worker_failed', `A decode worker failed (${why}); it was replaced. Try the tile again.`)));
    }
    slot.running.clear();
    this.#slots[index] = this.#spawn();
    this.stats.workersReplaced++;
    this.#dispatch();
  }
}
