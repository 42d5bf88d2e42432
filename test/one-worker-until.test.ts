import { describe, expect, it } from 'vitest';
import { OneWorkerUntil } from '../src/viewer/one-worker-until.js';

/** A task that records the worker it was given and how many tasks were running when it started, and ends when told. */
function tasks() {
  let running = 0;
  const started: Array<{ worker: number | undefined; running: number }> = [];
  const enders: Array<() => void> = [];
  const task = (worker: number | undefined) => {
    running++;
    started.push({ worker, running });
    return new Promise<number>((resolve) =>
      enders.push(() => {
        running--;
        resolve(started.length);
      }),
    );
  };
  return { task, started, enders };
}

const turns = () => new Promise((r) => setTimeout(r, 0));

describe('OneWorkerUntil', () => {
  it('runs two tasks at a time on worker 0 until `until` settles, then all that wait at once on any worker', async () => {
    let open!: () => void;
    const gate = new OneWorkerUntil(new Promise<void>((r) => (open = r)));
    const { task, started, enders } = tasks();
    const signal = new AbortController().signal;
    const results = Array.from({ length: 5 }, () => gate.run(task, signal));
    await turns();
    expect(started).toEqual([
      { worker: 0, running: 1 },
      { worker: 0, running: 2 },
    ]);
    enders[0]!();
    await turns();
    // The third takes the first's turn, still on worker 0.
    expect(started[2]).toEqual({ worker: 0, running: 2 });
    open();
    await turns();
    // The two still waiting start together beside the two under way, on whichever worker is free.
    expect(started.slice(3)).toEqual([
      { worker: undefined, running: 3 },
      { worker: undefined, running: 4 },
    ]);
    for (const end of enders.slice(1)) end();
    expect(await Promise.all(results)).toEqual([2, 5, 5, 5, 5]);
    // After it: at once, on any worker.
    const after = gate.run(task, signal);
    await turns();
    expect(started[5]).toEqual({ worker: undefined, running: 1 });
    enders[5]!();
    await after;
  });

  it('a task whose signal aborts while it waits is rejected, never runs and holds no turn', async () => {
    const gate = new OneWorkerUntil(new Promise<void>(() => undefined), 1);
    const { task, started, enders } = tasks();
    const first = gate.run(task, new AbortController().signal);
    const abort = new AbortController();
    const second = gate.run(task, abort.signal);
    const third = gate.run(task, new AbortController().signal);
    abort.abort();
    await expect(second).rejects.toMatchObject({ code: 'aborted' });
    await turns();
    expect(started).toHaveLength(1);
    enders[0]!();
    await first;
    await turns();
    // The aborted one never ran; the third ran once the first had ended.
    expect(started).toEqual([
      { worker: 0, running: 1 },
      { worker: 0, running: 1 },
    ]);
    enders[1]!();
    await third;
    // Already aborted: rejected at once.
    await expect(gate.run(task, abort.signal)).rejects.toMatchObject({ code: 'aborted' });
    expect(started).toHaveLength(2);
  });

  it('a failed task passes its turn on', async () => {
    const gate = new OneWorkerUntil(new Promise<void>(() => undefined), 1);
    const signal = new AbortController().signal;
    const failed = gate.run(() => Promise.reject(new Error('decode failed')), signal);
    const next = gate.run(async (worker) => `ran on ${worker}`, signal);
    await expect(failed).rejects.toThrow('decode failed');
    expect(await next).toBe('ran on 0');
  });
});
