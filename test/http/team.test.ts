// [TEAM] Own account and team administration (issue 16, docs/protocol.md "Team administration"):
// password changes and resets end the other sessions and their sockets, disabling signs an agent
// out everywhere and puts their conversations back in the queue, the last active admin stays,
// and every admin endpoint refuses non-admins and foreign origins. On SQLite and PostgreSQL.

import { describe, expect, it, onTestFinished } from 'vitest';
import type { Agent, Conversation } from '../../server/protocol/shapes.ts';
import type { SessionEndedEvent } from '../../server/protocol/events.ts';
import { createLogger } from '../../server/logger.ts';
import { openPostgresStore } from '../../server/store/postgres/postgres-store.ts';
import { type AgentClient, type AdminClient, TRANSPORTS, arrived, eventually, next, ok, request, within } from '../helpers/clients.ts';
import { type StartOptions, type TestApp, startApp } from '../helpers/start-app.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';

type Engine = 'sqlite' | 'postgres';
const ENGINES: Engine[] = ['sqlite', 'postgres'];
const EVIL = 'https://evil.example.net';

async function startOn(engine: Engine, opts: StartOptions = {}): Promise<TestApp> {
  if (engine === 'sqlite') return startApp(opts);
  const store = await openPostgresStore(await freshPostgresUrl(), { logger: createLogger('silent') });
  await store.migrate();
  onTestFinished(() => store.close());
  return startApp({ ...opts, store });
}

/**
 * Why the server ended this socket, once it is closed: listens from now on, and `within()` (called
 * once the change is acknowledged, so that the time counted is the server's, not the password
 * hashing's) fails a socket not closed within the promised 5 s.
 */
