/** The page's localStorage, or undefined where there is none (workers, Node) or merely touching it throws (sandboxed frames, storage blocked). */
export function localStorageOrUndefined(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
