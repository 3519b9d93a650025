// [NODEFAIL] Issue: a node dies (kill -9) or pauses (SIGSTOP 40 s): people
// whose only sockets were there leave within 30 s, nobody else flickers,
// nothing acked is lost, and a resumed node converges without ghosts.

import { describe, expect, it } from 'vitest';
import type { Message } from '../../server/protocol/shapes.ts';
import { connect, eventually, ok, record, sleep } from '../helpers/clients.ts';
import { type NodeProcess, spawnNode } from '../helpers/node-process.ts';
import { startRedis } from '../helpers/services.ts';
import { cookieOf } from '../helpers/start-app.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';

const ADMIN = { email: 'admin@example.com', password: 'admin password' };

async function post(url: string, path: string, body: unknown, cookie?: string): Promise<Response> {
  return fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
}

async function twoNodes() {
  const redis = await startRedis();
  const env = {
    REDIS_URL: redis.url,
    DATABASE_URL: await freshPostgresUrl(),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    PRESENCE_GRACE_MS: '1000',
  };
  const a = await spawnNode(env);
  const b = await spawnNode(env);
  const adminCookie = cookieOf(await post(b.url, '/api/login', ADMIN));
  expect((await post(b.url, '/api/agents', { email: 'agent@example.com', name: 'Agent', password: 'agent password', role: 'agent' }, adminCookie)).status).toBe(201);
  const agentCookie = cookieOf(await post(b.url, '/api/login', { email: 'agent@example.com', password: 'agent password' }));
  const agent = await connect(b.url, '/agent', { transport: 'websocket', cookie: agentCookie });
  const admin = await connect(b.url, '/admin', { transport: 'websocket', cookie: adminCookie });
  const visitor = async (nodes: NodeProcess[]) => {
    const res = await post(nodes[0].url, '/api/visitor/session', {});
    const cookie = cookieOf(res);
    const { visitor: me } = (await res.json()) as { visitor: { id: string } };
    const sockets = await Promise.all(nodes.map((n) => connect(n.url, '/visitor', { transport: 'websocket', cookie })));
    const { message } = await ok(sockets[0], 'message:send', { clientId: 'hello', body: 'hello' });
    await ok(agent, 'conversation:claim', { conversationId: message.conversationId });
    return { id: me.id, sockets, conversationId: message.conversationId };
  };
  const cleanup = () => {
    for (const s of [agent, admin]) s.close();
    return redis.stop();
  };
  return { a, b, agent, admin, visitor, cleanup };
}

describe('[NODEFAIL] a node dies or pauses', () => {
  it('[NODEFAIL1] kill -9: leave and offline within 30 s for those only on it; no flicker for others; nothing acked lost', { timeout: 90_000 }, async () => {
    const t = await twoNodes();
    try {
      const onlyOnA = await t.visitor([t.a]);
      const onBoth = await t.visitor([t.a, t.b]);
      const onlyOnB = await t.visitor([t.b]);
      const acked: Message[] = [];
      for (let i = 0; i < 5; i++) acked.push((await ok(onlyOnA.sockets[0], 'message:send', { clientId: `a${i}`, body: `before ${i}` })).message);
      await sleep(1500);
      const presence = record(t.agent, 'presence');
      const online = record(t.admin, 'online');

      const killedAt = Date.now();
      t.a.signal('SIGKILL');
      await t.a.exited;
      await eventually(() => presence.some((p) => p.participant.id === onlyOnA.id && p.action === 'leave'), 30_000, 'leave of the visitor only on the dead node');
      expect(Date.now() - killedAt).toBeLessThan(30_000);
      await eventually(() => online.some((e) => e.id === onlyOnA.id && e.action === 'offline'), 5_000, 'offline for admins');
      await sleep(2000);
      // Exactly one leave, for that visitor only; the one with a tab on B and the one only on B never flickered.
      expect(presence.map((p) => `${p.action}:${p.participant.id}`)).toEqual([`leave:${onlyOnA.id}`]);
      expect(online.map((e) => `${e.action}:${e.id}`)).toEqual([`offline:${onlyOnA.id}`]);
      const snapshot = await ok(t.admin, 'online:get');
      expect(snapshot.visitors.map((v) => v.id).sort()).toEqual([onBoth.id, onlyOnB.id].sort());
      expect(snapshot.visitors.find((v) => v.id === onBoth.id)?.connections).toBe(1);
      // Everything node A acked is in the shared database.
      const history = await ok(t.agent, 'history:get', { conversationId: onlyOnA.conversationId });
      expect(history.messages.map((m) => m.id)).toEqual(expect.arrayContaining(acked.map((m) => m.id)));
      // The surviving node keeps serving.
      await ok(onlyOnB.sockets[0], 'message:send', { clientId: 'after', body: 'still here' });
    } finally {
      await t.cleanup();
    }
  });

  it('[NODEFAIL2] SIGSTOP 40 s then SIGCONT: converges with no ghost and no double join', { timeout: 120_000 }, async () => {
    const t = await twoNodes();
    try {
      const onlyOnA = await t.visitor([t.a]);
      const onlyOnB = await t.visitor([t.b]);
      await sleep(1500);
      const presence = record(t.agent, 'presence');
      t.a.signal('SIGSTOP');
      await sleep(40_000);
      t.a.signal('SIGCONT');
      await sleep(8_000);

      // Node A is serving again.
      expect((await fetch(`${t.a.url}/healthz`)).status).toBe(200);
      const stillConnected = onlyOnA.sockets[0].connected;
      const events = presence.filter((p) => p.participant.id === onlyOnA.id).map((p) => p.action);
      // Alternating, starting with the leave the pause caused; never two joins (or leaves) in a row.
      for (let i = 1; i < events.length; i++) expect(events[i]).not.toBe(events[i - 1]);
      if (events.length) expect(events[0]).toBe('leave');
      // No ghost: the dashboard shows that visitor exactly when their socket really is connected.
      const snapshot = await ok(t.admin, 'online:get');
      const listed = snapshot.visitors.filter((v) => v.id === onlyOnA.id);
      expect(listed.length).toBe(stillConnected ? 1 : 0);
      expect(events.at(-1) ?? 'join').toBe(stillConnected ? 'join' : 'leave');
      // Nobody else flickered.
      expect(presence.filter((p) => p.participant.id !== onlyOnA.id)).toEqual([]);
      expect(snapshot.visitors.filter((v) => v.id === onlyOnB.id)).toHaveLength(1);
      if (stillConnected) await ok(onlyOnA.sockets[0], 'message:send', { clientId: 'resumed', body: 'back' });
    } finally {
      await t.cleanup();
    }
  });
});
