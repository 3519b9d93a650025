// [CLI] `npm run parley -- <command>` (docs/deployment.md "Accounts from the command line"): the
// real command in a child process, against a temp SQLite file and against PostgreSQL, alone and
// beside a running server, whose sockets feel the change within 5 s.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { SessionEndedEvent } from '../../server/protocol/events.ts';
import { createLogger } from '../../server/logger.ts';
import { openPostgresStore } from '../../server/store/postgres/postgres-store.ts';
import { type AgentClient, arrived, eventually, ok, record } from '../helpers/clients.ts';
import { type TestApp, TEST_SECRET, startApp } from '../helpers/start-app.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** Each run starts npm and Node (seconds on a busy machine), and a test makes several. */
const CLI_TEST_MS = 180_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run -s parley -- …args` with the server's environment for this database. */
function parley(databaseUrl: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '-s', 'parley', '--', ...args],
      { cwd: ROOT, env: { ...process.env, NODE_ENV: 'test', SESSION_SECRET: TEST_SECRET, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The printed password: `password: <it>` on a line of its own. */
function passwordIn(run: Run): string {
  const line = run.stdout.split('\n').find((l) => l.startsWith('password: '));
  if (!line) throw new Error(`no password line in: ${run.stdout} ${run.stderr}`);
  const password = line.slice('password: '.length);
  expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
  return password;
}

/** Watches a socket from now on; `within(ms)` then waits for the server to end it and says why. */
function watchEnd(socket: AgentClient) {
  let reason = '';
  socket.on('session:ended', (e: SessionEndedEvent) => (reason = e.reason));
  const closed = new Promise<string>((resolve) => socket.on('disconnect', (d) => resolve(d)));
  return {
    async within(ms: number): Promise<{ reason: string; disconnect: string }> {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`socket still open ${ms} ms after the command`)), ms)));
      try {
        return { disconnect: await Promise.race([closed, late]), reason };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

type Engine = 'sqlite' | 'postgres';

async function database(engine: Engine): Promise<{ url: string; dbPath?: string }> {
  if (engine === 'postgres') return { url: await freshPostgresUrl() };
  const dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return { url: `sqlite:${join(dir, 'parley.db')}`, dbPath: join(dir, 'parley.db') };
}

async function serverOn(engine: Engine, db: { url: string; dbPath?: string }): Promise<TestApp> {
  if (engine === 'sqlite') return startApp({ dbPath: db.dbPath });
  const store = await openPostgresStore(db.url, { logger: createLogger('silent') });
  await store.migrate();
  onTestFinished(() => store.close());
  return startApp({ store });
}

describe.each<Engine>(['sqlite', 'postgres'])('[CLI] npm run parley on %s', (engine) => {
  it('[CLI1] without a server: create-admin prints a password that signs in, list-agents lists, bad input is refused and changes nothing', async () => {
    const db = await database(engine);
    const created = await parley(db.url, 'create-admin', 'Root@Example.com');
    expect(created.code, created.stderr).toBe(0);
    const password = passwordIn(created);
    const again = await parley(db.url, 'create-admin', 'root@example.com');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already has an account');
    for (const args of [['create-admin', 'not-an-email'], ['disable', 'nobody@example.com'], ['reset-password']]) {
      const bad = await parley(db.url, ...args);
      expect(bad.code, args.join(' ')).not.toBe(0);
      expect(bad.stdout, args.join(' ')).not.toContain('password:');
    }
    const unknown = await parley(db.url, 'drop-tables');
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('usage: npm run parley');
    const last = await parley(db.url, 'disable', 'root@example.com');
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last active admin');
    const list = await parley(db.url, 'list-agents');
    expect(list.code).toBe(0);
    expect(list.stdout.trim().split('\n')).toEqual(['email\trole\tstate\tname', 'root@example.com\tadmin\tactive\troot']);

    // The server started on that database lets the printed password in.
    const t = await serverOn(engine, db);
    const login = await t.http('/api/login', { method: 'POST', json: { email: 'root@example.com', password } });
    expect(login.status).toBe(200);
  }, CLI_TEST_MS);

  it('[CLI2] beside a running server: reset-password and disable reach the live WebSocket and polling sockets within 5 s; disable requeues the conversation; enable lets the agent in', async () => {
    const db = await database(engine);
    const t = await serverOn(engine, db);
    const email = 'ann@example.com';
    const { agent: ann, cookie } = await t.login(email, { password: 'ann-first-password' });
    const sockets = [await t.connectAs('/agent', 'websocket', cookie), await t.connectAs('/agent', 'polling', cookie)];
    const watched = sockets.map(watchEnd);

    const reset = await parley(db.url, 'reset-password', email);
    expect(reset.code, reset.stderr).toBe(0);
    const password = passwordIn(reset);
    expect(await Promise.all(watched.map((w) => w.within(5000)))).toEqual([
      { reason: 'password_changed', disconnect: 'io server disconnect' },
      { reason: 'password_changed', disconnect: 'io server disconnect' },
    ]);
    expect((await t.http('/api/me', { cookie })).status).toBe(401);
    const login = (pw: string) => t.http('/api/login', { method: 'POST', json: { email, password: pw } });
    expect((await login('ann-first-password')).status).toBe(401);
    const signedIn = await login(password);
    expect(signedIn.status).toBe(200);
    const newCookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('parley.sid='))!.split(';')[0];

    // Ann claims a conversation; the CLI disables her.
    const live = [await t.connectAs('/agent', 'websocket', newCookie), await t.connectAs('/agent', 'polling', newCookie)];
    const { socket: visitor } = await t.visitor('websocket');
    const { message } = await ok(visitor, 'message:send', { clientId: 'v1', body: 'help please' });
    await ok(live[0], 'conversation:claim', { conversationId: message.conversationId });
    await arrived(visitor, 'presence', (p) => p.action === 'join' && p.participant.id === ann.id);
    // Recorded from before the CLI starts (the server may act before the CLI's process has exited);
    // the time limits count from the CLI's exit, whatever its start-up took on a busy machine.
    const presences = record(visitor, 'presence');
    const conversations = record(visitor, 'conversation');
    const watchedLive = live.map(watchEnd);
    const disable = await parley(db.url, 'disable', email);
    expect(disable.code, disable.stderr).toBe(0);
    expect((await Promise.all(watchedLive.map((w) => w.within(5000)))).map((e) => e.reason)).toEqual(['disabled', 'disabled']);
    const leave = await eventually(() => presences.find((p) => p.action === 'leave' && p.participant.id === ann.id), 10_000, "Ann's leave");
    expect(leave).toMatchObject({ conversationId: message.conversationId, action: 'leave' });
    const queued = await eventually(() => conversations.find((c) => c.status === 'queued'), 10_000, 'the conversation back in the queue');
    expect(queued).toMatchObject({ id: message.conversationId, agent: null });
    expect((await login(password)).status).toBe(401);
    const list = await parley(db.url, 'list-agents');
    expect(list.stdout).toContain(`${email}\tagent\tdisabled\tann`);

    const enable = await parley(db.url, 'enable', email);
    expect(enable.code, enable.stderr).toBe(0);
    expect((await login(password)).status).toBe(200);
  }, CLI_TEST_MS);
});