function ended(client: AgentClient | AdminClient): { within(ms?: number): Promise<{ reason: string; disconnect: string }> } {
  // `session:ended` is the same event in /agent and /admin: one typed view over both.
  const socket = client as AgentClient;
  let why = '';
  socket.on('session:ended', (e: SessionEndedEvent) => (why = e.reason));
  const closed = new Promise<{ reason: string; disconnect: string }>((resolve) => socket.on('disconnect', (disconnect) => resolve({ reason: why, disconnect })));
  return {
    within: (ms = 5000) => within(closed, ms, 'socket not closed'),
  };
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe.each(ENGINES)('[TEAM] team administration on %s', (engine) => {
  it('[TEAM1] a password change needs the current one, ends every other session and its WebSocket and polling sockets; the old password fails, the new works', async () => {
    const t = await startOn(engine);
    const email = 'pat@example.com';
    const here = await t.login(email, { password: 'old-password-1' });
    const there = await t.login(email);
    const keptWs = await t.connectAs('/agent', 'websocket', here.cookie);
    const keptPoll = await t.connectAs('/agent', 'polling', here.cookie);
    const goneWs = await t.connectAs('/agent', 'websocket', there.cookie);
    const gonePoll = await t.connectAs('/agent', 'polling', there.cookie);
    const endings = [ended(goneWs), ended(gonePoll)];

    const wrong = await t.http('/api/me/password', { method: 'POST', cookie: here.cookie, json: { currentPassword: 'nope-nope', newPassword: 'new-password-2' } });
    expect(wrong.status).toBe(401);
    expect(await json(wrong)).toMatchObject({ error: { code: 'invalid_credentials' } });
    const short = await t.http('/api/me/password', { method: 'POST', cookie: here.cookie, json: { currentPassword: 'old-password-1', newPassword: 'short' } });
    expect(short.status).toBe(400);
    expect(goneWs.connected && gonePoll.connected).toBe(true);

    const res = await t.http('/api/me/password', { method: 'POST', cookie: here.cookie, json: { currentPassword: 'old-password-1', newPassword: 'new-password-2' } });
    expect(res.status).toBe(200);
    expect((await json<{ agent: Agent }>(res)).agent).toMatchObject({ email, disabled: false });
    expect(await Promise.all(endings.map((e) => e.within()))).toEqual([
      { reason: 'password_changed', disconnect: 'io server disconnect' },
      { reason: 'password_changed', disconnect: 'io server disconnect' },
    ]);
    // The session that changed it goes on, over HTTP and on its sockets.
    expect((await t.http('/api/me', { cookie: here.cookie })).status).toBe(200);
    await ok(keptWs, 'status:set', { status: 'online' });
    await ok(keptPoll, 'status:set', { status: 'online' });
    expect(keptWs.connected && keptPoll.connected).toBe(true);
    // The other session is signed out, and cannot connect again.
    expect((await t.http('/api/me', { cookie: there.cookie })).status).toBe(401);
    await expect(t.connectAs('/agent', 'websocket', there.cookie)).rejects.toThrow('unauthorized');

    const login = (password: string) => t.http('/api/login', { method: 'POST', json: { email, password } });
    expect((await login('old-password-1')).status).toBe(401);
    expect((await login('new-password-2')).status).toBe(200);
  });

  it('[TEAM2] disabling ends every session and socket, puts the conversations back in the queue with a presence leave, and refuses logins like a wrong password; enabling lets them in again', async () => {
    const t = await startOn(engine);
    const { cookie: admin } = await t.login('boss@example.com', { role: 'admin', password: 'boss-password' });
    const { agent: ann, cookie } = await t.login('ann@example.com', { password: 'ann-password' });
    const ws = await t.connectAs('/agent', 'websocket', cookie);
    const poll = await t.connectAs('/agent', 'polling', cookie);
    const other = await t.agent('websocket', 'other@example.com');
    const { socket: visitor, visitor: me } = await t.visitor('websocket');
    const { message } = await ok(visitor, 'message:send', { clientId: 'v1', body: 'hello' });
    const conversationId = message.conversationId;
    await ok(ws, 'conversation:claim', { conversationId });
    await arrived(visitor, 'presence', (p) => p.action === 'join' && p.participant.id === ann.id);
    await ok(ws, 'message:send', { conversationId, clientId: 'a1', body: 'hi, Ann here' });

    const leave = next(visitor, 'presence', (p) => p.action === 'leave' && p.participant.id === ann.id);
    const requeued = next(visitor, 'conversation', (c) => c.status === 'queued');
    const backInQueue = next(other.socket, 'queue:add', (c) => c.id === conversationId);
    const endings = [ended(ws), ended(poll)];
    const res = await t.http(`/api/agents/${ann.id}`, { method: 'PATCH', cookie: admin, json: { disabled: true } });
    expect(res.status).toBe(200);
    expect((await json<{ agent: Agent }>(res)).agent).toMatchObject({ id: ann.id, disabled: true });
    expect(await Promise.all(endings.map((e) => e.within()))).toEqual([
      { reason: 'disabled', disconnect: 'io server disconnect' },
      { reason: 'disabled', disconnect: 'io server disconnect' },
    ]);
    expect(await leave).toEqual({ conversationId, action: 'leave', participant: { kind: 'agent', id: ann.id, name: ann.name } });
    expect(await requeued).toMatchObject({ id: conversationId, status: 'queued', agent: null });
    expect(await backInQueue).toMatchObject({ id: conversationId, status: 'queued' });
    // Nothing lost: the visitor's history still holds both messages.
    const history = await ok(visitor, 'history:get', {});
    expect(history.messages.map((m) => m.body)).toEqual(['hello', 'hi, Ann here']);
    expect(me.id).toBe(history.conversation?.visitor.id);

    // Nobody can hand her a conversation.
    await ok(other.socket, 'conversation:claim', { conversationId });
    const handOver = await request(other.socket, 'conversation:transfer', { conversationId, agentId: ann.id });
    expect(handOver).toMatchObject({ ok: false, error: { code: 'not_found' } });

    expect((await t.http('/api/me', { cookie })).status).toBe(401);
    await expect(t.connectAs('/agent', 'polling', cookie)).rejects.toThrow('unauthorized');
    const right = await t.http('/api/login', { method: 'POST', json: { email: 'ann@example.com', password: 'ann-password' } });
    const wrong = await t.http('/api/login', { method: 'POST', json: { email: 'ann@example.com', password: 'not-her-password' } });
    expect([right.status, wrong.status]).toEqual([401, 401]);
    expect(await right.json()).toEqual(await wrong.json());
    const listed = await json<{ agents: Agent[] }>(await t.http('/api/agents', { cookie: admin }));
    expect(listed.agents.find((a) => a.id === ann.id)).toMatchObject({ disabled: true });

    const enable = await t.http(`/api/agents/${ann.id}`, { method: 'PATCH', cookie: admin, json: { disabled: false } });
    expect(enable.status).toBe(200);
    // Two failures above from an unknown browser: still under the account's limit of 5.
    const again = await t.http('/api/login', { method: 'POST', json: { email: 'ann@example.com', password: 'ann-password' } });
    expect(again.status).toBe(200);
    expect((await json<{ agent: Agent }>(again)).agent).toMatchObject({ id: ann.id, disabled: false });
  });

  it('[TEAM3] the last active admin can be neither disabled, demoted nor deleted; nobody disables, resets or deletes themselves here', async () => {
    const t = await startOn(engine);
    const { agent: root, cookie: rootCookie } = await t.login('root@example.com', { role: 'admin' });
    const patch = (cookie: string, id: string, body: unknown) => t.http(`/api/agents/${id}`, { method: 'PATCH', cookie, json: body });

    const demote = await patch(rootCookie, root.id, { role: 'agent' });
    expect(demote.status).toBe(409);
    expect(await json(demote)).toMatchObject({ error: { code: 'conflict' } });
    expect((await patch(rootCookie, root.id, { disabled: true })).status).toBe(403);
    expect((await t.http(`/api/agents/${root.id}`, { method: 'DELETE', cookie: rootCookie })).status).toBe(403);
    expect((await t.http(`/api/agents/${root.id}/password`, { method: 'POST', cookie: rootCookie })).status).toBe(403);

    const { agent: ops, cookie: opsCookie } = await t.login('ops@example.com', { role: 'admin' });
    // A disabled admin does not count: with ops disabled, root is the last active one again.
    expect((await patch(rootCookie, ops.id, { disabled: true })).status).toBe(200);
    expect((await patch(rootCookie, root.id, { role: 'agent' })).status).toBe(409);
    // A disabled teammate is offered to nobody for a transfer.
    const offered = await json<{ agents: Array<{ id: string }> }>(await t.http('/api/team', { cookie: rootCookie }));
    expect(offered.agents.map((a) => a.id)).toEqual([root.id]);
    expect((await patch(rootCookie, ops.id, { disabled: false })).status).toBe(200);
    // Enabling does not bring back the sessions that disabling ended.
    expect((await t.http('/api/me', { cookie: opsCookie })).status).toBe(401);
    const { cookie: opsAgain } = await t.login('ops@example.com');
    // Two active admins: one may demote the other, and is then the last. The demoted one's dashboard
    // socket closes (told why); their console socket stays.
    const rootDashboard = await t.connectAs('/admin', 'polling', rootCookie);
    const rootConsole = await t.connectAs('/agent', 'websocket', rootCookie);
    const dashboardEnd = ended(rootDashboard);
    expect((await patch(opsAgain, root.id, { role: 'agent' })).status).toBe(200);
    expect(await dashboardEnd.within()).toEqual({ reason: 'role_changed', disconnect: 'io server disconnect' });
    await ok(rootConsole, 'status:set', { status: 'online' });
    await expect(t.connectAs('/admin', 'websocket', rootCookie)).rejects.toThrow('forbidden');
    const team = await json<{ agents: Array<{ id: string }> }>(await t.http('/api/team', { cookie: opsAgain }));
    expect(team.agents.map((a) => a.id).sort()).toEqual([ops.id, root.id].sort());
    expect((await patch(opsAgain, ops.id, { role: 'agent' })).status).toBe(409);
    expect((await t.http(`/api/agents/${root.id}`, { method: 'DELETE', cookie: opsAgain })).status).toBe(204);
    // root's session is gone with the account.
    expect((await t.http('/api/me', { cookie: rootCookie })).status).toBe(401);
    const left = await json<{ agents: Agent[] }>(await t.http('/api/agents', { cookie: opsAgain }));
    expect(left.agents.map((a) => [a.email, a.role, a.disabled])).toEqual([['ops@example.com', 'admin', false]]);
  });

  it('[TEAM4] every admin endpoint refuses a non-admin (403) and a foreign Origin (403), and changes nothing', async () => {
    const t = await startOn(engine);
    const { cookie: admin } = await t.login('chief@example.com', { role: 'admin' });
    const { agent: ann, cookie: agentCookie } = await t.login('plain@example.com', { password: 'plain-password' });
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/api/agents'],
      ['POST', '/api/agents', { email: 'new@example.com', name: 'New', password: 'long-enough', role: 'agent' }],
      ['PATCH', `/api/agents/${ann.id}`, { disabled: true }],
      ['PATCH', `/api/agents/${ann.id}`, { role: 'admin' }],
      ['POST', `/api/agents/${ann.id}/password`],
      ['DELETE', `/api/agents/${ann.id}`],
      ['POST', `/api/agents/${ann.id}/unlock`],
    ];
    for (const [method, path, body] of calls) {
      const res = await t.http(path, { method, cookie: agentCookie, json: body });
      expect(res.status, `${method} ${path} as an agent`).toBe(403);
      expect(await json(res)).toMatchObject({ error: { code: 'forbidden' } });
      const anonymous = await t.http(path, { method, json: body });
      expect(anonymous.status, `${method} ${path} without a session`).toBe(401);
      if (method === 'GET') continue;
      const csrf = await t.http(path, { method, cookie: admin, headers: { origin: EVIL }, json: body });
      expect(csrf.status, `${method} ${path} from a foreign origin`).toBe(403);
    }
    // The own-account endpoints refuse foreign origins too.
    const own: Array<[string, string, unknown]> = [
      ['PATCH', '/api/me', { name: 'Hijacked' }],
      ['POST', '/api/me/password', { currentPassword: 'plain-password', newPassword: 'hijacked-password' }],
    ];
    for (const [method, path, body] of own) {
      expect((await t.http(path, { method, cookie: agentCookie, headers: { origin: EVIL }, json: body })).status, `${method} ${path}`).toBe(403);
    }
    const after = await t.store.getAgent(ann.id);
    expect(after).toMatchObject({ name: 'plain', role: 'agent', disabled: false, sessionEpoch: 0 });
    expect(await t.store.getAgentByEmail('new@example.com')).toBeNull();
    expect((await t.http('/api/login', { method: 'POST', json: { email: 'plain@example.com', password: 'plain-password' } })).status).toBe(200);
  });

  it('[TEAM5] an admin resets a password: answered once, the agent\'s sessions and sockets end, the new one signs in', async () => {
    const t = await startOn(engine);
    const { cookie: admin } = await t.login('reset-admin@example.com', { role: 'admin' });
    const { agent: bo, cookie } = await t.login('bo@example.com', { password: 'bo-password' });
    const sockets = await Promise.all(TRANSPORTS.map((tr) => t.connectAs('/agent', tr, cookie)));
    const endings = sockets.map(ended);
    const res = await t.http(`/api/agents/${bo.id}/password`, { method: 'POST', cookie: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { password, agent } = await json<{ password: string; agent: Agent }>(res);
    expect(agent).toMatchObject({ id: bo.id, disabled: false });
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await Promise.all(endings.map((e) => e.within()))).map((e) => e.reason)).toEqual(['password_changed', 'password_changed']);
    expect((await t.http('/api/me', { cookie })).status).toBe(401);
    expect((await t.http('/api/login', { method: 'POST', json: { email: 'bo@example.com', password: 'bo-password' } })).status).toBe(401);
    expect((await t.http('/api/login', { method: 'POST', json: { email: 'bo@example.com', password } })).status).toBe(200);
    expect((await t.http('/api/agents/nobody/password', { method: 'POST', cookie: admin })).status).toBe(404);
  });

  it('[TEAM6] a rename shows on the agent\'s conversations and new messages (also from sockets opened before it); old messages keep the name they were sent under', async () => {
    const t = await startOn(engine);
    const { socket, cookie, agent } = await t.agent('websocket', 'cy@example.com', { name: 'Cy' });
    const { socket: visitor } = await t.visitor('polling');
    const { message } = await ok(visitor, 'message:send', { clientId: 'v', body: 'hi' });
    await ok(socket, 'conversation:claim', { conversationId: message.conversationId });
    await ok(socket, 'message:send', { conversationId: message.conversationId, clientId: 'before', body: 'one' });
    const renamedConversation = next(visitor, 'conversation', (c: Conversation) => c.agent?.name === 'Cyrus');
    const res = await t.http('/api/me', { method: 'PATCH', cookie, json: { name: '  Cyrus ' } });
    expect(res.status).toBe(200);
    expect((await json<{ agent: Agent }>(res)).agent).toMatchObject({ id: agent.id, name: 'Cyrus' });
    expect(await renamedConversation).toMatchObject({ id: message.conversationId, status: 'active', agent: { id: agent.id, name: 'Cyrus' } });
    const after = await ok(socket, 'message:send', { conversationId: message.conversationId, clientId: 'after', body: 'two' });
    expect(after.message.author).toEqual({ kind: 'agent', id: agent.id, name: 'Cyrus' });
    const { messages } = await ok(visitor, 'history:get', {});
    expect(messages.map((m) => m.author.name)).toEqual([messages[0].author.name, 'Cy', 'Cyrus']);
    // An admin renames and re-roles through PATCH /api/agents/:id.
    const { cookie: admin } = await t.login('names-admin@example.com', { role: 'admin' });
    const byAdmin = await t.http(`/api/agents/${agent.id}`, { method: 'PATCH', cookie: admin, json: { name: 'Cy R.', role: 'admin' } });
    expect((await json<{ agent: Agent }>(byAdmin)).agent).toMatchObject({ name: 'Cy R.', role: 'admin' });
    await eventually(async () => (await ok(socket, 'message:send', { conversationId: message.conversationId, clientId: `x${Date.now()}`, body: 'three' })).message.author.name === 'Cy R.');
  });

  it('[TEAM7] an agent who never handled a conversation can be deleted (their sockets close); one who did cannot', async () => {
    const t = await startOn(engine);
    const { cookie: admin } = await t.login('del-admin@example.com', { role: 'admin' });
    const fresh = await t.agent('polling', 'fresh@example.com');
    const busy = await t.agent('websocket', 'busy@example.com');
    const { socket: visitor } = await t.visitor('websocket');
    const { message } = await ok(visitor, 'message:send', { clientId: 'v', body: 'hi' });
    await ok(busy.socket, 'conversation:claim', { conversationId: message.conversationId });
    await ok(busy.socket, 'conversation:close', { conversationId: message.conversationId });
    const refused = await t.http(`/api/agents/${busy.agent.id}`, { method: 'DELETE', cookie: admin });
    expect(refused.status).toBe(409);
    expect(await json(refused)).toMatchObject({ error: { code: 'conflict' } });
    const gone = ended(fresh.socket);
    expect((await t.http(`/api/agents/${fresh.agent.id}`, { method: 'DELETE', cookie: admin })).status).toBe(204);
    expect(await gone.within()).toEqual({ reason: 'deleted', disconnect: 'io server disconnect' });
    expect((await t.http(`/api/agents/${fresh.agent.id}`, { method: 'DELETE', cookie: admin })).status).toBe(404);
    expect(await t.store.getAgent(busy.agent.id)).not.toBeNull();
  });

  it('[TEAM10] a disabled agent\'s old cookie is signed out for good: it counts against the anonymous rate limit like any stranger\'s', async () => {
    const t = await startOn(engine, { env: { HTTP_RATE_LIMIT: '20' } });
    const { cookie: admin } = await t.login('boss@example.com', { role: 'admin', password: 'boss-password' });
    const { agent: ann, cookie } = await t.login('ann@example.com', { password: 'ann-password' });
    expect((await t.http(`/api/agents/${ann.id}`, { method: 'PATCH', cookie: admin, json: { disabled: true } })).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await t.http('/api/me', { cookie })).status);
    expect(statuses[0]).toBe(401);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    // The admin's session is not anonymous: never limited.
    expect((await t.http('/api/me', { cookie: admin })).status).toBe(200);
  });

  it('[TEAM8] bad input to the team endpoints is 400 invalid_payload and changes nothing; unknown ids are 404', async () => {
    const t = await startOn(engine);
    const { cookie: admin } = await t.login('val-admin@example.com', { role: 'admin' });
    const { agent: dee } = await t.login('dee@example.com');
    const bad: unknown[] = [{}, { name: '' }, { name: 'x'.repeat(101) }, { role: 'owner' }, { disabled: 'yes' }, { email: 'x@example.com' }, { name: 'Ok', password: 'long-enough' }, [], 'x'];
    for (const body of bad) {
      const res = await t.http(`/api/agents/${dee.id}`, { method: 'PATCH', cookie: admin, json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await json(res)).toMatchObject({ error: { code: 'invalid_payload' } });
    }
    expect((await t.http('/api/agents/nobody', { method: 'PATCH', cookie: admin, json: { name: 'X' } })).status).toBe(404);
    expect((await t.http('/api/agents/nobody', { method: 'DELETE', cookie: admin })).status).toBe(404);
    for (const body of [{}, { currentPassword: 'x' }, { newPassword: 'long-enough' }, { currentPassword: '', newPassword: 'long-enough' }, { currentPassword: 'a', newPassword: 'b'.repeat(1025) }]) {
      expect((await t.http('/api/me/password', { method: 'POST', cookie: admin, json: body })).status, JSON.stringify(body)).toBe(400);
    }
    expect(await t.store.getAgent(dee.id)).toMatchObject({ name: 'dee', role: 'agent', disabled: false, revision: 0 });
  });
});

