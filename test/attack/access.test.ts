// [ACC] Issue #11: the access-control matrix. Every /agent and /admin event and every HTTP
// endpoint (SPEC §3, §5), tried as nobody, a visitor, a plain agent (for admin things), forged
// and garbled cookies and a logged-out session, with odd forms of conversationId/agentId.
// The answers are refusals — connect_error unauthorized/forbidden, acks forbidden/not_found/
// invalid_payload, HTTP 401/403/404/400 — never someone else's data and never a 500.

import { createHmac } from 'node:crypto';
import { assert, describe, expect, it } from 'vitest';
import { type AgentClient, type NamespacePath, TRANSPORTS, type VisitorClient, connect, next, ok, record, requestUntyped } from '../helpers/clients.ts';
import { TEST_SECRET, cookieOf } from '../helpers/start-app.ts';
import { useArena } from './arena.ts';
import { snapshot, unchangedBy } from './db-snapshot.ts';
import { ackOf, closedWithin, joinNamespace, rawHttp, rawWebSocket } from './raw.ts';
import type { Target } from './target.ts';

const arena = useArena();

const COOKIE = 'parley.sid';

/** The cookie value express-session would set for `sid`, signed with `secret`. */
function signed(sid: string, secret: string): string {
  const mac = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return `${COOKIE}=${encodeURIComponent(`s:${sid}.${mac}`)}`;
}

/** The session id inside a real cookie. */
function sidOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(COOKIE.length + 1));
  return value.slice(2, value.lastIndexOf('.'));
}

interface Fixtures {
  target: Target;
  cookies: { visitor: string; agent: string; other: string; admin: string; loggedOut: string };
  ids: { agent: string; other: string; admin: string; visitor: string };
  /** Active with the other agent (someone else's), queued, and active with our agent. */
  conversations: { others: string; queued: string; mine: string; control: string };
  agent: AgentClient;
  other: AgentClient;
  visitorOfOthers: VisitorClient;
  visitorQueued: VisitorClient;
}

let fixtures: Fixtures | undefined;

async function createAgent(target: Target, admin: string, email: string): Promise<{ id: string; cookie: string; password: string }> {
  const password = 'access password 1';
  const res = await fetch(`${target.url}/api/agents`, {
    method: 'POST',
    headers: { cookie: admin, 'content-type': 'application/json', origin: target.url },
    body: JSON.stringify({ email, name: email.split('@')[0], password, role: 'agent' }),
  });
  expect(res.status).toBe(201);
  const { agent } = (await res.json()) as { agent: { id: string } };
  const login = await target.login(email, password, { address: '10.254.0.1' });
  expect(login.status).toBe(200);
  return { id: agent.id, cookie: cookieOf(login), password };
}

async function setUp(): Promise<Fixtures> {
  const { target } = arena;
  if (fixtures?.target === target) return fixtures;
  const admin = await target.adminCookie();
  const adminId = ((await (await fetch(`${target.url}/api/me`, { headers: { cookie: admin } })).json()) as { agent: { id: string } }).agent.id;
  const a = await createAgent(target, admin, 'access-a@example.com');
  const b = await createAgent(target, admin, 'access-b@example.com');
  // A second session of agent A, then logged out: its cookie is validly signed, its session gone.
  const again = await target.login('access-a@example.com', a.password, { address: '10.254.0.1' });
  const loggedOut = cookieOf(again);
  const logout = await fetch(`${target.url}/api/logout`, { method: 'POST', headers: { cookie: loggedOut, origin: target.url } });
  expect(logout.status).toBe(204);

  const visitorCookies: string[] = [];
  const visitorSockets: VisitorClient[] = [];
  const conversationIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { cookie } = await target.visitorSession({ address: `10.254.1.${i}` });
    const socket = await connect(target.url, '/visitor', { transport: 'websocket', cookie: cookie! });
    const { message } = await ok(socket, 'message:send', { clientId: 'first', body: `visitor ${i}` });
    visitorCookies.push(cookie!);
    visitorSockets.push(socket);
    conversationIds.push(message.conversationId);
  }
  const agent = await connect(target.url, '/agent', { transport: 'websocket', cookie: a.cookie });
  const other = await connect(target.url, '/agent', { transport: 'websocket', cookie: b.cookie });
  const [others, queued, mine] = conversationIds;
  await ok(other, 'conversation:claim', { conversationId: others });
  await ok(agent, 'conversation:claim', { conversationId: mine });
  await ok(other, 'message:send', { conversationId: others, clientId: 'b-1', body: 'private to this conversation' });
  const visitorId = ((await (await fetch(`${target.url}/api/me`, { headers: { cookie: visitorCookies[0] } })).json()) as { visitor: { id: string } }).visitor.id;
  fixtures = {
    target,
    cookies: { visitor: visitorCookies[0], agent: a.cookie, other: b.cookie, admin, loggedOut },
    ids: { agent: a.id, other: b.id, admin: adminId, visitor: visitorId },
    conversations: { others, queued, mine, control: arena.control.conversationId },
    agent,
    other,
    visitorOfOthers: visitorSockets[0],
    visitorQueued: visitorSockets[1],
  };
  return fixtures;
}

