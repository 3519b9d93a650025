// Runs the Store contract on the SQLite engine, in memory and on a temp file,
// plus what only SQLite has: durability across reopen, WAL, repeatable migrate().

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { runStoreContract } from './contract.ts';

runStoreContract('sqlite :memory:', () => openSqliteStore(':memory:'));

describe('sqlite file', () => {
  let dir = '';
  let n = 0;
  const opened: SqliteStore[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  runStoreContract('sqlite file', () => openSqliteStore(join(dir, `contract-${++n}.db`)));

  async function openFile(path: string): Promise<SqliteStore> {
    const store = await openSqliteStore(path);
    opened.push(store);
    await store.migrate();
    return store;
  }

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  it('[STORE-SQLITE] data survives close and reopen', async () => {
    const path = join(dir, 'nested', 'deeper', 'reopen.db'); // parent directories are created
    const first = await openFile(path);
    const visitor = await first.createVisitor({ name: 'Durable', email: null });
    const { conversation } = await first.openConversation(visitor, 1000);
    const appended = await first.appendMessage({
      conversationId: conversation.id,
      clientId: 'c1',
      authorKind: 'visitor',
      authorId: visitor.id,
      authorName: 'Durable',
      body: 'still here?',
      createdAt: 1001,
    });
    await first.sessionSet('sid', '{"visitorId":1}', Date.now() + 60_000);
    await first.close();

    const second = await openFile(path);
    expect(await second.getVisitor(visitor.id)).toEqual(visitor);
    expect((await second.getConversation(conversation.id))?.lastSeq).toBe(1);
    if (appended.kind !== 'created') throw new Error(`expected created, got ${appended.kind}`);
    expect(await second.getMessages(conversation.id, { limit: 50 })).toEqual([appended.message]);
    expect(await second.sessionGet('sid', Date.now())).toBe('{"visitorId":1}');
  });

  it('[STORE-SQLITE] a file database is in WAL mode', async () => {
    const path = join(dir, 'wal.db');
    await openFile(path);
    // journal_mode=WAL is persistent: a separate connection reports it.
    const probe = new DatabaseSync(path, { readOnly: true });
    try {
      expect(probe.prepare('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    } finally {
      probe.close();
    }
  });

  it('[STORE-SQLITE] migrate() twice, and from a second connection, is harmless', async () => {
    const path = join(dir, 'migrate.db');
    const a = await openFile(path);
    await a.migrate();
    const agent = await a.createAgent({ email: 'm@example.test', name: 'M', role: 'admin', passwordHash: 'h' });
    const b = await openFile(path);
    await b.migrate();
    expect(await b.getAgent(agent.id)).toEqual(agent);
    const probe = new DatabaseSync(path, { readOnly: true });
    try {
      const versions = probe.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => r.version);
      expect(versions).toEqual([1]);
    } finally {
      probe.close();
    }
  });

  it('[STORE-SQLITE] using the store before migrate() fails clearly', async () => {
    const store = await openSqliteStore(':memory:');
    opened.push(store);
    await expect(store.ping()).resolves.toBeUndefined(); // /readyz before migrations have run
    await expect(store.getAgent('x')).rejects.toThrow(/migrate/);
  });
});
