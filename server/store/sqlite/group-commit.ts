// Group commit for the SQLite engine: write transactions requested in the same
// event-loop turn share one BEGIN IMMEDIATE … COMMIT, so one fsync
// (synchronous=FULL) covers all of them instead of one each. Every transaction
// keeps its own atomicity (a SAVEPOINT each: a failing one is rolled back
// alone) and its promise settles only after the shared COMMIT returned, so
// "resolved" still means "durably stored". Imports only node:sqlite types.

import type { DatabaseSync } from 'node:sqlite';

export interface GroupCommit {
  /** Runs `work` (synchronous, no transaction control of its own) in the next shared transaction. */
  run<T>(work: () => T): Promise<T>;
  /** Commits what is queued now, synchronously (before closing the database). */
  flush(): void;
}

interface Pending {
  work: () => unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export function createGroupCommit(db: DatabaseSync): GroupCommit {
  // Prepared once: exec() would parse the SQL again for every transaction.
  const sql = {
    begin: db.prepare('BEGIN IMMEDIATE'),
    savepoint: db.prepare('SAVEPOINT one'),
    release: db.prepare('RELEASE one'),
    rollbackTo: db.prepare('ROLLBACK TO one'),
    commit: db.prepare('COMMIT'),
  };
  let queue: Pending[] = [];
  let scheduled: NodeJS.Immediate | null = null;

  function flush(): void {
    if (scheduled) clearImmediate(scheduled);
    scheduled = null;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      sql.begin.run();
      for (const item of batch) {
        sql.savepoint.run();
        try {
          const value = item.work();
          sql.release.run();
          outcomes.push({ ok: true, value });
        } catch (err) {
          sql.rollbackTo.run();
          sql.release.run();
          outcomes.push({ ok: false, value: err });
        }
      }
      sql.commit.run();
    } catch (err) {
      // BEGIN or COMMIT failed (busy, disk full, I/O error): nothing of this batch is stored.
      if (db.isTransaction) db.exec('ROLLBACK');
      for (const item of batch) item.reject(err);
      return;
    }
    batch.forEach((item, i) => (outcomes[i].ok ? item.resolve(outcomes[i].value) : item.reject(outcomes[i].value)));
  }

  return {
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
        // setImmediate: after this turn's I/O callbacks, so every message read in it joins the batch.
        scheduled ??= setImmediate(flush);
      });
    },
    flush,
  };
}
