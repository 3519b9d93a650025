// Group commit for the SQLite engine: write transactions requested in the same
// event-loop turn share one BEGIN IMMEDIATE … COMMIT. Every transaction keeps
// its own atomicity (a SAVEPOINT each: a failing one is rolled back alone) and
// its promise settles only once the shared COMMIT is durable.
//
// Durability without blocking the event loop: the database runs with
// synchronous=NORMAL, so COMMIT writes the WAL but does not fsync it (SQLite
// still syncs around checkpoints), and the WAL is then fdatasync'ed here, on
// libuv's thread pool, before any promise of the batch resolves. That is what
// synchronous=FULL does inside COMMIT, minus the event loop waiting for the
// disk. Nothing is committed while a sync is in flight: what arrives meanwhile
// is committed as one transaction (and synced once) after it.
// Writes whose loss in a crash is harmless (a session's extended expiry) can
// skip all that waiting: runLazy() commits them on their own, sync or no sync.
// Imports only node:sqlite types and node:fs.

import { closeSync, fdatasync, fdatasyncSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';

export interface GroupCommit {
  /** Runs `work` (synchronous, no transaction control of its own) in the next shared transaction. */
  run<T>(work: () => T): Promise<T>;
  /**
   * Like run(), but settles at its COMMIT, which never waits for a WAL sync (neither one of its own
   * nor one in flight): durable only with the next sync, so a crash before it may undo the write.
   */
  runLazy<T>(work: () => T): Promise<T>;
  /** Resolves once every transaction run() committed so far is durable (at once when none waits). */
  durable(): Promise<void>;
  /** Commits what is queued now and makes it durable, synchronously (before closing the database). */
  flush(): void;
}

/** Makes everything written to the WAL so far durable: fdatasync of the WAL file. */
export interface WalSync {
  sync(done: (err: Error | null) => void): void;
  syncNow(): void;
}

/** A WalSync on the file `<database>-wal`, opened when first needed (SQLite creates it on the first write). */
export function walFileSync(open: () => number): WalSync & { close(): void } {
  let fd: number | null = null;
  const handle = () => (fd ??= open());
  return {
    sync(done) {
      let target: number;
      try {
        target = handle();
      } catch (err) {
        done(err as Error);
        return;
      }
      fdatasync(target, (err) => done(err));
    },
    syncNow() {
      fdatasyncSync(handle());
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

interface Pending {
  work: () => unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** `wal`: null when nothing needs syncing (an in-memory database, or synchronous=FULL doing it in COMMIT). */
export function createGroupCommit(db: DatabaseSync, wal: WalSync | null): GroupCommit {
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
  let lazy: Pending[] = [];
  let lazyScheduled: NodeJS.Immediate | null = null;
  /**
   * The committed batch whose WAL sync is in flight, with whoever waits for it. The next batch
   * is committed only after it: what arrives meanwhile gathers into one bigger transaction, as
   * it did while a blocking COMMIT held the event loop, but the loop keeps serving sockets.
   */
  let syncing: Array<(err: Error | null) => void> | null = null;

  function schedule(): void {
    if (!scheduled && !syncing && queue.length > 0) scheduled = setImmediate(commitQueued);
  }

  /** Runs the queued work in one transaction; returns the settle-all for it, or null if nothing was committed. */
  function commit(): ((err: Error | null) => void) | null {
    const batch = queue;
    queue = [];
    const outcomes = commitBatch(batch);
    if (!outcomes) return null;
    return (syncErr) => {
      // Committed but not known durable: the caller sees a failure; a retry finds the row (clientId dedupe).
      if (syncErr) for (const item of batch) item.reject(syncErr);
      else settleEach(batch, outcomes);
    };
  }

  /** The lazy work queued so far, in one transaction of its own, settled at its COMMIT. */
  function commitLazy(): void {
    lazyScheduled = null;
    const batch = lazy;
    lazy = [];
    const outcomes = commitBatch(batch);
    if (outcomes) settleEach(batch, outcomes);
  }

  function settleEach(batch: Pending[], outcomes: Array<{ ok: boolean; value: unknown }>): void {
    batch.forEach((item, i) => (outcomes[i].ok ? item.resolve(outcomes[i].value) : item.reject(outcomes[i].value)));
  }

  /** BEGIN, each item in its savepoint, COMMIT: each item's outcome, or null (all rejected) if nothing was committed. */
  function commitBatch(batch: Pending[]): Array<{ ok: boolean; value: unknown }> | null {
    if (batch.length === 0) return null;
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
          // SQLite may roll the whole transaction back on a full disk, an I/O error or a busy lock
          // (then no savepoint is left to return to): the batch fails as a whole, with that error.
          if (!db.isTransaction) throw err;
          sql.rollbackTo.run();
          sql.release.run();
          outcomes.push({ ok: false, value: err });
        }
      }
      sql.commit.run();
    } catch (err) {
      // BEGIN or COMMIT failed (busy, disk full, I/O error), or SQLite rolled back: nothing of this batch is stored.
      try {
        if (db.isTransaction) db.exec('ROLLBACK');
      } catch {
        // The ROLLBACK failing too (an I/O error) leaves nothing committed either; the batch's error is the one to report.
      }
      for (const item of batch) item.reject(err);
      return null;
    }
    return outcomes;
  }

  function commitQueued(): void {
    scheduled = null;
    const settle = commit();
    if (!settle) return;
    if (!wal) {
      settle(null);
      return;
    }
    const waiting = [settle];
    syncing = waiting;
    wal.sync((err) => {
      // flush() may have settled these already (closing): then the array was emptied.
      syncing = null;
      for (const done of waiting) done(err);
      schedule();
    });
  }

  return {
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
        // setImmediate: after this turn's I/O callbacks, so every message read in it joins the batch.
        schedule();
      });
    },

    runLazy<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        lazy.push({ work, resolve: resolve as (v: unknown) => void, reject });
        lazyScheduled ??= setImmediate(commitLazy);
      });
    },

    durable(): Promise<void> {
      // Only the batch being synced can be committed and not yet durable (lazy writes aside: nobody waits for them).
      if (!syncing) return Promise.resolve();
      const waiting = syncing;
      return new Promise<void>((resolve) => waiting.push(() => resolve()));
    },

    flush(): void {
      if (scheduled) clearImmediate(scheduled);
      scheduled = null;
      if (lazyScheduled) clearImmediate(lazyScheduled);
      commitLazy();
      // Closing: settle the batch in flight and commit the rest, all synced here.
      const pending = syncing ? syncing.splice(0) : [];
      syncing = null;
      const settle = commit();
      if (settle) pending.push(settle);
      if (pending.length === 0) return;
      let err: Error | null = null;
      try {
        wal?.syncNow();
      } catch (e) {
        err = e as Error;
      }
      for (const done of pending) done(err);
    },
  };
}
