/**
 * Resolves in a later task of the event loop, so that work queued behind it (a frame, input) runs first: the
 * scheduler's yield where the browser has one (Chromium 129+), `setImmediate` in Node, else a MessageChannel message.
 * Not setTimeout, which browsers clamp to 4 ms once timers nest.
 */
export function nextTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(undefined);
  });
}
