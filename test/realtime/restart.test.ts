// [DURABLE] SPEC §2: everything durable lives in the database; a restart on
// the same database file loses nothing.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TRANSPORTS, arrived, ok } from '../helpers/clients.ts';
import { startApp } from '../helpers/start-app.ts';

describe.each(TRANSPORTS)('[DURABLE] over %s', (transport) => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('[DURABLE1] history, conversations, agent and visitor sessions survive a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-restart-'));
    const dbPath = join(dir, 'parley.db');
    const first = await startApp({ dbPath });
    const agent = await first.agent(transport, 'stay@example.com');
    const { socket: visitor, cookie: visitorCookie } = await first.visitor(transport);
    const { message } = await ok(visitor, 'message:send', { clientId: 'v1', body: 'before restart' });
    const conversationId = message.conversationId;
    await ok(agent.socket, 'conversation:claim', { conversationId });
    await ok(agent.socket, 'message:send', { conversationId, clientId: 'a1', body: 'reply before restart' });
    const { socket: waiting, cookie: waitingCookie } = await first.visitor(transport);
    const { message: queuedMsg } = await ok(waiting, 'message:send', { clientId: 'w1', body: 'waiting' });
    await first.close();

    const second = await startApp({ dbPath });
    // Same cookies, no new login: both sessions are still valid.
    const agentAgain = await second.connectAs('/agent', transport, agent.cookie);
    const visitorAgain = await second.connectAs('/visitor', transport, visitorCookie);
    const mine = await arrived(agentAgain, 'conversation', (c) => c.id === conversationId);
    expect(mine).toMatchObject({ status: 'active', agent: { id: agent.agent.id }, lastSeq: 2 });
    const queue = await arrived(agentAgain, 'queue');
    expect(queue.conversations.map((c) => c.id)).toEqual([queuedMsg.conversationId]);
    const history = await ok(visitorAgain, 'history:get', {});
    expect(history.messages.map((m) => [m.seq, m.body])).toEqual([
      [1, 'before restart'],
      [2, 'reply before restart'],
    ]);
    // Idempotency survives too: a retry after the restart does not duplicate.
    const retry = await ok(visitorAgain, 'message:send', { clientId: 'v1', body: 'before restart' });
    expect(retry.message.id).toBe(message.id);
    const next = await ok(visitorAgain, 'message:send', { clientId: 'v2', body: 'after restart' });
    expect(next.message.seq).toBe(3);
    const w = await second.connectAs('/visitor', transport, waitingCookie);
    expect((await arrived(w, 'conversation')).queuePosition).toBe(1);
    expect((await second.http('/api/me', { cookie: agent.cookie })).status).toBe(200);
  });
});
