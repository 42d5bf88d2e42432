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
  // Each process's status read once: it gives both the parent (to find ours) and the resident size.
  const status = new Map(pids.map((pid) => [pid, readOr(`/proc/${pid}/status`)]));
  const parents = new Map<string, string>();
  for (const [pid, text] of status) {
    const ppid = text.match(/^PPid:\s+(\d+)/m)?.[1];
    if (ppid) parents.set(pid, ppid);
  }
  const ours = (pid: string): boolean => {
    for (let at = parents.get(pid), depth = 0; at && depth < 6; at = parents.get(at), depth++) if (at === String(process.pid)) return true;
    return false;
  };
  let total = 0;
  for (const pid of pids) {
    if (!ours(pid) || !readOr(`/proc/${pid}/cmdline`).includes('--type=renderer')) continue;
    total += Number(status.get(pid)!.match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0) * 1024;
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
