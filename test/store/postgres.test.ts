// The store contract against PostgreSQL, plus what only a shared database has:
// two PostgresStore instances ("nodes") on one database racing each other.

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore, PostgresStore as PostgresEngine } from '../../server/store/postgres/postgres-store.ts';
import type { PostgresStore } from '../../server/store/postgres/postgres-store.ts';
import { createDb } from '../../server/store/postgres/db.ts';
import { applyMigrations, migrations } from '../../server/store/postgres/migrations.ts';
import { openStore } from '../../server/store/open-store.ts';
import { createLogger } from '../../server/logger.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';
import { runStoreContract } from './contract.ts';
import { runNotesContract } from './notes-contract.ts';
import { runRoutingContract } from './routing-contract.ts';
import { runEmailContract } from './email-contract.ts';
import { runMigrationContract } from './migration-contract.ts';
import { openOk } from './results.ts';

const logger = createLogger('silent');

// Each contract test gets its own database (CREATE DATABASE takes ~70 ms); the suite migrates it.
runStoreContract('postgres', async (clock) => openPostgresStore(await freshPostgresUrl(), { poolSize: 4, logger, clock }));
runNotesContract('postgres', async (clock) => openPostgresStore(await freshPostgresUrl(), { poolSize: 4, logger, clock }));
runRoutingContract('postgres', async (clock) => openPostgresStore(await freshPostgresUrl(), { poolSize: 4, logger, clock }));
runEmailContract('postgres', async (clock) => openPostgresStore(await freshPostgresUrl(), { poolSize: 4, logger, clock }));

runMigrationContract<pg.Pool>('postgres', {
  migrations,
  create: async () => new pg.Pool({ connectionString: await freshPostgresUrl(), max: 2 }),
  migrate: (pool, list) => createDb(pool, logger).transaction((client) => applyMigrations(client, 1000, list)),
  async createPreChecksum(pool, list) {
    await pool.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    for (const m of list) {
      await pool.query(m.sql);
      await pool.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 0)', [m.version, m.name]);
    }
  },
  recorded: async (pool) => (await pool.query('SELECT version, checksum FROM schema_migrations ORDER BY version')).rows,
  hasTable: async (pool, name) => (await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [name])).rows[0].present,
  close: (pool) => pool.end(),
});

it('[MIG2] a start on a database whose applied migration was edited stops with an error naming it', async () => {
  const url = await freshPostgresUrl();
  const first = await openStore({ kind: 'postgres', url }, logger);
  await first.close();
  // As if migration 1's text had changed since this database applied it.
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await pool.query(`UPDATE schema_migrations SET checksum = 'an older text' WHERE version = 1`);
  await pool.end();
  await expect(openStore({ kind: 'postgres', url }, logger)).rejects.toThrow('postgres migration 1 ("initial schema") was edited after this database applied it');
});

