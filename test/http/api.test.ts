// [HTTP] SPEC §3: identities, agents, conversations, health.

import { describe, expect, it } from 'vitest';
import type { Message } from '../../server/protocol/shapes.ts';
import { eventually, ok } from '../helpers/clients.ts';
import { cookieOf, startApp } from '../helpers/start-app.ts';

describe('[HTTP] API', () => {
  it('[HTTP1] visitor session is idempotent and /api/me tells who is calling', async () => {
    const t = await startApp();
    const first = await t.http('/api/visitor/session', { method: 'POST', json: { name: 'Ann', email: 'ann@example.com' } });
    expect(first.status).toBe(200);
    const cookie = cookieOf(first);
    expect(first.headers.getSetCookie()[0]).toMatch(/HttpOnly/i);
    const { visitor } = (await first.json()) as { visitor: { id: string; name: string; email: string } };
    expect(visitor).toMatchObject({ name: 'Ann', email: 'ann@example.com' });
    const again = await t.http('/api/visitor/session', { method: 'POST', cookie, json: {} });
    expect(((await again.json()) as { visitor: { id: string } }).visitor.id).toBe(visitor.id);
    expect(await (await t.http('/api/me', { cookie })).json()).toEqual({ visitor });
    const anon = await t.http('/api/me');
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const bad = await t.http('/api/visitor/session', { method: 'POST', json: { email: 'nope' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_payload' } });
    const malformed = await t.http('/api/visitor/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(malformed.status).toBe(400);
    const anonymous = await t.http('/api/visitor/session', { method: 'POST' });
    expect(((await anonymous.json()) as { visitor: { name: string } }).visitor.name).toMatch(/^Visitor /);
  });

  it('[HTTP2] login regenerates the session; wrong passwords get 401, then 429 for the account', async () => {
    const t = await startApp();
    await t.app.accounts.createAgent({ email: 'ops@example.com', name: 'Ops', password: 'correct horse', role: 'agent' });
    const { cookie: before } = await t.visitorSession();
    const res = await t.http('/api/login', { method: 'POST', cookie: before, json: { email: 'OPS@example.com', password: 'correct horse' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ agent: { email: 'ops@example.com', name: 'Ops', role: 'agent' } });
    const after = cookieOf(res);
    expect(after).not.toBe(before);
    expect(((await (await t.http('/api/me', { cookie: after })).json()) as { agent: { email: string } }).agent.email).toBe('ops@example.com');
    // The old cookie is no longer a session of anyone.
    expect((await t.http('/api/me', { cookie: before })).status).toBe(401);

    for (let i = 0; i < 5; i++) {
      const wrong = await t.http('/api/login', { method: 'POST', json: { email: 'ops@example.com', password: `wrong ${i}` } });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
    }
    const limited = await t.http('/api/login', { method: 'POST', json: { email: 'ops@example.com', password: 'correct horse' } });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    const unknown = await t.http('/api/login', { method: 'POST', json: { email: 'ghost@example.com', password: 'whatever1' } });
    expect(unknown.status).toBe(401);
    expect((await t.http('/api/login', { method: 'POST', json: { email: 'ops@example.com' } })).status).toBe(400);
  });

  it('[HTTP2b] too many failures from one address are limited across accounts', async () => {
    const t = await startApp({ loginLimits: { perAccount: 100, perAddress: 3, perDevice: 10, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      expect((await t.http('/api/login', { method: 'POST', json: { email: `guess${i}@example.com`, password: 'nope nope' } })).status).toBe(401);
    }
    const limited = await t.http('/api/login', { method: 'POST', json: { email: 'other@example.com', password: 'nope nope' } });
    expect(limited.status).toBe(429);
  });

  it('[HTTP3] successful logins are never limited', async () => {
    const t = await startApp();
    for (let i = 0; i < 12; i++) await t.login('busy@example.com');
  });

  it('[HTTP4] admins create and list agents; agents may not; taken emails conflict', async () => {
    const t = await startApp();
    const { cookie: admin } = await t.login('root@example.com', { role: 'admin' });
    const { cookie: agent } = await t.login('worker@example.com');
    const body = { email: 'new@example.com', name: 'New', password: 'long enough', role: 'agent' };
    const created = await t.http('/api/agents', { method: 'POST', cookie: admin, json: body });
    expect(created.status).toBe(201);
    const { agent: made } = (await created.json()) as { agent: Record<string, unknown> };
    expect(made).toMatchObject({ email: 'new@example.com', name: 'New', role: 'agent' });
    expect(made).not.toHaveProperty('passwordHash');
    expect((await t.http('/api/agents', { method: 'POST', cookie: admin, json: { ...body, email: 'NEW@example.com' } })).status).toBe(409);
    expect((await t.http('/api/agents', { method: 'POST', cookie: admin, json: { ...body, email: 'x@example.com', role: 'god' } })).status).toBe(400);
    expect((await t.http('/api/agents', { method: 'POST', cookie: admin, json: { ...body, email: 'y@example.com', password: 'short' } })).status).toBe(400);
    expect((await t.http('/api/agents', { method: 'POST', cookie: agent, json: body })).status).toBe(403);
    expect((await t.http('/api/agents', { method: 'POST', json: body })).status).toBe(401);
    const list = (await (await t.http('/api/agents', { cookie: admin })).json()) as { agents: Array<{ email: string }> };
    expect(list.agents.map((a) => a.email).sort()).toEqual(['new@example.com', 'root@example.com', 'worker@example.com']);
    expect((await t.http('/api/agents', { cookie: agent })).status).toBe(403);
    // The new agent can log in.
    expect((await t.http('/api/login', { method: 'POST', json: { email: 'new@example.com', password: 'long enough' } })).status).toBe(200);
    // Cross-site form posts with an admin cookie are refused.
    const csrf = await t.http('/api/agents', { method: 'POST', cookie: admin, headers: { origin: 'https://evil.example.net' }, json: { ...body, email: 'z@example.com' } });
    expect(csrf.status).toBe(403);
  });

  it('[HTTP4b] every agent may read the team with statuses (no emails); visitors may not', async () => {
    const t = await startApp();
    const admin = await t.admin('websocket', 'root@example.com');
    const away = await t.agent('websocket', 'away@example.com', { name: 'Amir' });
    await ok(away.socket, 'status:set', { status: 'away' });
    const here = await t.agent('websocket', 'here@example.com', { name: 'Hana' });
    await t.login('gone@example.com', { name: 'Gus' });
    const res = await t.http('/api/team', { cookie: here.cookie });
    expect(res.status).toBe(200);
    const { agents } = (await res.json()) as { agents: Array<Record<string, unknown>> };
    expect(agents).toEqual([
      { id: away.agent.id, name: 'Amir', role: 'agent', status: 'away' },
      { id: expect.any(String), name: 'Gus', role: 'agent', status: 'offline' },
      { id: here.agent.id, name: 'Hana', role: 'agent', status: 'online' },
      // The admin is signed in to the dashboard only: not at the desk.
      { id: admin.agent.id, name: admin.agent.name, role: 'admin', status: 'offline' },
    ].sort((a, b) => a.name.localeCompare(b.name)));
    const visitor = await t.visitorSession();
    expect((await t.http('/api/team', { cookie: visitor.cookie })).status).toBe(401);
    expect((await t.http('/api/team')).status).toBe(401);
  });

  it('[HTTP5] conversation summaries and transcripts for agents', async () => {
    const t = await startApp();
    const a = await t.agent('websocket');
    const { socket: v1 } = await t.visitor('websocket');
    const { socket: v2 } = await t.visitor('websocket');
    const { message: m1 } = await ok(v1, 'message:send', { clientId: '1', body: 'one' });
    const { message: m2 } = await ok(v2, 'message:send', { clientId: '1', body: 'two' });
    await ok(a.socket, 'conversation:claim', { conversationId: m1.conversationId });
    for (let i = 2; i <= 5; i++) await ok(v1, 'message:send', { clientId: String(i), body: `m${i}` });

    const queued = (await (await t.http('/api/conversations?status=queued', { cookie: a.cookie })).json()) as { conversations: Array<{ id: string; queuePosition: number }> };
    expect(queued.conversations.map((c) => [c.id, c.queuePosition])).toEqual([[m2.conversationId, 1]]);
    const active = (await (await t.http('/api/conversations?status=active', { cookie: a.cookie })).json()) as { conversations: Array<{ id: string; lastSeq: number }> };
    expect(active.conversations).toMatchObject([{ id: m1.conversationId, lastSeq: 5 }]);
    const page = (await (await t.http(`/api/conversations/${m1.conversationId}/messages?afterSeq=2&limit=2`, { cookie: a.cookie })).json()) as { messages: Message[] };
    expect(page.messages.map((m) => m.seq)).toEqual([3, 4]);
    expect((await t.http('/api/conversations/nope/messages', { cookie: a.cookie })).status).toBe(404);
    expect((await t.http('/api/conversations?status=bogus', { cookie: a.cookie })).status).toBe(400);
    expect((await t.http(`/api/conversations/${m1.conversationId}/messages?limit=999`, { cookie: a.cookie })).status).toBe(400);
    const { cookie: visitorCookie } = await t.visitorSession();
    expect((await t.http('/api/conversations?status=queued', { cookie: visitorCookie })).status).toBe(401);
  });

  it('[HTTP6] logout destroys the session and disconnects that session’s sockets (and only those)', async () => {
    const t = await startApp();
    const first = await t.agent('websocket', 'leaver@example.com');
    const secondTab = await t.connectAs('/agent', 'polling', first.cookie);
    const otherSession = await t.connectAs('/agent', 'websocket', (await t.login('leaver@example.com')).cookie);
    const res = await t.http('/api/logout', { method: 'POST', cookie: first.cookie });
    expect(res.status).toBe(204);
    await eventually(() => !first.socket.connected && !secondTab.connected, 5000, () => `both sockets closed; still connected: first ${first.socket.connected}, second tab ${secondTab.connected}`);
    expect(otherSession.connected).toBe(true);
    expect((await t.http('/api/me', { cookie: first.cookie })).status).toBe(401);
    expect((await t.http('/api/logout', { method: 'POST', cookie: first.cookie })).status).toBe(401);
  });

  it('[HTTP6b] sockets of a session that expired or was deleted are closed', async () => {
    const t = await startApp({ sessionWatchMs: 100 });
    const agent = await t.agent('websocket', 'expiring@example.com');
    const visitor = await t.visitor('polling');
    const sid = decodeURIComponent(agent.cookie.split('=')[1]).slice(2).split('.')[0];
    await t.store.sessionDestroy(sid);
    await eventually(() => !agent.socket.connected, 5000, 'agent socket closed');
    expect(visitor.socket.connected).toBe(true);
    // A visitor's session ending closes its sockets too (visitors have no session room: by socket).
    const other = await t.visitor('websocket');
    const visitorSid = decodeURIComponent(visitor.cookie.split('=')[1]).slice(2).split('.')[0];
    await t.store.sessionDestroy(visitorSid);
    await eventually(() => !visitor.socket.connected, 5000, 'visitor socket closed');
    expect(other.socket.connected).toBe(true);
  });

  it('[HTTP6c] an agent who logs in where a widget runs (one session, visitor and agent) logs out of both', async () => {
    const t = await startApp();
    await t.login('both@example.com'); // creates the agent; its password is the helper's
    const widget = await t.visitor('websocket');
    const bystander = await t.visitor('polling');
    const res = await t.http('/api/login', { method: 'POST', json: { email: 'both@example.com', password: 'pw-both@example.com-secret' }, cookie: widget.cookie });
    expect(res.status).toBe(200);
    const cookie = cookieOf(res);
    const widgetAfterLogin = await t.connectAs('/visitor', 'websocket', cookie);
    const console_ = await t.connectAs('/agent', 'polling', cookie);
    expect((await t.http('/api/logout', { method: 'POST', cookie })).status).toBe(204);
    await eventually(() => !widgetAfterLogin.connected && !console_.connected, 5000, () => `both closed; still connected: widget ${widgetAfterLogin.connected}, console ${console_.connected}`);
    expect(bystander.socket.connected).toBe(true);
  });

  it('[HTTP7] health, readiness and metrics', async () => {
    const t = await startApp();
    expect((await t.http('/healthz')).status).toBe(200);
    const ready = await t.http('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok' } });
    const metrics = await t.http('/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/parley_connected_sockets/);
    // Through a proxy, loopback is not enough.
    expect((await t.http('/metrics', { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(403);
    await t.store.close();
    expect((await t.http('/readyz')).status).toBe(503);
  });

  it('[HTTP8] unknown API paths are JSON 404s', async () => {
    const t = await startApp();
    const res = await t.http('/api/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
