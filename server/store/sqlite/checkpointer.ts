// Checkpoints off the event loop. A checkpoint copies the WAL's pages into the
// database file and syncs it; run by the writer (SQLite's auto-checkpoint, at
// the end of a COMMIT) it held the event loop for ≈ 10 ms about once a second
// at 4,000 messages/s. A worker thread with its own connection now does
// PASSIVE checkpoints every `intervalMs`. They cannot reset the WAL while the
// writer keeps appending, so the writer keeps an auto-checkpoint at a larger
// size: by then nearly every frame is already copied and synced, and its
// checkpoint is short. Imports only node built-ins.

import { Worker } from 'node:worker_threads';

export interface Checkpointer {
  /** Stops the thread after closing its connection (before the writer closes its own, so the last close removes the WAL). */
  stop(): Promise<void>;
}

/** WAL frames at which the writer checkpoints itself while a background checkpointer runs. */
export const WRITER_CHECKPOINT_FRAMES = 20_000;

export function startCheckpointer(path: string, opts: { intervalMs?: number; onError?: (message: string) => void } = {}): Checkpointer {
  const worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), { workerData: { path, intervalMs: opts.intervalMs ?? 200 } });
  // Never keeps the process alive, and never takes it down: the writer's checkpoints are the fallback.
  worker.unref();
  worker.on('message', (m: { error?: string }) => {
    if (m.error) opts.onError?.(m.error);
  });
  worker.on('error', (err) => opts.onError?.(err.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Referenced again while it stops: otherwise a process with nothing else left to do
      // would exit before the thread does, and the store would never close its own connection.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