it('[STORE-SESSION] a touch commits asynchronously (no wait for the WAL flush); the pooled connection and other writes keep synchronous commits', async () => {
  // The test server runs with synchronous_commit=off; this connection asks for on, as production has it.
  const pool = new pg.Pool({ connectionString: await freshPostgresUrl(), max: 1, options: '-c synchronous_commit=on' });
  const store = new PostgresEngine(pool, logger);
  try {
    await store.migrate();
    // What each update of a session row commits with, recorded by the database itself.
    await pool.query(`CREATE TABLE commit_modes (at SERIAL, mode TEXT)`);
    await pool.query(`CREATE FUNCTION record_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO commit_modes (mode) VALUES (current_setting('synchronous_commit')); RETURN NEW; END $$`);
    await pool.query('CREATE TRIGGER record_commit_mode AFTER UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION record_commit_mode()');
    await store.sessionSet('s', '{}', 1000);
    await store.sessionTouch('s', 5000);
    expect(await store.sessionGet('s', 4999)).toBe('{}');
    await store.sessionSet('s', '{"a":1}', 6000); // an upsert: an UPDATE of the row, durable
    expect((await pool.query('SELECT mode FROM commit_modes ORDER BY at')).rows.map((r) => r.mode)).toEqual(['off', 'on']);
    expect((await pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('on');
  } finally {
    await store.close();
  }
});

describe('postgres: two nodes on one database', () => {
  const opened: PostgresStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  async function twoNodes(): Promise<[PostgresStore, PostgresStore]> {
    const url = await freshPostgresUrl();
    const a = await openPostgresStore(url, { poolSize: 8, logger });
    const b = await openPostgresStore(url, { poolSize: 8, logger });
    opened.push(a, b);
    await a.migrate();
    return [a, b];
  }

  it('migrate() from both nodes at once is safe and idempotent', async () => {
    const url = await freshPostgresUrl();
    const nodes = await Promise.all([1, 2, 3, 4].map(() => openPostgresStore(url, { poolSize: 2, logger })));
    opened.push(...nodes);
    await Promise.all(nodes.map((n) => n.migrate()));
    await Promise.all(nodes.map((n) => n.migrate()));
    const visitor = await nodes[0].createVisitor({ name: 'Ann', email: null });
    expect(await nodes[3].getVisitor(visitor.id)).toEqual(visitor);
  });

  it('[CLAIM2] exactly one of 20 claims split across two nodes wins', async () => {
    const [a, b] = await twoNodes();
    const visitor = await a.createVisitor({ name: 'Ann', email: null });
    const { conversation } = openOk(await a.openConversation(visitor, Date.now()));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).claim(conversation.id, { id: `agent-${i}`, name: `Agent ${i}` })),
    );
    const winners = results.filter((r) => r.kind === 'ok');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'conflict')).toHaveLength(19);
    const winner = winners[0];
    if (winner.kind !== 'ok') throw new Error('unreachable');
    expect(winner.previous.status).toBe('queued');
    const stored = await b.getConversation(conversation.id);
    expect(stored?.status).toBe('active');
    expect(stored?.agentId).toBe(winner.conversation.agentId);
    for (const r of results) if (r.kind === 'conflict') expect(r.conversation.agentId).toBe(winner.conversation.agentId);
  });

  it('200 appends split across two nodes get seq 1..200 without gaps', async () => {
    const [a, b] = await twoNodes();
    const visitor = await a.createVisitor({ name: 'Ann', email: null });
    const { conversation } = openOk(await a.openConversation(visitor, Date.now()));
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 === 0 ? a : b).appendMessage({
          conversationId: conversation.id,
          clientId: `c-${i}`,
          authorKind: 'visitor',
          authorId: visitor.id,
          authorName: visitor.name,
          body: `message ${i}`,
          createdAt: Date.now(),
        }),
      ),
    );
    expect(results.filter((r) => r.kind !== 'created').map((r) => r.kind), 'outcomes other than created').toEqual([]);
    const seqs = results.map((r) => (r.kind === 'created' ? r.message.seq : -1)).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const stored = await b.getMessages(conversation.id, { afterSeq: 0, limit: 200 });
    expect(stored.map((m) => m.seq)).toEqual(seqs);
    expect((await a.getConversation(conversation.id))?.lastSeq).toBe(200);
  });

  it('the same clientId sent through both nodes at once is stored once', async () => {
    const [a, b] = await twoNodes();
    const visitor = await a.createVisitor({ name: 'Ann', email: null });
    const { conversation } = openOk(await a.openConversation(visitor, Date.now()));
    const send = (node: PostgresStore) =>
      node.appendMessage({
        conversationId: conversation.id,
        clientId: 'same',
        authorKind: 'visitor',
        authorId: visitor.id,
        authorName: visitor.name,
        body: 'hello',
        createdAt: Date.now(),
      });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => send(i % 2 === 0 ? a : b)));
    expect(results.filter((r) => r.kind === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(9);
    expect((await a.getConversation(conversation.id))?.lastSeq).toBe(1);
  });

  it('openConversation racing on two nodes opens one conversation', async () => {
    const [a, b] = await twoNodes();
    const visitor = await a.createVisitor({ name: 'Ann', email: null });
    const now = Date.now();
    const results = (await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).openConversation(visitor, now)))).map(openOk);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
  });

  it('a backend killed under an idle pooled client is logged, not thrown', async () => {
    const url = await freshPostgresUrl();
    const lines: string[] = [];
    const node = await openPostgresStore(url, { poolSize: 2, logger: createLogger('warn', { write: (line: string) => lines.push(line) }) });
    opened.push(node);
    await node.migrate();
    await Promise.all([node.ping(), node.ping()]);
    // As a server restart would: end this database's other backends (and only them).
    const killer = new pg.Client({ connectionString: url });
    await killer.connect();
    const { rows } = await killer.query(
      "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
    );
    await killer.end();
    expect(rows.length).toBeGreaterThan(0);
    // Every idle client notices its backend is gone before the pool reuses it.
    const poolErrors = () => lines.filter((line) => JSON.parse(line).event === 'pg_pool_error').length;
    await expect.poll(poolErrors).toBe(rows.length);
    await node.ping();
    expect(await node.countAdmins()).toBe(0);
  });
});
