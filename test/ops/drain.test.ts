// [DRAIN] SIGTERM drains a node (docs/deployment.md, "Stopping a node"): /readyz answers 503 at
// once, new handshakes and namespace connects are refused, every handler already running finishes
// and its ack is sent, then each connection is closed at the transport level so that its client
// reconnects by itself (to another node, behind a balancer), and the process exits within
// SHUTDOWN_TIMEOUT_MS.

import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Manager, type Socket } from 'socket.io-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { socketOptions } from '../../client/lib/socket-options.ts';
import { TRANSPORTS, type Transport, type VisitorClient, connect, eventually, ok } from '../helpers/clients.ts';
import { spawnNode } from '../helpers/node-process.ts';
import { cookieOf } from '../helpers/start-app.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';

async function visitorCookie(url: string): Promise<string> {
  return cookieOf(await fetch(`${url}/api/visitor/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
}

/** A client that reconnects by itself, as integrators' clients do (socket.io-client's defaults, shorter delays). */
function reconnecting(url: string, transport: Transport | 'product', cookie: string): Manager {
  const base = transport === 'product' ? socketOptions('auto') : { transports: [transport] };
  const manager = new Manager(url, { ...base, extraHeaders: { cookie }, reconnectionDelay: 100, reconnectionDelayMax: 500, timeout: 5000 });
  onTestFinished(() => {
    manager.reconnection(false);
    manager.engine?.close();
  });
  return manager;
}

function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

/** The status of a WebSocket upgrade request (101 when accepted), without a WebSocket library. */
function upgradeStatus(url: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/socket.io/?EIO=4&transport=websocket`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', cookie },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Holds the conversation's row lock: every write to it (an append, a claim) waits until release(). */
async function holdConversation(databaseUrl: string, conversationId: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [conversationId]);
  const waiting = async () =>
    (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).rows[0].n;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await client.query('ROLLBACK');
    await client.end();
  };
  onTestFinished(release);
  return { waiting, release, client };
}

describe.each(TRANSPORTS)('[DRAIN] SIGTERM drains a node, %s', (transport) => {
  it('[DRAIN1] readyz 503 and handshakes refused at once; a namespace CONNECT is not accepted; the ack in flight is sent, then the transport closes (the client reconnects by itself); exit 0', { timeout: 60_000 }, async () => {
    const databaseUrl = await freshPostgresUrl();
    const node = await spawnNode({ DATABASE_URL: databaseUrl, SHUTDOWN_TIMEOUT_MS: '10000' });
    const cookie = await visitorCookie(node.url);
    const manager = reconnecting(node.url, transport, cookie);
    const visitor = manager.socket('/visitor') as Socket as VisitorClient;
    await connected(visitor);
    const { message } = await ok(visitor, 'message:send', { clientId: 'first', body: 'hello' });

    const lock = await holdConversation(databaseUrl, message.conversationId);
    const seen: string[] = [];
    visitor.on('disconnect', (reason) => seen.push(`disconnect:${reason}`));
    const inFlight = visitor
      .timeout(20_000)
      .emitWithAck('message:send', { clientId: 'in-flight', body: 'sent before SIGTERM' })
      .then((ack) => {
        seen.push(`ack:${ack.ok}`);
        return ack;
      });
    inFlight.catch(() => {});
    await eventually(async () => (await lock.waiting()) > 0, 5000, 'the append waiting on the row lock');

    const signalled = Date.now();
    node.signal('SIGTERM');
    // Out of rotation at once, while the node still finishes what it has.
    await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 503, 2000, '/readyz 503 after SIGTERM');
    expect(await (await fetch(`${node.url}/readyz`)).json()).toMatchObject({ status: 'draining' });
    // New Engine.IO handshakes, over either transport, are refused with 503 (a balancer tries another node).
    const polling = await fetch(`${node.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie } });
    expect(polling.status).toBe(503);
    expect(polling.headers.get('retry-after')).not.toBeNull();
    expect(await polling.json()).toMatchObject({ error: { code: 'unavailable' } });
    expect(await upgradeStatus(node.url, cookie)).toBe(503);
    await expect(connect(node.url, '/visitor', { transport, cookie })).rejects.toThrow();

    // A namespace CONNECT on the open connection is not accepted here: the client makes it again after reconnecting.
    const other = manager.socket('/admin');
    const otherSeen: string[] = [];
    other.on('connect', () => otherSeen.push('connect'));
    other.on('connect_error', (err) => otherSeen.push(`connect_error:${err.message}`));
    // Events keep being served until the connection closes; this round trip comes after that CONNECT on the same connection.
    const history = await ok(visitor, 'history:get', {});
    expect(history.messages.map((m) => m.clientId)).toEqual(['first']);
    expect(node.child.exitCode, 'the node waits for the handler in flight').toBeNull();

    await lock.release();
    const ack = await inFlight;
    expect(ack).toMatchObject({ ok: true, message: { clientId: 'in-flight', seq: 2 } });
    await eventually(() => seen.length === 2, 5000, () => `the disconnect after the ack; seen ${JSON.stringify(seen)}`);
    // "transport close", not "io server disconnect": socket.io-client reconnects by itself.
    expect(seen).toEqual(['ack:true', 'disconnect:transport close']);
    expect(visitor.active, 'the client will reconnect by itself').toBe(true);
    expect(other.active).toBe(true);
    expect(otherSeen).toEqual([]);
    expect(await node.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
  });

  it('[DRAIN2] a handler that does not finish holds the exit only until SHUTDOWN_TIMEOUT_MS; nothing unacknowledged is stored', { timeout: 60_000 }, async () => {
    const databaseUrl = await freshPostgresUrl();
    const node = await spawnNode({ DATABASE_URL: databaseUrl, SHUTDOWN_TIMEOUT_MS: '2000' });
    const cookie = await visitorCookie(node.url);
    const manager = reconnecting(node.url, transport, cookie);
    const visitor = manager.socket('/visitor') as Socket as VisitorClient;
    await connected(visitor);
    const { message } = await ok(visitor, 'message:send', { clientId: 'first', body: 'hello' });
    const lock = await holdConversation(databaseUrl, message.conversationId);
    const reasons: string[] = [];
    visitor.on('disconnect', (reason) => reasons.push(reason));
    const stuck = visitor.timeout(20_000).emitWithAck('message:send', { clientId: 'stuck', body: 'never committed' });
    stuck.catch(() => {});
    await eventually(async () => (await lock.waiting()) > 0, 5000, 'the append waiting on the row lock');

    const signalled = Date.now();
    node.signal('SIGTERM');
    await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 503, 1000, '/readyz 503 after SIGTERM');
    const code = await node.exited;
    const took = Date.now() - signalled;
    expect(took, 'waited for the handler in flight').toBeGreaterThan(1000);
    expect(took, 'gave up at SHUTDOWN_TIMEOUT_MS').toBeLessThan(2000 + 500);
    expect(code, 'a forced stop is not a clean one').toBe(1);
    await eventually(() => reasons.length > 0, 5000, 'the client noticed');
    expect(reasons).toEqual(['transport close']);
    expect(visitor.active).toBe(true);
    // The append never committed and was never acked: the client's retry with the same clientId stores it once.
    const { rows } = await lock.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE client_id = 'stuck'`);
    expect(rows[0].n).toBe(0);
  });
});

