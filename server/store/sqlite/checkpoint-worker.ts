// The background checkpointer's thread (see checkpointer.ts): its own
// connection to the database file, copying the WAL into the database with
// PASSIVE checkpoints on a timer, which never wait for or block the writer.
// Imports only node built-ins.

import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const port = parentPort!;
const db = new DatabaseSync(path, { timeout: 0 });
db.exec('PRAGMA synchronous = NORMAL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch (err) {
    // An I/O error or the like (a PASSIVE checkpoint that meets a busy lock just does less):
    // reported, and the writer's own checkpoints still bound the WAL.
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}, intervalMs);

port.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  port.close();
});
