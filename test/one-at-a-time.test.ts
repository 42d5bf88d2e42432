import { describe, expect, it } from 'vitest';
import { OneAtATimeUntil } from '../src/viewer/one-at-a-time.js';

/** A task that records how many tasks were running when it started, and ends when told. */
function tasks() {
  let running = 0;
  const started: number[] = [];
  const enders: Array<() => void> = [];
  const task = () => {
    running++;
    started.push(running);
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

describe('OneAtATimeUntil', () => {
  it('runs one task at a time until `until` settles, then all that wait at once', async () => {
    let open!: () => void;
    const gate = new OneAtATimeUntil(new Promise<void>((r) => (open = r)));
    const { task, started, enders } = tasks();
    const signal = new AbortController().signal;
    const results = [gate.run(task, signal), gate.run(task, signal), gate.run(task, signal), gate.run(task, signal)];
    await turns();
    expect(started).toEqual([1]);
    enders[0]!();
    await turns();
    expect(started).toEqual([1, 1]);
    open();
    await turns();
    // The two still waiting start together beside the one under way.
    expect(started).toEqual([1, 1, 2, 3]);
    for (const end of enders.slice(1)) end();
    expect(await Promise.all(results)).toEqual([1, 4, 4, 4]);
  });

  it('a task whose signal aborts while it waits is rejected and does not hold up the next', async () => {
    const gate = new OneAtATimeUntil(new Promise<void>(() => undefined));
    const { task, started, enders } = tasks();
    const first = gate.run(task, new AbortController().signal);
    const abort = new AbortController();
    const second = gate.run(task, abort.signal);
    const third = gate.run(task, new AbortController().signal);
    abort.abort();
    await expect(second).rejects.toMatchObject({ code: 'aborted' });
    expect(started).toEqual([1]);
    enders[0]!();
    await first;
    await turns();
    // The aborted one never ran; the third ran once the first had ended.
    expect(started).toEqual([1, 1]);
    enders[1]!();
    await third;
  });

  it('a failed task lets the next run', async () => {
    const gate = new OneAtATimeUntil(new Promise<void>(() => undefined));
    const signal = new AbortController().signal;
    const failed = gate.run(() => Promise.reject(new Error('decode failed')), signal);
    const next = gate.run(async () => 'ran', signal);
    await expect(failed).rejects.toThrow('decode failed');
    expect(await next).toBe('ran');
  });
});
