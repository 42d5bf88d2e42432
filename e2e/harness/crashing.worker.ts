// A decode worker that dies on its first decode job, as a worker hit by an engine fault would. Not on any message: the
// pool tells every worker to load the slide's codec when the open names it, and a worker that died on that, before it
// held a tile, would be replaced without a tile to fail (the dying-worker test then waited for a failure forever).
self.addEventListener('message', (event: MessageEvent<{ path?: unknown[] }>) => {
  if (event.data?.path?.[0] !== 'decode') return;
  setTimeout(() => {
    throw new Error('simulated worker crash');
  });
});
