// [HOOK10] A node killed (SIGKILL) in the middle of a delivery loses nothing: the delivery stays in
// the database's outbox under the dead node's lease, and the next node sends it once the lease ran
// out, with the same event id. Real processes (`node server/main.ts`) on one SQLite file.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { openSqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { connect, ok } from '../helpers/clients.ts';
import { spawnNode } from '../helpers/node-process.ts';
import { cookieOf } from '../helpers/start-app.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

it('[HOOK10] a node SIGKILLed while its receiver holds the request loses no event: the next node delivers each once the lease ran out, with the same ids', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-hook-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'parley.db');
  const receiver = await startReceiver();
  let killed = false;
  // Node A's requests are held until it dies; after that every request is answered 200.
  receiver.answer = () => (killed ? { status: 200 } : 'hold');

  const setup = await openSqliteStore(dbPath);
  await setup.migrate();
  const hook = await setup.createWebhook({ url: `${receiver.url}/hook`, events: ['conversation.created', 'message.created'], secret: 'whsec_test', createdAt: Date.now() });
  await setup.close();

  const env = { DATABASE_URL: `sqlite:${dbPath}`, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_RETRY_BASE_MS: '100' };
  const a = await spawnNode(env);
  const session = await fetch(`${a.url}/api/visitor/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(session.status).toBe(200);
  const visitor = await connect(a.url, '/visitor', { transport: 'websocket', cookie: cookieOf(session) });
  await ok(visitor, 'message:send', { clientId: 'v1', body: 'hello' });
  const first = await receiver.count(1);
  visitor.close();
  a.signal('SIGKILL');
  await a.exited;
  killed = true;

  const b = await spawnNode(env);
  const answered = async (id: string) => receiver.next((h) => h.body.id === id && h.answered === 200);
  const held = await answered(first[0].body.id);
  expect(held.raw.equals(first[0].raw)).toBe(true);
  // Both events (the one held when A died, and the other, sent or not) reach the receiver.
  const created = await receiver.next((h) => h.body.type === 'conversation.created' && h.answered === 200);
  const message = await receiver.next((h) => h.body.type === 'message.created' && h.answered === 200);
  expect((message.body.data as { message: { body: string } }).message.body).toBe('hello');
  b.signal('SIGTERM');
  await b.exited;

  const store = await openSqliteStore(dbPath);
  onTestFinished(() => store.close());
  await store.migrate();
  expect(await store.countPendingWebhookDeliveries()).toBe(0);
  const log = await store.listWebhookDeliveries(hook.id, 10);
  expect(log.map((d) => d.eventId).sort()).toEqual([created.body.id, message.body.id].sort());
  for (const d of log) expect(d).toMatchObject({ lastStatus: 200, failedAt: null });
  expect(log.find((d) => d.eventId === first[0].body.id)!.attempts).toBeGreaterThanOrEqual(2);
  // Exactly one 200 per event.
  expect(receiver.received.filter((h) => h.answered === 200).map((h) => h.body.id).sort()).toEqual([created.body.id, message.body.id].sort());
});
