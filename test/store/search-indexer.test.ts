// [SEARCH-IDX] The SQLite engine's message index is written behind the appends (search-indexer.ts,
// migration 13): no FTS5 work in an append's transaction, every message indexed a moment later
// in batches, a search finds every message committed before it, and a backlog left by a crash is
// indexed at the next start. Checked on a file database, through a second connection.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { searchTerms } from '../../server/protocol/search.ts';
import { openSqliteStore, type SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { ConversationRecord, SearchQuery } from '../../server/store/store.ts';
import { eventually } from '../helpers/clients.ts';
import { created, openOk } from './results.ts';

const asAdmin = { agentId: 'agent-root', admin: true };
const query = (q: string): SearchQuery => ({ terms: searchTerms(q), viewer: asAdmin, limit: 1000, offset: 0, candidates: 5000 });

describe('[SEARCH-IDX] the message index behind the appends (SQLite)', () => {
  let dir: string;
  let path: string;
  let store: SqliteStore;
  let peek: DatabaseSync;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-search-idx-'));
    path = join(dir, 'parley.db');
    store = await openSqliteStore(path);
    await store.migrate();
    peek = new DatabaseSync(path, { readOnly: true });
  });

  afterEach(async () => {
    peek.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const state = () => {
    const indexed = Number(peek.prepare("SELECT indexed_rowid AS n FROM search_index_state WHERE name = 'messages'").get()!.n);
    const newest = Number(peek.prepare('SELECT coalesce(max(rowid), 0) AS n FROM messages').get()!.n);
    return { indexed, newest };
  };

  /** FTS5's own check of the index against the messages (throws on any difference). */
  const sound = () => {
    const db = new DatabaseSync(path);
    try {
      db.exec("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    } finally {
      db.close();
    }
  };

  let n = 0;
  async function say(c: ConversationRecord, body: string) {
    return created(await store.appendMessage({ conversationId: c.id, clientId: `c${++n}`, authorKind: 'visitor', authorId: c.visitorId, authorName: c.visitorName, body, createdAt: Date.now() }));
  }
  async function conversation() {
    const visitor = await store.createVisitor({ name: 'Visitor', email: null });
    return openOk(await store.openConversation(visitor, Date.now())).conversation;
  }

  it('[SEARCH-IDX1] an append writes no index; the messages are indexed a moment later, without any search, and the index is sound', async () => {
    const triggers = peek.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'messages' ORDER BY name").all().map((r) => r.name);
    expect(triggers).toEqual(['messages_fts_delete', 'messages_fts_update']);
    const c = await conversation();
    for (let i = 0; i < 450; i++) await say(c, `parcel number ${i} went missing`);
    await eventually(() => state().indexed === state().newest, 10_000, 'every message indexed');
    expect(state().newest).toBeGreaterThanOrEqual(450);
    expect(Number(peek.prepare("SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH 'parcel'").get()!.n)).toBe(450);
    sound();
  });

  it('[SEARCH-IDX2] a search right after appends finds every one of them, more than a batch included', async () => {
    const c = await conversation();
    await Promise.all(Array.from({ length: 700 }, (_, i) => say(c, `refund request ${i}`)));
    const hits = await store.searchMessages(query('refund'));
    expect(hits).toHaveLength(700);
    const s = state();
    expect(s.indexed).toBe(s.newest);
    sound();
  });

  it('[SEARCH-IDX3] messages committed but not indexed when the process stopped are indexed at the next start', async () => {
    const c = await conversation();
    await say(c, 'first words');
    await store.searchMessages(query('first'));
    await store.close();
    // As a crash between an append's commit and its batch leaves it: rows past the watermark.
    const raw = new DatabaseSync(path);
    raw.exec(`INSERT INTO messages (id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at)
      SELECT id || '-b', conversation_id, seq + 1, client_id || '-b', author_kind, author_id, author_name, 'backlog words', created_at FROM messages`);
    raw.close();
    expect(state().indexed).toBeLessThan(state().newest);

    store = await openSqliteStore(path);
    await store.migrate();
    await eventually(() => state().indexed === state().newest, 10_000, 'the backlog indexed at start');
    expect((await store.searchMessages(query('backlog'))).map((h) => h.message.body)).toEqual(['backlog words']);
    sound();
  });
});
