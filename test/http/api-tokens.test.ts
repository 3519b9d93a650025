// [TOKEN] API tokens (docs/api.md): created by admins with scopes and shown once, stored hashed,
// listed without secrets, scopes enforced on every endpoint, revocation immediate on every node
// of a cluster, never logged, refused attempts limited per address, never a way into cookie routes
// or Socket.IO.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { API_SCOPES, ApiScope, type ApiToken } from '../../server/protocol/api-tokens.ts';
import { eventually, ok } from '../helpers/clients.ts';
import { adminCookie, api, createToken } from '../helpers/api-tokens.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { startCluster } from '../helpers/topology.ts';

const SECRET_SHAPE = /^pky_[A-Za-z0-9_-]{43}$/;

async function queuedConversation(t: TestApp, body = 'hello'): Promise<string> {
  const { socket } = await t.visitor('websocket');
  return (await ok(socket, 'message:send', { clientId: `c-${body}`, body })).message.conversationId;
}

describe('[TOKEN] API tokens', () => {
  it('[TOKEN1] an admin creates a token: its secret (pky_…, 256 bits) is answered once; lists show name, scopes, prefix, creator and times, never a secret; revoke answers 204 then 404', async () => {
    const t = await startApp();
    const cookie = await adminCookie(t);
    const a = await createToken(t, cookie, [ApiScope.ConversationsRead, ApiScope.ConversationsRead, ApiScope.AgentsRead], 'CRM sync');
    const b = await createToken(t, cookie, [ApiScope.MessagesSendSystem], 'Order bot');
    expect(a).toEqual({ id: expect.any(String), name: 'CRM sync', scopes: [ApiScope.ConversationsRead, ApiScope.AgentsRead], secret: expect.stringMatching(SECRET_SHAPE) });
    expect(b.secret).not.toBe(a.secret);

    const listed = await t.http('/api/tokens', { cookie });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('no-store');
    const text = await listed.text();
    expect(text).not.toContain(a.secret);
    expect(text).not.toContain(b.secret);
    const { tokens } = JSON.parse(text) as { tokens: ApiToken[] };
    const root = (await t.store.getAgentByEmail('root@example.com'))!;
    expect(tokens.map((x) => x.id)).toEqual([b.id, a.id]);
    expect(tokens[1]).toEqual({
      id: a.id,
      name: 'CRM sync',
      scopes: [ApiScope.ConversationsRead, ApiScope.AgentsRead],
      prefix: a.secret.slice(0, 12),
      createdAt: expect.any(String),
      lastUsedAt: null,
      createdBy: { id: root.id, name: 'Root' },
    });
    // Stored as a hash: the database file (and its WAL) never holds the secret.
    const dir = dirname(t.dbPath);
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).includes(a.secret.slice(4)), f).toBe(false);

    // The first use is recorded.
    expect((await api(t, a.secret, '/api/v1/agents')).status).toBe(200);
    await eventually(async () => (await list(t, cookie)).find((x) => x.id === a.id)?.lastUsedAt !== null, 5000, 'lastUsedAt recorded');

    expect((await t.http(`/api/tokens/${a.id}`, { method: 'DELETE', cookie })).status).toBe(204);
    expect((await t.http(`/api/tokens/${a.id}`, { method: 'DELETE', cookie })).status).toBe(404);
    expect((await api(t, a.secret, '/api/v1/agents')).status).toBe(401);
    expect((await list(t, cookie)).map((x) => x.id)).toEqual([b.id]);
  });

  it('[TOKEN2] only admins create, list and revoke tokens, from this service’s pages; bad input is refused and creates nothing', async () => {
    const t = await startApp();
    const cookie = await adminCookie(t);
    const agent = await t.login('ann@example.com', { name: 'Ann' });
    expect((await t.http('/api/tokens', { cookie: agent.cookie })).status).toBe(403);
    expect((await t.http('/api/tokens', { method: 'POST', cookie: agent.cookie, json: { name: 'x', scopes: [ApiScope.AgentsRead] } })).status).toBe(403);
    expect((await t.http('/api/tokens')).status).toBe(401);
    const foreign = await t.http('/api/tokens', { method: 'POST', cookie, json: { name: 'x', scopes: [ApiScope.AgentsRead] }, headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    for (const bad of [
      { name: '', scopes: [ApiScope.AgentsRead] },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['admin:everything'] },
      { name: 'x'.repeat(101), scopes: [ApiScope.AgentsRead] },
      { name: 'x', scopes: [ApiScope.AgentsRead], secret: 'pky_mine' },
      { name: 'x' },
    ]) {
      const res = await t.http('/api/tokens', { method: 'POST', cookie, json: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_payload');
    }
    expect(await list(t, cookie)).toEqual([]);
  });

  it('[TOKEN3] scopes are enforced on every endpoint: each needs its own scope (403 without it, nothing changed), and no token or a wrong one is 401', async () => {
    // Dozens of deliberately wrong tokens from one address: the limit of [TOKEN6] is off here.
    const t = await startApp({ env: { API_TOKEN_FAILURE_LIMIT: '0' } });
    const cookie = await adminCookie(t);
    const ann = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const tokens = Object.fromEntries(await Promise.all(API_SCOPES.map(async (s) => [s, (await createToken(t, cookie, [s])).secret] as const)));
    const cid = await queuedConversation(t);
    const endpoints: Array<{ scope: ApiScope; method: string; path: string; json?: unknown; expect: number }> = [
      { scope: ApiScope.ConversationsRead, method: 'GET', path: '/api/v1/conversations', expect: 200 },
      { scope: ApiScope.ConversationsRead, method: 'GET', path: `/api/v1/conversations/${cid}`, expect: 200 },
      { scope: ApiScope.ConversationsRead, method: 'GET', path: `/api/v1/conversations/${cid}/messages`, expect: 200 },
      { scope: ApiScope.AgentsRead, method: 'GET', path: '/api/v1/agents', expect: 200 },
      { scope: ApiScope.ConversationsManage, method: 'POST', path: `/api/v1/conversations/${cid}/assign`, json: { agentId: ann.agent.id }, expect: 200 },
      { scope: ApiScope.MessagesSendAgent, method: 'POST', path: `/api/v1/conversations/${cid}/messages`, json: { clientId: 'a1', body: 'from Ann', as: 'agent' }, expect: 200 },
      { scope: ApiScope.MessagesSendSystem, method: 'POST', path: `/api/v1/conversations/${cid}/messages`, json: { clientId: 's1', body: 'order shipped', as: 'system' }, expect: 200 },
      { scope: ApiScope.ConversationsManage, method: 'POST', path: `/api/v1/conversations/${cid}/close`, expect: 200 },
    ];
    for (const e of endpoints) {
      const before = await t.store.getConversation(cid);
      for (const s of API_SCOPES.filter((x) => x !== e.scope)) {
        const res = await api(t, tokens[s], e.path, e);
        expect(res.status, `${e.method} ${e.path} with ${s}`).toBe(403);
        const { error } = (await res.json()) as { error: { code: string; message: string } };
        expect(error.code).toBe('forbidden');
        expect(error.message).toContain(e.scope);
        for (const [header, why] of [[null, 'no token'], ['pky_' + 'x'.repeat(43), 'unknown token'], ['not-a-token', 'malformed']] as const) {
          const refused = await api(t, header, e.path, e);
          expect(refused.status, `${e.method} ${e.path}: ${why}`).toBe(401);
        }
      }
      expect(await t.store.getConversation(cid), `${e.method} ${e.path} changed nothing while refused`).toEqual(before);
      const res = await api(t, tokens[e.scope], e.path, e);
      expect(res.status, `${e.method} ${e.path} with ${e.scope}: ${await res.clone().text()}`).toBe(e.expect);
    }
    const messages = await t.store.getMessages(cid, { limit: 10 });
    expect(messages.map((m) => [m.authorKind, m.body])).toEqual([
      ['visitor', 'hello'],
      ['agent', 'from Ann'],
      ['system', 'order shipped'],
    ]);
    expect((await t.store.getConversation(cid))!.status).toBe('closed');
  });

  it('[TOKEN4] a token opens no cookie route, no dashboard endpoint and no Socket.IO namespace', async () => {
    const t = await startApp();
    const cookie = await adminCookie(t);
    const all = await createToken(t, cookie, [...API_SCOPES]);
    for (const path of ['/api/me', '/api/conversations', '/api/agents', '/api/tokens', '/api/settings', '/api/team']) {
      expect((await api(t, all.secret, path)).status, path).toBe(401);
    }
    expect((await api(t, all.secret, '/api/tokens', { method: 'POST', json: { name: 'x', scopes: [ApiScope.AgentsRead] } })).status).toBe(401);
    for (const ns of ['/agent', '/admin', '/visitor']) {
      const error = await new Promise<string>((resolve) => {
        const socket = io(t.url + ns, { transports: ['websocket'], extraHeaders: { authorization: `Bearer ${all.secret}` }, reconnection: false, forceNew: true });
        socket.once('connect', () => {
          socket.close();
          resolve('connected');
        });
        socket.once('connect_error', (err) => {
          socket.close();
          resolve(err.message);
        });
      });
      expect(error, ns).toBe('unauthorized');
    }
  });

  it('[TOKEN5] secrets never reach a log line, whatever happens: creation, every use, refusals, revocation', async () => {
    const lines: string[] = [];
    const t = await startApp({ logStream: { write: (line) => void lines.push(line) } });
    const cookie = await adminCookie(t);
    const token = await createToken(t, cookie, [...API_SCOPES]);
    const cid = await queuedConversation(t);
    await api(t, token.secret, '/api/v1/conversations');
    await api(t, token.secret, `/api/v1/conversations/${cid}/messages?limit=oops`);
    await api(t, token.secret, `/api/v1/conversations/${cid}/messages`, { method: 'POST', json: { clientId: 's', body: 'hi', as: 'system' } });
    await api(t, token.secret, `/api/v1/conversations/${cid}/close`, { method: 'POST' });
    // A near miss (the secret with one character changed) is refused and logged: without the secret.
    const nearMiss = token.secret.slice(0, -1) + (token.secret.endsWith('A') ? 'B' : 'A');
    expect((await api(t, nearMiss, '/api/v1/agents')).status).toBe(401);
    expect((await t.http(`/api/tokens/${token.id}`, { method: 'DELETE', cookie })).status).toBe(204);
    expect((await api(t, token.secret, '/api/v1/agents')).status).toBe(401);
    const events = lines.map((l) => (JSON.parse(l) as { event?: string }).event);
    expect(events).toEqual(expect.arrayContaining(['api_token.created', 'api_token.refused', 'api_token.revoked', 'api.conversation_closed']));
    const secretPart = token.secret.slice(12);
    for (const line of lines) {
      expect(line).not.toContain(secretPart);
      expect(line).not.toContain(nearMiss.slice(12));
      expect(line.toLowerCase()).not.toContain('bearer');
    }
  });

  it('[TOKEN6] refused tokens are limited per address (API_TOKEN_FAILURE_LIMIT): past it, even a valid token from there gets 429 until the window ends', async () => {
    const t = await startApp({ env: { API_TOKEN_FAILURE_LIMIT: '3' } });
    const cookie = await adminCookie(t);
    const token = await createToken(t, cookie, [ApiScope.AgentsRead]);
    expect((await api(t, token.secret, '/api/v1/agents')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await api(t, `pky_${String(i).repeat(43)}`, '/api/v1/agents')).status).toBe(401);
    const limited = await api(t, token.secret, '/api/v1/agents');
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // The dashboard (cookie) is not affected.
    expect((await t.http('/api/tokens', { cookie })).status).toBe(200);
  });

  it('[TOKEN7] a revoked token is refused at once on both nodes of a cluster', async () => {
    const c = await startCluster();
    const [a, b] = c.nodes;
    const cookie = await adminCookie(c);
    const token = await createToken(a, cookie, [ApiScope.AgentsRead, ApiScope.ConversationsRead]);
    for (const node of [a, b]) {
      expect((await api(node, token.secret, '/api/v1/agents')).status).toBe(200);
      expect((await api(node, token.secret, '/api/v1/conversations')).status).toBe(200);
    }
    expect((await b.http(`/api/tokens/${token.id}`, { method: 'DELETE', cookie })).status).toBe(204);
    // The very next request on each node, with nothing in between: refused.
    for (const node of [a, b]) {
      const res = await api(node, token.secret, '/api/v1/agents');
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    // And one created on B works on A at once.
    const other = await createToken(b, cookie, [ApiScope.AgentsRead]);
    expect((await api(a, other.secret, '/api/v1/agents')).status).toBe(200);
  });
});

async function list(t: TestApp, cookie: string): Promise<ApiToken[]> {
  return ((await (await t.http('/api/tokens', { cookie })).json()) as { tokens: ApiToken[] }).tokens;
}
