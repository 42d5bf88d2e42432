import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnnotationStore } from '../src/sidecar/annotations/annotation-store.js';
import { AnnotationFile } from '../src/sidecar/annotations/file-store.js';
import { FIXTURES, REPO_ROOT } from './support/fixtures.js';

/** Starts the published CLI's sidecar on a free port with an annotations file; resolves with its URL. */
function serve(file: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin/wsi-stream.js'), 'serve', FIXTURES, '--host', '127.0.0.1', '--port', '0', '--annotations-file', file],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /at (http:\/\/\S+)/.exec(out)?.[1];
      if (url && out.includes('Annotations:')) resolve({ child, url });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`the sidecar exited (${code}) before listening: ${out}`)));
  });
}

const polygon = (i: number) => ({
  geometry: { kind: 'polygon', points: Array.from({ length: 12 }, (_, k) => ({ x: i * 10 + Math.cos(k) * 5, y: Math.sin(k) * 5 })) },
  author_id: 'crash-test',
  label: `shape ${i}`,
});

describe('annotation file store under a crash', () => {
  it('a kill at any moment, also between writing the new file and renaming it, loses no acknowledged change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsi-crash-'));
    const file = join(dir, 'annotations.json');
    // Thousands of shapes already stored, so that every save takes long enough to be killed in the middle of.
    const seed = await AnnotationStore.open(file);
    await seed.transact((tx) => {
      for (let i = 0; i < 4_000; i++) {
        const p = polygon(i);
        tx.put({
          slideId: 'big',
          seq: tx.nextSeq(),
          annotation: {
            id: `seed-${i}`,
            geometry: p.geometry as never,
            label: p.label,
            style: { color: '#ff3366', opacity: 0.5 },
            author: 'seed',
            created: i,
            updated: i,
            properties: {},
          },
        });
      }
    });
    const acknowledged = new Set<string>();
    let killedMidWrite = 0;
    // Even rounds kill at a moment of the clock; odd rounds the instant a save's temporary file appears, that is
    // after the new file is opened and before it is renamed over the old one.
    for (let round = 0; round < 6; round++) {
      const { child, url } = await serve(file);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let stop = false;
      const writers = Array.from({ length: 3 }, async (_, w) => {
        for (let i = 0; !stop; i++) {
          const id = `r${round}-w${w}-${i}`;
          const response = await fetch(`${url}/slides/crash/annotations`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ ...polygon(i), id }),
          }).catch(() => undefined);
          if (response?.status === 201) acknowledged.add(id);
          else if (response) throw new Error(`create answered ${response.status}: ${await response.text()}`);
          else return;
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 500 + round * 150));
      if (round % 2 === 1) {
        await new Promise<void>((resolve) => {
          const watcher = watch(dir, (_event, name) => {
            if (!name?.endsWith('.tmp')) return;
            child.kill('SIGKILL');
            watcher.close();
            resolve();
          });
        });
      }
      child.kill('SIGKILL');
      stop = true;
      await exited;
      await Promise.all(writers);
      if (readdirSync(dir).some((n) => n.endsWith('.tmp'))) killedMidWrite++;
      // What the next start reads: the last complete save, holding everything the server acknowledged.
      const loaded = await new AnnotationFile(file).load();
      const ids = new Set(loaded.map((r) => r.annotation.id));
      expect([...acknowledged].filter((id) => !ids.has(id))).toEqual([]);
      expect(loaded.filter((r) => r.slideId === 'big')).toHaveLength(4_000);
    }
    expect(acknowledged.size).toBeGreaterThan(4);
    // The kills did land while a save was being written (its temporary file was left behind), not only between saves.
    expect(killedMidWrite).toBeGreaterThan(0);
    // And the next start clears those leftovers.
    await AnnotationStore.open(file);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});
