// [OUTAGE] The database is down, busy or full: every ack is `unavailable` (never `internal`, never
// `ok` without a commit), HTTP answers 503 with Retry-After, /readyz says 503, the outage is logged
// at warn (not as a failed handler), nothing is half-written, and the conversation goes on by
// itself once the database is back (docs/protocol.md: retry with the same clientId).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { Manager, type Socket } from 'socket.io-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { TRANSPORTS, type VisitorClient, connect, eventually, ok, request } from '../helpers/clients.ts';
import { spawnNode } from '../helpers/node-process.ts';
import { startPostgres } from '../helpers/services.ts';
import { cookieOf, startApp } from '../helpers/start-app.ts';
import { openSqliteDatabase, SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';

async function visitorCookie(url: string): Promise<string> {
  return cookieOf(await fetch(`${url}/api/visitor/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
}

/** The JSON log lines a node printed, parsed. */
function logLines(output: string): Array<{ level: number; event?: string; [k: string]: unknown }> {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; event?: string });
}

describe('[OUTAGE] PostgreSQL goes away and comes back', () => {
  it('[OUTAGE1] shutting down (57P03), terminated (57P01), refused (ECONNREFUSED): acks `unavailable`, HTTP 503 + Retry-After, /readyz 503, warn not error; recovery by itself', { timeout: 120_000 }, async () => {
    const server = await startPostgres();
    onTestFinished(() => server.stop());
    const node = await spawnNode({ DATABASE_URL: server.url, ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'admin password' });
    const visitors: Array<{ socket: VisitorClient; cookie: string }> = [];
    for (const transport of TRANSPORTS) {
      const cookie = await visitorCookie(node.url);
      visitors.push({ socket: await connect(node.url, '/visitor', { transport, cookie }), cookie });
    }
    for (const v of visitors) await ok(v.socket, 'message:send', { clientId: 'm1', body: 'before the outage' });
    // An admin's console, connected before the outage, that opens the dashboard's namespace during it.
    const adminCookie = cookieOf(
      await fetch(`${node.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: 'admin password' }) }),
    );
    const console_ = new Manager(node.url, { transports: ['websocket'], extraHeaders: { cookie: adminCookie }, reconnectionDelay: 200, reconnectionDelayMax: 500 });
    onTestFinished(() => {
      console_.reconnection(false);
      console_.engine?.close();
    });
    const agentNs = console_.socket('/agent');
    await new Promise<void>((resolve, reject) => {
      agentNs.once('connect', () => resolve());
      agentNs.once('connect_error', reject);
    });

    // Smart shutdown: sessions already open go on, new connections get 57P03. Ours stays open to hold it there.
    const admin = new pg.Client({ connectionString: server.url });
    admin.on('error', () => {});
    await admin.connect();
    const halted = server.halt('smart');
    await eventually(
      async () => {
        const probe = new pg.Client({ connectionString: server.url });
        probe.on('error', () => {});
        try {
          await probe.connect();
          await probe.end();
          return false;
        } catch (err) {
          return (err as { code?: string }).code === '57P03';
        }
      },
      10_000,
      'new connections refused with 57P03',
    );
    // The node's pooled connections are ended from the server side (57P01): its next query needs a new one.
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    const shuttingDown = await request(visitors[0].socket, 'message:send', { clientId: 'm2', body: 'during the outage' });
    expect(shuttingDown).toEqual({ ok: false, error: { code: 'unavailable', message: expect.any(String) } });
    const me = await fetch(`${node.url}/api/me`, { headers: { cookie: visitors[0].cookie } });
    expect(me.status).toBe(503);
    expect(me.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await me.json()).toMatchObject({ error: { code: 'unavailable' } });
    expect((await fetch(`${node.url}/readyz`)).status).toBe(503);

    // Our session ends; the server finishes shutting down: connections are refused.
    await admin.end();
    await halted;
    for (const v of visitors) {
      expect(await request(v.socket, 'message:send', { clientId: 'm2', body: 'during the outage' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    }
    expect((await fetch(`${node.url}/api/visitor/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(503);
    expect((await fetch(`${node.url}/readyz`)).status).toBe(503);
    // A new Engine.IO handshake reads the session too: 503 to retry, like HTTP.
    const handshake = await fetch(`${node.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie: visitors[0].cookie } });
    expect(handshake.status).toBe(503);
    expect(handshake.headers.get('retry-after')).toMatch(/^\d+$/);
    // A client connecting meanwhile is not turned away for good: it gets in by itself once the database is back.
    const latecomer = new Manager(node.url, { transports: ['websocket'], extraHeaders: { cookie: visitors[1].cookie }, reconnectionDelay: 200, reconnectionDelayMax: 500 });
    onTestFinished(() => {
      latecomer.reconnection(false);
      latecomer.engine?.close();
    });
    const late = latecomer.socket('/visitor') as Socket as VisitorClient;
    // A namespace connect on a connection made before the outage: the session cannot be read.
    const dashboard = console_.socket('/admin');
    const dashboardErrors: string[] = [];
    dashboard.on('connect_error', (err) => dashboardErrors.push(err.message));
    await eventually(() => !agentNs.connected, 5000, 'the connection closed (not the namespace refused): its client reconnects by itself');

    await server.start();
    await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 200, 15_000, '/readyz 200 again');
    await eventually(() => late.connected && dashboard.connected && agentNs.connected, 10_000, 'the clients that came during the outage connected by themselves');
    // The namespace was never refused (that connect_error would have made socket.io-client give it up);
    // what it saw were its reconnection attempts failing while the database was away.
    expect(dashboardErrors.filter((m) => m !== 'websocket error')).toEqual([]);
    for (const v of visitors) {
      const again = await ok(v.socket, 'message:send', { clientId: 'm2', body: 'during the outage' });
      expect(again.message.seq).toBe(2);
      expect((await ok(v.socket, 'message:send', { clientId: 'm3', body: 'after' })).message.seq).toBe(3);
      const { messages } = await ok(v.socket, 'history:get', {});
      expect(messages.map((m) => `${m.seq}:${m.clientId}`)).toEqual(['1:m1', '2:m2', '3:m3']);
    }

    const lines = logLines(node.output());
    const outages = lines.filter((l) => l.event === 'handler.unavailable' || l.event === 'http.unavailable');
    expect(outages.length).toBeGreaterThan(0);
    const handshakes = lines.filter((l) => l.event === 'handshake.unavailable');
    expect(handshakes.length, 'the dashboard\'s connect, during the outage').toBeGreaterThan(0);
    expect(new Set(handshakes.map((l) => l.level))).toEqual(new Set([40]));
    expect(new Set(outages.map((l) => l.level))).toEqual(new Set([40]));
    expect(outages.map((l) => String(l.reason))).toEqual(expect.arrayContaining([expect.stringMatching(/^57P0[13]/), 'ECONNREFUSED']));
    expect(lines.filter((l) => l.level >= 50).map((l) => l.event), 'nothing logged as an error').toEqual([]);
  });
});