/** Cookies that carry no session: garbled, forged, or from a session that was logged out. */
function badCookies(fx: Fixtures): Record<string, string> {
  const adminSid = sidOf(fx.cookies.admin);
  const flip = (c: string) => c.slice(0, -1) + (c.endsWith('A') ? 'B' : 'A');
  return {
    empty: `${COOKIE}=`,
    garbage: `${COOKIE}=garbage`,
    'flipped signature': flip(fx.cookies.admin),
    'unsigned sid': `${COOKIE}=${encodeURIComponent(adminSid)}`,
    'signed with another secret': signed(adminSid, 'not-the-secret-0123456789'),
    'validly signed, no such session': signed('x'.repeat(32), TEST_SECRET),
    // Validly signed: only the session store's lookup stands between this and the admin's session.
    'sid in another case, validly signed': signed(adminSid.toUpperCase() === adminSid ? adminSid.toLowerCase() : adminSid.toUpperCase(), TEST_SECRET),
    'cookie name in another case': `PARLEY.SID=${fx.cookies.admin.slice(COOKIE.length + 1)}`,
    'bad percent-encoding': `${COOKIE}=s%3A%E0%A4%A.x`,
    'NUL in the value': `${COOKIE}=s%3A%00.%00`,
    '4 KB value': `${COOKIE}=s%3A${'x'.repeat(4000)}.${'y'.repeat(43)}`,
    'logged out': fx.cookies.loggedOut,
  };
}

async function handshake(target: Target, ns: NamespacePath, transport: 'websocket' | 'polling', cookie?: string, origin?: string): Promise<string> {
  return connect(target.url, ns, { transport, cookie, origin }).then(
    (s) => {
      s.close();
      return 'connected';
    },
    (err: Error) => err.message,
  );
}

/** Ids that are not the conversation they look like, and what every id-taking ack must say to them. */
function oddIds(fx: Fixtures): Array<{ label: string; id: unknown; codes: string[] }> {
  const real = fx.conversations.others;
  const invalid = ['invalid_payload'];
  const unknown = ['not_found'];
  return [
    { label: 'empty', id: '', codes: invalid },
    { label: "'x' × 1000", id: 'x'.repeat(1000), codes: invalid },
    { label: '../', id: '../', codes: unknown },
    { label: '../<real id>', id: `../${real}`, codes: unknown },
    { label: '%00', id: '%00', codes: unknown },
    // U+0000 is refused in every string ([SEC8-4]: PostgreSQL cannot hold it).
    { label: 'NUL', id: '\u0000', codes: invalid },
    { label: '<real id> NUL', id: `${real}\u0000`, codes: invalid },
    { label: 'unicode', id: 'ü🙂\u202e', codes: unknown },
    { label: 'real id upper-cased', id: real.toUpperCase(), codes: unknown },
    { label: 'real id with a space', id: ` ${real}`, codes: unknown },
    { label: '% wildcard', id: '%', codes: unknown },
    { label: 'SQL', id: "' OR '1'='1", codes: unknown },
    { label: 'number', id: 42, codes: invalid },
    { label: 'array of the real id', id: [real], codes: invalid },
    { label: 'object with the real id', id: { id: real }, codes: invalid },
    { label: 'null', id: null, codes: invalid },
    { label: 'true', id: true, codes: invalid },
  ];
}