describe('[DRAIN] idle connections', () => {
  it('[DRAIN3] every client — WebSocket, long-polling, the product apps\' options — is told to reconnect at once; exit 0', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-drain-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const node = await spawnNode({ DATABASE_URL: `sqlite:${join(dir, 'parley.db')}` });
    const kinds = ['websocket', 'polling', 'product'] as const;
    const clients: Array<{ kind: string; socket: Socket; reasons: string[] }> = [];
    for (let i = 0; i < 15; i++) {
      const kind = kinds[i % kinds.length];
      const socket = reconnecting(node.url, kind, await visitorCookie(node.url)).socket('/visitor');
      await connected(socket);
      const reasons: string[] = [];
      socket.on('disconnect', (reason) => reasons.push(reason));
      clients.push({ kind, socket, reasons });
    }
    const signalled = Date.now();
    node.signal('SIGTERM');
    expect(await node.exited).toBe(0);
    const drained = Date.now() - signalled;
    await eventually(() => clients.every((c) => c.reasons.length > 0), 5000, 'every client noticed');
    expect(clients.map((c) => `${c.kind}:${c.reasons.join(',')}:${c.socket.active}`)).toEqual(clients.map((c) => `${c.kind}:transport close:true`));
    // Nothing to wait for: the drain is quick.
    expect(drained).toBeLessThan(3000);
    console.log(`[DRAIN3] 15 idle clients: SIGTERM to exit in ${drained} ms`);
  });

  it('[DRAIN4] a long-polling client gone between polls (a closed laptop, a killed tab) does not hold the exit: a clean exit 0, not a forced stop at SHUTDOWN_TIMEOUT_MS', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-drain-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // Long enough that a stop forced by it would exit 1 and be told from a clean one.
    const node = await spawnNode({ DATABASE_URL: `sqlite:${join(dir, 'parley.db')}`, SHUTDOWN_TIMEOUT_MS: '30000' });
    const cookie = await visitorCookie(node.url);
    // Engine.IO by hand: the handshake, the namespace CONNECT and its answer; then no poll ever again.
    const poll = `${node.url}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(poll, { headers: { cookie } })).text();
    const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
    expect((await fetch(`${poll}&sid=${sid}`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain;charset=UTF-8' }, body: '40/visitor,' })).status).toBe(200);
    expect(await (await fetch(`${poll}&sid=${sid}`, { headers: { cookie } })).text()).toMatch(/^40\/visitor,/);
    node.signal('SIGTERM');
    expect(await node.exited, 'a clean exit, not a forced one').toBe(0);
    expect(node.output()).toMatch(/"event":"server.drained","closed":1,"forced":0/);
  });
});