describe('[TEAM-CLUSTER] two nodes', () => {
  it('[TEAM9] disabling closes the agent\'s sockets on both nodes within 5 s through Redis, and the visitor on the other node sees the leave', async () => {
    const { startCluster } = await import('../helpers/topology.ts');
    // The database poll is made too slow to matter: only Redis carries the change between the nodes.
    const c = await startCluster({ accountWatchMs: 60_000 });
    const [a, b] = c.nodes;
    const { cookie: admin } = await a.login('cluster-admin@example.com', { role: 'admin' });
    const { agent: eve, cookie } = await b.login('eve@example.com');
    const sockets = [
      await a.connectAs('/agent', 'websocket', cookie),
      await a.connectAs('/agent', 'polling', cookie),
      await b.connectAs('/agent', 'websocket', cookie),
      await b.connectAs('/agent', 'polling', cookie),
    ];
    const { socket: visitor } = await a.visitor('polling');
    const { message } = await ok(visitor, 'message:send', { clientId: 'v', body: 'hello' });
    await ok(sockets[2], 'conversation:claim', { conversationId: message.conversationId });
    await arrived(visitor, 'presence', (p) => p.action === 'join' && p.participant.id === eve.id);
    const leave = next(visitor, 'presence', (p) => p.action === 'leave' && p.participant.id === eve.id);
    const queued = next(visitor, 'conversation', (x) => x.status === 'queued');
    const endings = sockets.map(ended);
    expect((await a.http(`/api/agents/${eve.id}`, { method: 'PATCH', cookie: admin, json: { disabled: true } })).status).toBe(200);
    expect((await Promise.all(endings.map((e) => e.within()))).map((e) => e.reason)).toEqual(['disabled', 'disabled', 'disabled', 'disabled']);
    await leave;
    expect(await queued).toMatchObject({ id: message.conversationId, agent: null });
    for (const node of [a, b]) {
      expect((await node.http('/api/login', { method: 'POST', json: { email: 'eve@example.com', password: 'pw-eve@example.com-secret' } })).status).toBe(401);
    }
    const other = await b.agent('websocket', 'frank@example.com');
    expect((await request(other.socket, 'conversation:claim', { conversationId: message.conversationId })).ok).toBe(true);
  });
});