/** Odd ids are what the event maps forbid: these calls go `untyped`, on purpose. */
const callAck = (socket: AgentClient, event: string, payload: unknown) => requestUntyped(socket, event, payload);

describe('[ACC] access control', () => {
  it.each(TRANSPORTS)('[ACC1] namespace handshakes over %s: nobody, visitors, agents, garbled and forged cookies, a logged-out session', async (transport) => {
    const fx = await setUp();
    const t = fx.target;
    const results = await arena.underAttack(async () => {
      const out: Record<string, Record<string, string>> = {};
      const identities: Record<string, string | undefined> = { nobody: undefined, visitor: fx.cookies.visitor, agent: fx.cookies.agent, ...badCookies(fx) };
      for (const [who, cookie] of Object.entries(identities)) {
        out[who] = {};
        for (const ns of ['/visitor', '/agent', '/admin'] as const) out[who][ns] = await handshake(t, ns, transport, cookie);
      }
      // Cross-site WebSocket hijacking: someone else's page riding the agent's and the admin's cookies.
      out['foreign origin'] = {
        '/agent': await handshake(t, '/agent', transport, fx.cookies.agent, 'https://evil.example'),
        '/admin': await handshake(t, '/admin', transport, fx.cookies.admin, 'https://evil.example'),
      };
      return out;
    });
    const refusedAll = { '/visitor': 'unauthorized', '/agent': 'unauthorized', '/admin': 'unauthorized' };
    const expected: Record<string, Record<string, string>> = {
      nobody: refusedAll,
      visitor: { '/visitor': 'connected', '/agent': 'forbidden', '/admin': 'forbidden' },
      agent: { '/visitor': 'unauthorized', '/agent': 'connected', '/admin': 'forbidden' },
      ...Object.fromEntries(Object.keys(badCookies(fx)).map((k) => [k, refusedAll])),
    };
    const { 'foreign origin': foreign, ...rest } = results;
    expect(rest).toEqual(expected);
    expect(foreign['/agent']).not.toBe('connected');
    expect(foreign['/admin']).not.toBe('connected');
  });

  it('[ACC2] /agent and /admin events sent without an accepted CONNECT are never handled', async () => {
    const fx = await setUp();
    const t = fx.target;
    const bad = badCookies(fx);
    const events: Array<[string, string, unknown]> = [
      ['/agent', 'conversation:claim', { conversationId: fx.conversations.queued }],
      ['/agent', 'conversation:release', { conversationId: fx.conversations.others }],
      ['/agent', 'conversation:transfer', { conversationId: fx.conversations.others, agentId: fx.ids.agent }],
      ['/agent', 'conversation:close', { conversationId: fx.conversations.queued }],
      ['/agent', 'message:send', { conversationId: fx.conversations.others, clientId: 'intruder', body: 'intruder' }],
      ['/agent', 'history:get', { conversationId: fx.conversations.others }],
      ['/agent', 'typing', { conversationId: fx.conversations.others, typing: true }],
      ['/agent', 'read', { conversationId: fx.conversations.others, seq: 2 }],
      ['/agent', 'status:set', { status: 'away' }],
      ['/agent', 'visitor:get', { conversationId: fx.conversations.others }],
      ['/admin', 'online:get', undefined],
    ];
    const identities: Array<[string, string | undefined, string]> = [
      ['nobody', undefined, 'unauthorized'],
      ['visitor', fx.cookies.visitor, 'forbidden'],
      ['logged out', bad['logged out'], 'unauthorized'],
      ['forged', bad['signed with another secret'], 'unauthorized'],
    ];
    const leaks = await arena.underAttack(() => unchangedBy(t, async () => {
      const found: string[] = [];
      const attempts: Array<[string, string | undefined, string, string, unknown]> = [];
      for (const [who, cookie, refusal] of identities) for (const [ns, event, payload] of events) attempts.push([who, cookie, refusal, `${ns} ${event}`, [ns, event, payload]]);
      // Agent cookies are refused on /admin only.
      attempts.push(['agent', fx.cookies.agent, 'forbidden', '/admin online:get', ['/admin', 'online:get', undefined]]);
      for (const [who, cookie, refusal, label, [ns, event, payload]] of attempts as Array<[string, string | undefined, string, string, [string, string, unknown]]>) {
        const conn = await rawWebSocket(t.port, { cookie });
        try {
          expect(await joinNamespace(conn, ns), `${who} CONNECT ${ns}`).toBe(refusal);
          const data = payload === undefined ? `[${JSON.stringify(event)}]` : `[${JSON.stringify(event)},${JSON.stringify(payload)}]`;
          await conn.send(`42${ns},1${data}`);
          // The server has no socket for this namespace on this connection: it drops the connection.
          if (!(await closedWithin(conn, 5000))) found.push(`${who} ${label}: connection kept`);
          if (conn.packets.some((p) => p.startsWith(`43${ns},1`))) found.push(`${who} ${label}: answered ${conn.packets.join(' ')}`);
        } finally {
          conn.close();
        }
      }
      return found;
    }));
    expect(leaks).toEqual([]);
  });

  it('[ACC3] a plain agent naming odd or foreign conversation ids gets invalid_payload / not_found / forbidden, never the conversation', async () => {
    const fx = await setUp();
    const { others, queued, mine, control } = fx.conversations;
    const payloads: Record<string, (conversationId: unknown) => object> = {
      'conversation:claim': (conversationId) => ({ conversationId }),
      'conversation:release': (conversationId) => ({ conversationId }),
      'conversation:transfer': (conversationId) => ({ conversationId, agentId: fx.ids.agent }),
      'conversation:close': (conversationId) => ({ conversationId }),
      'message:send': (conversationId) => ({ conversationId, clientId: `odd-${Math.random()}`, body: 'intruder' }),
      'history:get': (conversationId) => ({ conversationId }),
      'visitor:get': (conversationId) => ({ conversationId }),
      'note:add': (conversationId) => ({ conversationId, clientId: `odd-${Math.random()}`, body: 'intruder' }),
    };
    // Someone else's active conversation (and the control's, active with the admin): each event's refusal.
    const foreign: Record<string, string> = {
      'conversation:claim': 'already_claimed',
      'conversation:release': 'forbidden',
      'conversation:transfer': 'forbidden',
      'conversation:close': 'forbidden',
      'message:send': 'forbidden',
      'history:get': 'forbidden',
      'visitor:get': 'forbidden',
      'note:add': 'forbidden',
    };
    const wrong = await arena.underAttack(() => unchangedBy(fx.target, async () => {
      const out: string[] = [];
      for (const [event, payload] of Object.entries(payloads)) {
        const cases = [
          ...oddIds(fx),
          { label: "someone else's active conversation", id: others, codes: [foreign[event]] },
          { label: "the admin's active conversation", id: control, codes: [foreign[event]] },
        ];
        // A queued conversation is the team's to read and claim, not to write in, release or move.
        if (['message:send', 'conversation:release', 'conversation:transfer'].includes(event)) cases.push({ label: 'a queued conversation', id: queued, codes: ['forbidden'] });
        for (const { label, id, codes } of cases) {
          const ack = await callAck(fx.agent, event, payload(id));
          if (ack.ok || !codes.includes(ack.error?.code ?? '')) out.push(`${event} with ${label}: ${JSON.stringify(ack).slice(0, 200)} (expected ${codes.join('/')})`);
        }
      }
      return out;
    }));
    expect(wrong).toEqual([]);
    // Nothing moved (the database is as it was): ours is still ours.
    const history = await ok(fx.agent, 'history:get', { conversationId: mine });
    expect(history.conversation).toMatchObject({ status: 'active', agent: { id: fx.ids.agent } });
  });

  it('[ACC4] transfer to odd agent ids: invalid_payload or not_found, the conversation stays', async () => {
    const fx = await setUp();
    const { mine } = fx.conversations;
    const cases: Array<[string, unknown, string]> = [
      ['empty', '', 'invalid_payload'],
      ["'x' × 1000", 'x'.repeat(1000), 'invalid_payload'],
      ['../', '../', 'not_found'],
      ['%00', '%00', 'not_found'],
      ['unicode', 'ü🙂', 'not_found'],
      ["the other agent's id upper-cased", fx.ids.other.toUpperCase(), 'not_found'],
      ["the other agent's id with NUL", `${fx.ids.other}\u0000`, 'invalid_payload'],
      ['a visitor id', fx.ids.visitor, 'not_found'],
      ['a conversation id', mine, 'not_found'],
      ['number', 7, 'invalid_payload'],
      ['array', [fx.ids.other], 'invalid_payload'],
      ['object', { id: fx.ids.other }, 'invalid_payload'],
      ['null', null, 'invalid_payload'],
      ['myself', fx.ids.agent, 'invalid_payload'],
    ];
    const wrong = await arena.underAttack(() => unchangedBy(fx.target, async () => {
      const out: string[] = [];
      for (const [label, agentId, code] of cases) {
        const ack = await callAck(fx.agent, 'conversation:transfer', { conversationId: mine, agentId });
        if (ack.ok || ack.error?.code !== code) out.push(`${label}: ${JSON.stringify(ack).slice(0, 200)} (expected ${code})`);
      }
      return out;
    }));
    expect(wrong).toEqual([]);
  });

  it("[ACC5] typing and read on someone else's conversation reach nobody and store nothing", async () => {
    const fx = await setUp();
    const { others } = fx.conversations;
    const typing = record(fx.visitorOfOthers, 'typing');
    const reads = record(fx.visitorOfOthers, 'read');
    const before = snapshot(fx.target);
    await arena.underAttack(async () => {
      for (const conversationId of [others, others.toUpperCase(), fx.conversations.queued, fx.conversations.control]) {
        fx.agent.emit('typing', { conversationId, typing: true });
        fx.agent.emit('read', { conversationId, seq: 1 });
      }
      // Ordered after those: the assigned agent's message reaches the visitor once they were handled.
      const marker = next(fx.visitorOfOthers, 'message', (m) => m.clientId.startsWith('marker-'));
      await ok(fx.agent, 'status:set', { status: 'online' });
      await ok(fx.other, 'message:send', { conversationId: others, clientId: `marker-${Date.now()}`, body: 'marker' });
      await marker;
    });
    const byIntruder = (e: { participant: { id: string } }) => e.participant.id === fx.ids.agent;
    expect(typing.filter(byIntruder)).toEqual([]);
    expect(reads.filter(byIntruder)).toEqual([]);
    const after = snapshot(fx.target);
    expect(after.read_positions).toEqual(before.read_positions);
  });

  it("[ACC6] a visitor naming another visitor's conversation still gets only their own", async () => {
    const fx = await setUp();
    const { others, queued } = fx.conversations;
    // Fields the visitor's events do not have: sent untyped, on purpose.
    const answers = await arena.underAttack(async () => ({
      history: await requestUntyped(fx.visitorQueued, 'history:get', { conversationId: others, visitorId: fx.ids.visitor }),
      sent: await requestUntyped(fx.visitorQueued, 'message:send', { conversationId: others, clientId: `v-${Date.now()}`, body: 'mine' }),
    }));
    assert(answers.history.ok && answers.sent.ok, JSON.stringify(answers));
    expect(answers.history.conversation?.id).toBe(queued);
    expect(answers.history.messages.filter((m) => m.conversationId !== queued).map((m) => m.conversationId), 'messages of other conversations').toEqual([]);
    expect(answers.sent.message.conversationId).toBe(queued);
  });

  it('[ACC7] every HTTP endpoint × nobody, visitor, agent, garbled cookies: 401/403/303, never 200 with data, never 500', async () => {
    const fx = await setUp();
    const t = fx.target;
    const { others } = fx.conversations;
    const newAgent = JSON.stringify({ email: 'intruder@example.com', name: 'Intruder', password: 'intruder password', role: 'admin' });
    const endpoints: Array<{ label: string; method: string; path: string; body?: string; headers?: Record<string, string>; visitor: number; agent: number; nobody: number }> = [
      { label: 'GET /api/me', method: 'GET', path: '/api/me', nobody: 401, visitor: 200, agent: 200 },
      // A visitor's own attributes are theirs to set ([IDENT8]); here an over-long one, so nothing changes.
      { label: 'PUT /api/visitor/attributes', method: 'PUT', path: '/api/visitor/attributes', body: JSON.stringify({ attributes: { plan: 'x'.repeat(501) } }), nobody: 401, visitor: 400, agent: 401 },
      { label: 'DELETE /api/visitor/session (no visitor to forget)', method: 'DELETE', path: '/api/visitor/session', nobody: 204, visitor: -1, agent: -1 },
      { label: 'POST /api/logout', method: 'POST', path: '/api/logout', nobody: 401, visitor: 401, agent: -1 },
      { label: 'GET /api/agents', method: 'GET', path: '/api/agents', nobody: 401, visitor: 401, agent: 403 },
      { label: 'POST /api/agents', method: 'POST', path: '/api/agents', body: newAgent, nobody: 401, visitor: 401, agent: 403 },
      // Team administration (issue 16): admins only; the own password needs the current one.
      { label: 'PATCH /api/agents/:id', method: 'PATCH', path: `/api/agents/${fx.ids.agent}`, body: JSON.stringify({ role: 'admin' }), nobody: 401, visitor: 401, agent: 403 },
      { label: 'POST /api/agents/:id/password', method: 'POST', path: `/api/agents/${fx.ids.agent}/password`, nobody: 401, visitor: 401, agent: 403 },
      { label: 'DELETE /api/agents/:id', method: 'DELETE', path: `/api/agents/${fx.ids.agent}`, nobody: 401, visitor: 401, agent: 403 },
      { label: 'POST /api/me/password', method: 'POST', path: '/api/me/password', body: JSON.stringify({ currentPassword: 'a guess', newPassword: 'taken over' }), nobody: 401, visitor: 401, agent: 401 },
      { label: 'PATCH /api/me (name)', method: 'PATCH', path: '/api/me', body: JSON.stringify({ name: 'Intruder' }), nobody: 401, visitor: 401, agent: -1 },
      { label: 'GET /api/conversations', method: 'GET', path: '/api/conversations?status=active', nobody: 401, visitor: 401, agent: 200 },
      { label: 'GET /api/conversations?status=queued', method: 'GET', path: '/api/conversations?status=queued', nobody: 401, visitor: 401, agent: 200 },
      { label: "GET someone else's transcript", method: 'GET', path: `/api/conversations/${others}/messages`, nobody: 401, visitor: 401, agent: 403 },
      { label: 'GET /api/search', method: 'GET', path: '/api/search?q=secret', nobody: 401, visitor: 401, agent: 200 },
      { label: 'GET /metrics through a proxy', method: 'GET', path: '/metrics', headers: { 'x-forwarded-for': '203.0.113.9' }, nobody: 403, visitor: 403, agent: 403 },
      { label: 'GET /agent', method: 'GET', path: '/agent', nobody: 303, visitor: 303, agent: 200 },
      { label: 'GET /admin', method: 'GET', path: '/admin', nobody: 303, visitor: 303, agent: 303 },
    ];
    const identities: Record<string, { cookie?: string; expect: 'nobody' | 'visitor' | 'agent' }> = {
      nobody: { expect: 'nobody' },
      visitor: { cookie: fx.cookies.visitor, expect: 'visitor' },
      agent: { cookie: fx.cookies.agent, expect: 'agent' },
      ...Object.fromEntries(Object.entries(badCookies(fx)).map(([k, cookie]) => [k, { cookie, expect: 'nobody' as const }])),
    };
    const wrong = await arena.underAttack(() => unchangedBy(t, async () => {
      const out: string[] = [];
      for (const [who, identity] of Object.entries(identities)) {
        for (const e of endpoints) {
          const expected = e[identity.expect];
          if (expected === -1) continue; // a real logout would end the fixture's session
          const headers: Record<string, string> = { ...e.headers };
          if (identity.cookie) headers.cookie = identity.cookie;
          if (e.body) headers['content-type'] = 'application/json';
          const res = await fetch(`${t.url}${e.path}`, { method: e.method, headers, body: e.body, redirect: 'manual' });
          const text = await res.text();
          if (res.status !== expected) out.push(`${who} ${e.label}: ${res.status} (expected ${expected}) ${text.slice(0, 120)}`);
          if (res.status === 303 && !/^\/(login|agent)/.test(res.headers.get('location') ?? '')) out.push(`${who} ${e.label}: redirected to ${res.headers.get('location')}`);
          if (res.status === 200 && e.label === 'GET /api/me') {
            const me = JSON.parse(text) as { visitor?: { id: string }; agent?: { id: string } };
            const own = identity.expect === 'visitor' ? me.visitor?.id === fx.ids.visitor && !me.agent : me.agent?.id === fx.ids.agent;
            if (!own) out.push(`${who} GET /api/me: someone else's identity ${text}`);
          }
        }
      }
      return out;
    }));
    expect(wrong).toEqual([]);
  });

  it('[ACC8] transcripts over HTTP with odd ids and odd query strings: 400/403/404, never 200 with data, never 500', async () => {
    const fx = await setUp();
    const t = fx.target;
    const { others, mine, control } = fx.conversations;
    const enc = encodeURIComponent;
    const cases: Array<[string, string, number[]]> = [
      ['empty id', '/api/conversations//messages', [404]],
      ["'x' × 1000", `/api/conversations/${'x'.repeat(1000)}/messages`, [404]],
      ['../ encoded', `/api/conversations/${enc('../')}/messages`, [404]],
      ['.. encoded', '/api/conversations/%2e%2e/messages', [404]],
      ['%00', '/api/conversations/%00/messages', [404]],
      ['unicode', `/api/conversations/${enc('ü🙂')}/messages`, [404]],
      ['real id upper-cased', `/api/conversations/${others.toUpperCase()}/messages`, [404]],
      ['real id with encoded NUL', `/api/conversations/${others}%00/messages`, [404]],
      ['invalid percent-encoding', '/api/conversations/%FF%FE/messages', [400, 404]],
      ['a lone %', '/api/conversations/%/messages', [400, 404]],
      ["someone else's", `/api/conversations/${others}/messages`, [403]],
      ["the admin's", `/api/conversations/${control}/messages`, [403]],
      ["someone else's with a query", `/api/conversations/${others}/messages?afterSeq=0&limit=200`, [403]],
      ['afterSeq -1', `/api/conversations/${mine}/messages?afterSeq=-1`, [400]],
      ['limit abc', `/api/conversations/${mine}/messages?limit=abc`, [400]],
      ['limit 1e999', `/api/conversations/${mine}/messages?limit=1e999`, [400]],
      ['limit 0', `/api/conversations/${mine}/messages?limit=0`, [400]],
      ['afterSeq twice', `/api/conversations/${mine}/messages?afterSeq=1&afterSeq=2`, [400]],
      ['status ACTIVE', '/api/conversations?status=ACTIVE', [400]],
      ['status twice', '/api/conversations?status=queued&status=closed', [400]],
      ['status __proto__', '/api/conversations?status=__proto__', [400]],
    ];
    const wrong = await arena.underAttack(async () => {
      const out: string[] = [];
      for (const [label, path, statuses] of cases) {
        const res = await fetch(`${t.url}${path}`, { headers: { cookie: fx.cookies.agent } });
        const text = await res.text();
        if (!statuses.includes(res.status)) out.push(`${label}: ${res.status} (expected ${statuses.join('/')}) ${text.slice(0, 160)}`);
      }
      // Dot segments sent as they are (fetch would resolve them): no route may resolve them to a transcript.
      for (const path of [`/api/conversations/${mine}/messages/../../${others}/messages`, `/api/conversations/${mine}/../${others}/messages`, '/api/conversations/../agents']) {
        const head = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\nCookie: ${fx.cookies.agent}\r\nConnection: close\r\n\r\n`;
        const res = await rawHttp(t.port, head);
        if (![403, 404].includes(res.status)) out.push(`raw ${path}: ${res.status} ${res.text.slice(0, 200)}`);
      }
      return out;
    });
    expect(wrong).toEqual([]);
  });

  it("[ACC9] a garbled copy of a visitor's cookie gets a new visitor, never theirs", async () => {
    const fx = await setUp();
    const t = fx.target;
    const ids = await arena.underAttack(async () => {
      const out: Array<[string, number, string | undefined]> = [];
      for (const [label, cookie] of Object.entries(badCookies({ ...fx, cookies: { ...fx.cookies, admin: fx.cookies.visitor } }))) {
        const res = await fetch(`${t.url}/api/visitor/session`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
        const body = (await res.json()) as { visitor?: { id: string } };
        out.push([label, res.status, body.visitor?.id]);
      }
      return out;
    });
    for (const [label, status, id] of ids) {
      expect(status, label).toBe(200);
      expect(id, label).toBeTypeOf('string');
      expect(id, `${label}: got the visitor whose cookie was garbled`).not.toBe(fx.ids.visitor);
    }
  });
});