/** A SQLite store the test holds the connection of, to make it busy or full. */
async function sqliteApp(busyTimeoutMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-outage-'));
  const path = join(dir, 'parley.db');
  const { db, walPath } = openSqliteDatabase(path);
  db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  const store = new SqliteStore(db, walPath);
  await store.migrate();
  const app = await startApp({ store });
  onTestFinished(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, store, db, path };
}

describe.each(TRANSPORTS)('[OUTAGE] SQLite busy or full, %s', (transport) => {
  it('[OUTAGE2] another process holds the write lock beyond busy_timeout: acks `unavailable`, HTTP 503; the retry after it lets go is stored once', async () => {
    const { app, path, db } = await sqliteApp(200);
    const { socket, cookie } = await app.visitor(transport);
    await ok(socket, 'message:send', { clientId: 'm1', body: 'first' });
    const other = new DatabaseSync(path, { timeout: 0 });
    onTestFinished(() => other.close());
    other.exec('BEGIN IMMEDIATE');
    expect(await request(socket, 'message:send', { clientId: 'm2', body: 'while locked' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const created = await app.http('/api/visitor/session', { method: 'POST', json: {} });
    expect(created.status).toBe(503);
    expect(created.headers.get('retry-after')).toMatch(/^\d+$/);
    other.exec('ROLLBACK');
    expect((await ok(socket, 'message:send', { clientId: 'm2', body: 'while locked' })).message.seq).toBe(2);
    const { messages, conversation } = await ok(socket, 'history:get', {});
    expect(messages.map((m) => `${m.seq}:${m.clientId}`)).toEqual(['1:m1', '2:m2']);
    expect(conversation?.lastSeq).toBe(2);
    expect((await app.http('/api/me', { cookie })).status).toBe(200);
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
  });

  it('[OUTAGE3] the database is full: the ack that does not fit is `unavailable`, nothing is half-written, and the conversation goes on once there is room', async () => {
    const { app, db } = await sqliteApp(5000);
    const { socket } = await app.visitor(transport);
    await ok(socket, 'message:send', { clientId: 'm0', body: 'hello' });
    // SQLite's own cap on the file: SQLITE_FULL, as a full disk gives, without filling one.
    const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    db.exec(`PRAGMA max_page_count = ${pages + 40}`);
    const acked: string[] = ['m0'];
    let refused: { clientId: string; ack: unknown } | null = null;
    for (let i = 1; i <= 200 && !refused; i++) {
      const clientId = `m${i}`;
      const ack = await request(socket, 'message:send', { clientId, body: `${i} ${'x'.repeat(3990)}` });
      if (ack.ok) acked.push(clientId);
      else refused = { clientId, ack };
    }
    expect(refused, 'the database filled up').not.toBeNull();
    expect(refused!.ack).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(acked.length).toBeGreaterThan(1);
    // Reads still work; exactly what was acked is there, seq without a gap, and the conversation agrees.
    const page = await ok(socket, 'history:get', { limit: 200 });
    expect(page.messages.map((m) => m.clientId)).toEqual(acked);
    expect(page.messages.map((m) => m.seq)).toEqual(acked.map((_, i) => i + 1));
    expect(page.conversation?.lastSeq).toBe(acked.length);

    db.exec('PRAGMA max_page_count = 1073741823');
    const retried = await ok(socket, 'message:send', { clientId: refused!.clientId, body: 'there is room again' });
    expect(retried.message.seq).toBe(acked.length + 1);
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
  });
});
