// The messages' search index (messages_fts, migrations 10 and 13) is written behind the appends:
// a moment after messages are committed, every message not yet indexed is added, in batches of
// their own transaction, and a search first adds whatever is still waiting, so it finds every
// message committed before it. The index and its watermark (search_index_state) change in the
// same transaction: a crash loses both or neither, and what is missing is indexed at the next start.
// Imports only node:sqlite types and the group commit.

import type { DatabaseSync } from 'node:sqlite';
import type { GroupCommit } from './group-commit.ts';

export interface SearchIndexer {
  /** Messages were appended: they are indexed shortly (one timer however many appends). */
  written(): void;
  /** Resolves once every message committed so far is in the index (a search calls it first). */
  catchUp(): Promise<void>;
  /** No more timers (closing). What is left is indexed at the next start. */
  stop(): void;
}

export interface SearchIndexerOptions {
  /** How long after an append the next batch runs: appends of that time share one batch. */
  delayMs?: number;
  /** Messages per transaction: a batch holds the event loop for about 20 µs per message. */
  batchSize?: number;
}

export function createSearchIndexer(db: DatabaseSync, writes: GroupCommit, { delayMs = 250, batchSize = 200 }: SearchIndexerOptions = {}): SearchIndexer {
  const sql = {
    watermark: db.prepare("SELECT indexed_rowid AS n FROM search_index_state WHERE name = 'messages'"),
    // The highest rowid of the next batch (null when nothing waits).
    batchEnd: db.prepare('SELECT max(rowid) AS n FROM (SELECT rowid FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?)'),
    index: db.prepare('INSERT INTO messages_fts (rowid, body) SELECT rowid, body FROM messages WHERE rowid > ? AND rowid <= ? ORDER BY rowid'),
    advance: db.prepare("UPDATE search_index_state SET indexed_rowid = ? WHERE name = 'messages'"),
  };
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  /** Inside a write transaction: indexes up to `limit` waiting messages; whether more wait. */
  function indexBatch(limit: number): boolean {
    const from = Number(sql.watermark.get()?.n);
    const end = sql.batchEnd.get(from, limit)?.n;
    if (end === null || end === undefined) return false;
    sql.index.run(from, end);
    sql.advance.run(end);
    return true;
  }

  function runBatch(): void {
    timer = null;
    if (stopped) return;
    // Lazy: nobody waits for its durability; a crash before the next sync only means indexing again.
    writes
      .runLazy(() => indexBatch(batchSize))
      .then((more) => {
        if (more && !stopped && !timer) {
          timer = setTimeout(runBatch, 0);
          timer.unref();
        }
      })
      // A failed batch (disk full, I/O error) changed nothing: the next append or search tries again.
      .catch(() => undefined);
  }

  return {
    written() {
      if (!timer && !stopped) {
        timer = setTimeout(runBatch, delayMs);
        timer.unref();
      }
    },
    async catchUp() {
      // In the shared transaction: committed with the writes queued this turn, seen by the search after it.
      await writes.run(() => {
        while (indexBatch(batchSize * 10));
      });
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
