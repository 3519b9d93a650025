// CPU profiles of exactly the measured window of a run: the server runs with
// --inspect on a loopback port, and the runner starts and stops V8's
// profiler over the DevTools protocol (Node's global WebSocket), writing a
// .cpuprofile that bench/profile-summary.ts (or Chrome DevTools) reads.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WindowProfiler {
  start(): Promise<void>;
  /** Stops and writes `<dir>/<name>.cpuprofile`; returns the path. */
  stop(name: string): Promise<string>;
  close(): void;
}

/** The `ws://…` address Node prints as "Debugger listening on ws://…". */
export function inspectorUrl(output: string): string | null {
  return /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1] ?? null;
}

/** What a window profile records (see connectProfiler). */
export type ProfileMode = 'cpu' | 'heap' | 'alloc';

/**
 * `cpu`: a V8 CPU profile of the window (.cpuprofile). `heap`: V8's sampling heap profiler from the
 * window's start, read at its end (.heapprofile): the bytes allocated in the window that are still
 * alive, by allocation stack — what holds the memory of connections opened in the window. `alloc`:
 * the same profiler keeping what the collector freed too (.allocprofile, the same format): every
 * byte allocated in the window, by stack — what feeds the garbage collector on a busy path.
 */
export async function connectProfiler(url: string, dir: string, mode: ProfileMode = 'cpu'): Promise<WindowProfiler> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${url}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  ws.addEventListener('message', (event) => {
    const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id!);
    if (msg.error) waiter.reject(new Error(msg.error.message));
    else waiter.resolve(msg.result);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  const write = (name: string, ext: string, profile: unknown) => {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${name}.${ext}`);
    writeFileSync(path, JSON.stringify(profile));
    return path;
  };
  if (mode !== 'cpu') {
    const all = mode === 'alloc';
    await call('HeapProfiler.enable');
    return {
      async start() {
        await call('HeapProfiler.collectGarbage');
        await call('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: all, includeObjectsCollectedByMinorGC: all });
      },
      async stop(name) {
        if (!all) await call('HeapProfiler.collectGarbage');
        const { profile } = (await call('HeapProfiler.stopSampling')) as { profile: unknown };
        return write(name, all ? 'allocprofile' : 'heapprofile', profile);
      },
      close() {
        ws.close();
      },
    };
  }
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 200 });
  return {
    async start() {
      await call('Profiler.start');
    },
    async stop(name) {
      const { profile } = (await call('Profiler.stop')) as { profile: unknown };
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `${name}.cpuprofile`);
      writeFileSync(path, JSON.stringify(profile));
      return path;
    },
    close() {
      ws.close();
    },
  };
}
