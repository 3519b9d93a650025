// Runs the Store contract on the SQLite engine, in memory and on a temp file,
// plus what only SQLite has: durability across reopen, WAL, repeatable migrate().

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGroupCommit, type WalSync } from '../../server/store/sqlite/group-commit.ts';
import { createLogger } from '../../server/logger.ts';
import { openStore } from '../../server/store/open-store.ts';
import { migrate, migrations } from '../../server/store/sqlite/migrations.ts';
import { openSqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { runStoreContract } from './contract.ts';
import { runNotesContract } from './notes-contract.ts';
import { runMigrationContract } from './migration-contract.ts';
import { runRoutingContract } from './routing-contract.ts';
import { runEmailContract } from './email-contract.ts';
import { agentOf, openOk } from './results.ts';

runStoreContract('sqlite :memory:', (clock) => openSqliteStore(':memory:', { clock }));
runNotesContract('sqlite :memory:', (clock) => openSqliteStore(':memory:', { clock }));
runRoutingContract('sqlite :memory:', (clock) => openSqliteStore(':memory:', { clock }));
runEmailContract('sqlite :memory:', (clock) => openSqliteStore(':memory:', { clock }));

runMigrationContract<DatabaseSync>('sqlite', {
  migrations,
  create: async () => new DatabaseSync(':memory:'),
  migrate: async (db, list) => migrate(db, 1000, list),
  async createPreChecksum(db, list) {
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of list) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)').run(m.version, m.name);
    }
  },
  async recorded(db) {
    const rows = db.prepare('SELECT version, checksum FROM schema_migrations ORDER BY version').all();
    return rows.map((r) => ({ version: Number(r.version), checksum: r.checksum === null ? null : String(r.checksum) }));
  },
  hasTable: async (db, name) => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined,
  close: async (db) => db.close(),
});

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

  runStoreContract('sqlite file', (clock) => openSqliteStore(join(dir, `contract-${++n}.db`), { clock }));

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
    const { conversation } = openOk(await first.openConversation(visitor, 1000));
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

  it('[STORE-SQLITE] a new database gets 2 KiB pages; an existing one keeps its own and still works', async () => {
    const pageSize = (path: string) => {
      const probe = new DatabaseSync(path, { readOnly: true });
      try {
        return probe.prepare('PRAGMA page_size').get()?.page_size;
      } finally {
        probe.close();
      }
    };
    const fresh = join(dir, 'fresh-pages.db');
    await openFile(fresh);
    expect(pageSize(fresh)).toBe(2048);

    const older = join(dir, 'older-pages.db');
    const db = new DatabaseSync(older);
    db.exec('PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE unrelated (x)');
    db.close();
    const store = await openFile(older);
    expect(pageSize(older)).toBe(4096);
    const visitor = await store.createVisitor({ name: 'Old file', email: null });
    const { conversation } = openOk(await store.openConversation(visitor, 1000));
    const input = { conversationId: conversation.id, clientId: 'c1', authorKind: 'visitor' as const, authorId: visitor.id, authorName: 'Old file', body: 'hi', createdAt: 1001 };
    expect((await store.appendMessage(input)).kind).toBe('created');
    expect(await store.getMessages(conversation.id, { limit: 10 })).toHaveLength(1);
  });

  it('[CKPT] the WAL is copied into the database by a background thread; close stops it and removes the WAL', async () => {
    const path = join(dir, 'checkpointed.db');
    const store = await openFile(path);
    // 300 messages are a few hundred WAL frames, far below the writer's own auto-checkpoint
    // (WRITER_CHECKPOINT_FRAMES): only the background thread can move pages into the file.
    const before = statSync(path).size;
    const visitor = await store.createVisitor({ name: 'Chatty', email: null });
    const { conversation } = openOk(await store.openConversation(visitor, 1000));
    const input = { conversationId: conversation.id, authorKind: 'visitor' as const, authorId: visitor.id, authorName: 'Chatty', createdAt: 1001 };
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.appendMessage({ ...input, clientId: `c${i}`, body: `message ${i} `.repeat(20) })));
    // Pages reach the database file only through a checkpoint.
    await expect.poll(() => statSync(path).size, { timeout: 5000, interval: 50 }).toBeGreaterThan(before + 100 * 1024);
    expect(existsSync(`${path}-wal`)).toBe(true);

    opened.splice(opened.indexOf(store), 1);
    await store.close();
    // The writer's connection was the last one open: closing it checkpointed and removed the WAL.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = await openFile(path);
    expect(await reopened.getMessages(conversation.id, { limit: 500 })).toHaveLength(300);
  });

  it('[CKPT] close() completes in a process with nothing else to do (the checkpointing thread does not let it exit first)', () => {
    const path = join(dir, 'lonely.db');
    const store = pathToFileURL(join(import.meta.dirname, '../../server/store/sqlite/sqlite-store.ts')).href;
    const script = `
      import { openSqliteStore } from ${JSON.stringify(store)};
      const s = await openSqliteStore(${JSON.stringify(path)});
      await s.migrate();
      await s.createVisitor({ name: 'Last words', email: null });
      await s.close();
      console.log('closed');
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stdout.trim(), run.stderr).toBe('closed');
    expect(run.status).toBe(0);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('[STORE-SQLITE] migrations are recorded as applied at the time of the store\'s clock', async () => {
    const path = join(dir, 'clocked.db');
    const store = await openSqliteStore(path, { clock: { now: () => 1_234_567 } });
    opened.push(store);
    await store.migrate();
    const probe = new DatabaseSync(path, { readOnly: true });
    try {
      const times = probe.prepare('SELECT DISTINCT applied_at FROM schema_migrations').all().map((r) => r.applied_at);
      expect(times).toEqual([1_234_567]);
    } finally {
      probe.close();
    }
  });

  it('[STORE-SQLITE] migrate() twice, and from a second connection, is harmless', async () => {
    const path = join(dir, 'migrate.db');
    const a = await openFile(path);
    await a.migrate();
    await Promise.all([a.migrate(), a.migrate()]); // each whole in its call: neither sees the other's transaction
    const agent = agentOf(await a.createAgent({ email: 'm@example.test', name: 'M', role: 'admin', passwordHash: 'h' }));
    const b = await openFile(path);
    await b.migrate();
    expect(await b.getAgent(agent.id)).toEqual(agent);
    const probe = new DatabaseSync(path, { readOnly: true });
    try {
      const versions = probe.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => r.version);
      expect(versions).toEqual(migrations.map((m) => m.version));
    } finally {
      probe.close();
    }
  });

  it('[STORE-SQLITE] a version 1 database migrates keeping every message, its order and its dedupe', async () => {
    const path = join(dir, 'v1.db');
    const old = new DatabaseSync(path);
    old.exec(migrations[0].sql);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    old.exec("INSERT INTO schema_migrations VALUES (1, 'initial schema', 0)");
    old.exec("INSERT INTO visitors VALUES ('v1', 'Old', NULL, 1)");
    old.exec("INSERT INTO conversations (id, visitor_id, visitor_name, status, last_seq, queued_at, created_at) VALUES ('c1', 'v1', 'Old', 'queued', 3, 1, 1)");
    const insert = old.prepare("INSERT INTO messages VALUES (?, 'c1', ?, ?, 'visitor', 'v1', 'Old', ?, ?)");
    for (const seq of [1, 2, 3]) insert.run(`m${seq}`, seq, `client-${seq}`, `body ${seq}`, 100 + seq);
    old.close();

    const store = await openFile(path);
    const history = await store.getMessages('c1', { limit: 50 });
    expect(history.map((m) => [m.id, m.seq, m.clientId, m.body])).toEqual([
      ['m1', 1, 'client-1', 'body 1'],
      ['m2', 2, 'client-2', 'body 2'],
      ['m3', 3, 'client-3', 'body 3'],
    ]);
    // last_seq is no longer a column (migration 3): it is read off the messages.
    expect((await store.getConversation('c1'))?.lastSeq).toBe(3);
    const message = { conversationId: 'c1', authorKind: 'visitor' as const, authorId: 'v1', authorName: 'Old', body: 'again', createdAt: 200 };
    const resend = await store.appendMessage({ ...message, clientId: 'client-2' });
    expect(resend.kind === 'duplicate' && resend.message.id).toBe('m2');
    const next = await store.appendMessage({ ...message, clientId: 'client-4' });
    expect(next.kind === 'created' && next.message.seq).toBe(4);
    expect((await store.listQueue()).map((c) => [c.id, c.lastSeq])).toEqual([['c1', 4]]);
  });

  it('[MIG2] a start on a file whose applied migration was edited stops with an error naming it', async () => {
    const path = join(dir, 'edited.db');
    await (await openFile(path)).close();
    opened.splice(0);
    // As if migration 2's text had changed since this file applied it.
    const db = new DatabaseSync(path);
    db.prepare(`UPDATE schema_migrations SET checksum = 'an older text' WHERE version = 2`).run();
    db.close();
    const start = openStore({ kind: 'sqlite', path }, createLogger('silent'));
    await expect(start).rejects.toThrow('sqlite migration 2 ("messages: cheaper indexes per insert") was edited after this database applied it');
  });

  it('[STORE-SQLITE] using the store before migrate() fails clearly', async () => {
    const store = await openSqliteStore(':memory:');
    opened.push(store);
    await expect(store.ping()).resolves.toBeUndefined(); // /readyz before migrations have run
    await expect(store.getAgent('x')).rejects.toThrow(/migrate/);
  });
});

describe('group commit', () => {
  /** A WAL sync that completes only when the test says so. */
  function heldSync() {
    const held: Array<(err: Error | null) => void> = [];
    const wal: WalSync & { synced: number } = {
      synced: 0,
      sync: (done) => held.push(done),
      syncNow: () => {
        wal.synced++;
      },
    };
    return { wal, held };
  }

  function table() {
    const db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE t (v INTEGER UNIQUE)');
    return db;
  }

  const settled = async (p: Promise<unknown>) => {
    let done = false;
    p.then(
      () => (done = true),
      () => (done = true),
    );
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    return done;
  };

  it('[GROUP1] a write resolves only after the WAL sync that follows its COMMIT; later writes wait and share the next sync', async () => {
    const db = table();
    const { wal, held } = heldSync();
    const commits = createGroupCommit(db, wal);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const first = commits.run(() => insert.run(1));
    await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(1); // committed, sync in flight
    expect(db.prepare('SELECT count(*) AS n FROM t').get()?.n).toBe(1);
    expect(await settled(first)).toBe(false);
    const durable = commits.durable();
    const second = commits.run(() => insert.run(2));
    const third = commits.run(() => insert.run(3));
    await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(1); // nothing committed while a sync is in flight
    expect(db.prepare('SELECT count(*) AS n FROM t').get()?.n).toBe(1);
    held[0](null);
    await expect(first).resolves.toBeDefined();
    await expect(durable).resolves.toBeUndefined();
    await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(2); // second and third: one transaction, one sync
    expect(db.prepare('SELECT count(*) AS n FROM t').get()?.n).toBe(3);
    expect(await settled(second)).toBe(false);
    held[1](null);
    await expect(Promise.all([second, third])).resolves.toHaveLength(2);
    db.close();
  });

  it('[GROUP2] a failing write is rolled back alone; a failed sync fails the whole batch; close syncs what is pending', async () => {
    const db = table();
    const { wal, held } = heldSync();
    const commits = createGroupCommit(db, wal);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const ok = commits.run(() => insert.run(1));
    const dup = commits.run(() => insert.run(1));
    await new Promise((r) => setImmediate(r));
    held[0](null);
    await expect(ok).resolves.toBeDefined();
    await expect(dup).rejects.toThrow(/UNIQUE/);

    const lost = commits.run(() => insert.run(2));
    await new Promise((r) => setImmediate(r));
    held[1](new Error('EIO'));
    await expect(lost).rejects.toThrow('EIO');

    const pending = commits.run(() => insert.run(3));
    await new Promise((r) => setImmediate(r));
    const queued = commits.run(() => insert.run(4));
    commits.flush(); // closing: the batch in flight and the queued one, synced synchronously
    expect(wal.synced).toBe(1);
    await expect(Promise.all([pending, queued])).resolves.toHaveLength(2);
    expect(db.prepare('SELECT group_concat(v) AS vs FROM (SELECT v FROM t ORDER BY v)').get()?.vs).toBe('1,2,3,4');
    held[2](null); // the asynchronous sync finishing late settles nothing twice
    db.close();
  });

  it('[GROUP3] a lazy write settles at its own COMMIT, also while a sync is in flight; failures stay its own; close commits queued ones', async () => {
    const db = table();
    const { wal, held } = heldSync();
    const commits = createGroupCommit(db, wal);
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const count = () => db.prepare('SELECT count(*) AS n FROM t').get()?.n;
    const durable = commits.run(() => insert.run(1));
    await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(1); // committed, sync in flight
    await expect(commits.runLazy(() => insert.run(2))).resolves.toBeDefined();
    expect(count()).toBe(2);
    expect(held).toHaveLength(1); // no sync of its own
    expect(await settled(durable)).toBe(false);
    const [dup, ok] = [commits.runLazy(() => insert.run(2)), commits.runLazy(() => insert.run(3))];
    await expect(dup).rejects.toThrow(/UNIQUE/);
    await expect(ok).resolves.toBeDefined();
    held[0](null);
    await expect(durable).resolves.toBeDefined();

    const queued = commits.runLazy(() => insert.run(4));
    commits.flush();
    expect(count()).toBe(4);
    await expect(queued).resolves.toBeDefined();
    db.close();
  });
});
