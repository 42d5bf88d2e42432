// A decode worker that dies on its first message, as a worker hit by an engine fault would.
self.addEventListener('message', () => {
  setTimeout(() => {
    throw new Error('simulated worker crash');
  });
});
