import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of the Chromium renderer processes this Node process started (the page, its workers and their
 * WASM heaps live there), summed; undefined where there is no /proc to read (macOS, Windows). The JS heap the page
 * reports leaves out ImageBitmap pixels, canvases and worker memory; this does not.
 */
export function rendererResidentBytes(): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const parents = new Map<string, string>();
  for (const pid of pids) {
    const ppid = readOr(`/proc/${pid}/status`).match(/^PPid:\s+(\d+)/m)?.[1];
    if (ppid) parents.set(pid, ppid);
  }
  const ours = (pid: string): boolean => {
    for (let at = parents.get(pid), depth = 0; at && depth < 6; at = parents.get(at), depth++) if (at === String(process.pid)) return true;
    return false;
  };
  let total = 0;
  for (const pid of pids) {
    if (!ours(pid) || !readOr(`/proc/${pid}/cmdline`).includes('--type=renderer')) continue;
    total += Number(readOr(`/proc/${pid}/status`).match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0) * 1024;
  }
  return total;
}

/** A process can end between listing and reading it. */
function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
