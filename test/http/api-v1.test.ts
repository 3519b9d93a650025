// [API] The REST API for integrations (docs/api.md): messages sent over it are delivered live like
// any other and are idempotent by clientId; pages walk everything exactly once; close and assign
// reach the consoles and the visitor; bad input changes nothing; every answer matches the OpenAPI
// document the server serves.

import { describe, expect, it } from 'vitest';
import { API_SCOPES, ApiScope } from '../../server/protocol/api-tokens.ts';
import type { Conversation, Message } from '../../server/protocol/shapes.ts';
import { adminCookie, api, createToken } from '../helpers/api-tokens.ts';
import { next, ok, record, TRANSPORTS, type Transport } from '../helpers/clients.ts';
import { type OpenApiDoc, openApiCheck } from '../helpers/openapi-check.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { startCluster } from '../helpers/topology.ts';

async function setup(env: Record<string, string> = {}) {
  const t = await startApp({ env: { API_TOKEN_FAILURE_LIMIT: '0', ...env } });
  const cookie = await adminCookie(t);
  const token = await createToken(t, cookie, [...API_SCOPES], 'Integration');
  const doc = (await (await t.http('/api/openapi.json')).json()) as OpenApiDoc;
  return { t, cookie, secret: token.secret, token, check: openApiCheck(doc) };
}

async function visitorWrites(t: TestApp, transport: Transport, body: string) {
  const v = await t.visitor(transport);
  const { message } = await ok(v.socket, 'message:send', { clientId: `c-${body}`, body });
  return { ...v, conversationId: message.conversationId };
}

describe('[API] REST API', () => {
  it.each(TRANSPORTS)('[API1] over %s: a system message and an agent message sent through the API reach the visitor and the agent live; a resend with the same clientId returns the first and stores nothing', async (transport) => {
    const { t, secret, check } = await setup();
    const ann = await t.agent(transport, 'ann@example.com', { name: 'Ann' });
    const { socket: visitor, conversationId: cid } = await visitorWrites(t, transport, 'where is my order?');
    const seen = record(visitor, 'message');

    const system = next(visitor, 'message', (m) => m.author.kind === 'system');
    const sent = await check.answer<{ message: Message }>(
      await api(t, secret, `/api/v1/conversations/${cid}/messages`, { method: 'POST', json: { clientId: 'ship-1', body: 'Your order shipped', as: 'system', authorName: 'Shop' } }),
      'POST',
      '/api/v1/conversations/{id}/messages',
    );
    expect(sent.message).toMatchObject({ conversationId: cid, seq: 2, clientId: 'ship-1', body: 'Your order shipped', author: { kind: 'system', name: 'Shop' } });
    expect(await system).toEqual(sent.message);

    const again = await check.answer<{ message: Message }>(
      await api(t, secret, `/api/v1/conversations/${cid}/messages`, { method: 'POST', json: { clientId: 'ship-1', body: 'Your order shipped', as: 'system', authorName: 'Shop' } }),
      'POST',
      '/api/v1/conversations/{id}/messages',
    );
    expect(again.message).toEqual(sent.message);
    expect((await t.store.getConversation(cid))!.lastSeq).toBe(2);

    // Assigned to Ann through the API: her console is told; then she "writes" through the API.
    const annHas = next(ann.socket, 'conversation', (c) => c.id === cid && c.status === 'active' && c.agent?.id === ann.agent.id);
    await check.answer(await api(t, secret, `/api/v1/conversations/${cid}/assign`, { method: 'POST', json: { agentId: ann.agent.id } }), 'POST', '/api/v1/conversations/{id}/assign');
    await annHas;
    const toVisitor = next(visitor, 'message', (m) => m.author.kind === 'agent');
    const toAnn = next(ann.socket, 'message', (m) => m.conversationId === cid && m.author.kind === 'agent');
    const fromAnn = await check.answer<{ message: Message }>(
      await api(t, secret, `/api/v1/conversations/${cid}/messages`, { method: 'POST', json: { clientId: 'ann-1', body: 'Hi, I am on it', as: 'agent' } }),
      'POST',
      '/api/v1/conversations/{id}/messages',
    );
    expect(fromAnn.message).toMatchObject({ seq: 3, author: { kind: 'agent', id: ann.agent.id, name: 'Ann' } });
    expect(await toVisitor).toEqual(fromAnn.message);
    expect(await toAnn).toEqual(fromAnn.message);
    // Every message the visitor got is stored once: clients de-duplicate resends by id.
    expect(new Set(seen.map((m) => m.id))).toEqual(new Set([sent.message.id, fromAnn.message.id]));
    expect((await t.store.getMessages(cid, { limit: 10 })).map((m) => m.clientId)).toEqual(['c-where is my order?', 'ship-1', 'ann-1']);
  });

  it('[API2] pages walk every conversation exactly once, newest first, while new ones arrive; messages page by seq', async () => {
    const { t, secret, check } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await visitorWrites(t, 'websocket', `m${i}`)).conversationId);
    const walk = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 20; page++) {
        const res = await api(t, secret, `/api/v1/conversations?limit=3${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        const body = await check.answer<{ conversations: Conversation[]; nextCursor: string | null }>(res, 'GET', '/api/v1/conversations');
        seen.push(...body.conversations.map((c) => c.id));
        // Created between pages: newer than all, so in no later page of this walk.
        if (page === 0) ids.push((await visitorWrites(t, 'websocket', `new${ids.length}`)).conversationId);
        cursor = body.nextCursor;
        if (cursor === null) break;
      }
      return seen;
    };
    const first = await walk('');
    expect(first).toEqual([...ids.slice(0, 7)].reverse());
    // All 8 now; one more arrives during this walk.
    const queued = await walk('&status=queued');
    expect(queued).toEqual([...ids.slice(0, 8)].reverse());
    expect(new Set(queued).size).toBe(8);
    expect(await walk('&status=closed')).toEqual([]);

    // Messages: five in one conversation, walked two at a time.
    const { socket, conversationId } = await visitorWrites(t, 'websocket', 'one');
    for (const body of ['two', 'three', 'four', 'five']) await ok(socket, 'message:send', { clientId: body, body });
    const seqs: number[] = [];
    let after = 0;
    for (let i = 0; i < 10; i++) {
      const body = await check.answer<{ messages: Message[]; nextAfterSeq: number | null }>(
        await api(t, secret, `/api/v1/conversations/${conversationId}/messages?limit=2&afterSeq=${after}`),
        'GET',
        '/api/v1/conversations/{id}/messages',
      );
      seqs.push(...body.messages.map((m) => m.seq));
      if (body.nextAfterSeq === null) break;
      after = body.nextAfterSeq;
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it('[API3] close and assign: the visitor and the consoles are told; a transfer moves an active one; closed, unknown and unassigned are refused with their codes', async () => {
    const { t, secret, check } = await setup();
    const ann = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const bo = await t.agent('polling', 'bo@example.com', { name: 'Bo' });
    const { socket: visitor, conversationId: cid } = await visitorWrites(t, 'websocket', 'help');
    const send = (json: unknown) => api(t, secret, `/api/v1/conversations/${cid}/messages`, { method: 'POST', json });
    const answer = (res: Response) => check.answer<{ error: { code: string } }>(res, 'POST', '/api/v1/conversations/{id}/messages');

    // Queued: nobody to write as.
    expect((await answer(await send({ clientId: 'x', body: 'hi', as: 'agent' }))).error.code).toBe('conflict');
    const removed = next(bo.socket, 'queue:remove', (r) => r.conversationId === cid);
    const assign = (agentId: string) => api(t, secret, `/api/v1/conversations/${cid}/assign`, { method: 'POST', json: { agentId } });
    const a1 = await check.answer<{ conversation: Conversation }>(await assign(ann.agent.id), 'POST', '/api/v1/conversations/{id}/assign');
    expect(a1.conversation).toMatchObject({ status: 'active', agent: { id: ann.agent.id, name: 'Ann' }, queuePosition: null });
    await removed;
    // Again to Ann: unchanged. To Bo: transferred, Bo told.
    expect((await check.answer<{ conversation: Conversation }>(await assign(ann.agent.id), 'POST', '/api/v1/conversations/{id}/assign')).conversation.revision).toBe(a1.conversation.revision);
    const boHas = next(bo.socket, 'conversation', (c) => c.id === cid && c.agent?.id === bo.agent.id);
    await check.answer(await assign(bo.agent.id), 'POST', '/api/v1/conversations/{id}/assign');
    await boHas;
    // As Ann now: not hers.
    expect((await answer(await send({ clientId: 'x', body: 'hi', as: 'agent', agentId: ann.agent.id }))).error.code).toBe('conflict');
    expect((await answer(await send({ clientId: 'x', body: 'hi', as: 'agent', agentId: 'no-such-agent' }))).error.code).toBe('not_found');
    expect((await check.answer<{ error: { code: string } }>(await assign('no-such-agent'), 'POST', '/api/v1/conversations/{id}/assign')).error.code).toBe('not_found');

    const closed = next(visitor, 'conversation', (c) => c.id === cid && c.status === 'closed');
    const c = await check.answer<{ conversation: Conversation }>(await api(t, secret, `/api/v1/conversations/${cid}/close`, { method: 'POST' }), 'POST', '/api/v1/conversations/{id}/close');
    expect(c.conversation.status).toBe('closed');
    await closed;
    expect((await check.answer<{ error: { code: string } }>(await api(t, secret, `/api/v1/conversations/${cid}/close`, { method: 'POST' }), 'POST', '/api/v1/conversations/{id}/close')).error.code).toBe('conversation_closed');
    expect((await answer(await send({ clientId: 'late', body: 'hi', as: 'system' }))).error.code).toBe('conversation_closed');
    expect((await check.answer<{ error: { code: string } }>(await assign(ann.agent.id), 'POST', '/api/v1/conversations/{id}/assign')).error.code).toBe('conversation_closed');
    const missing = await api(t, secret, '/api/v1/conversations/nope');
    expect((await check.answer<{ error: { code: string } }>(missing, 'GET', '/api/v1/conversations/{id}')).error.code).toBe('not_found');
    expect((await t.store.getMessages(cid, { limit: 10 })).length).toBe(1);
  });

  it('[API4] bad input is 400 invalid_payload with a clear message, and changes nothing', async () => {
    const { t, secret, check } = await setup({ MAX_MESSAGE_LENGTH: '50' });
    const ann = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const { conversationId: cid } = await visitorWrites(t, 'websocket', 'hello');
    const before = await t.store.getConversation(cid);
    const sends: Array<[unknown, string]> = [
      [{ clientId: 'a', body: 'hi' }, 'as'],
      [{ clientId: 'a', body: 'hi', as: 'bot' }, 'as'],
      [{ clientId: 'a', body: '   ', as: 'system' }, 'body is empty'],
      [{ clientId: 'a', body: 'x'.repeat(51), as: 'system' }, 'longer than 50'],
      [{ clientId: '', body: 'hi', as: 'system' }, 'clientId'],
      [{ clientId: 'a', body: 'hi', as: 'system', agentId: ann.agent.id }, 'agentId'],
      [{ clientId: 'a', body: 'hi', as: 'agent', authorName: 'Bot' }, 'authorName'],
      [{ clientId: 'a', body: 'hi', as: 'system', extra: 1 }, 'extra'],
      [{ clientId: 'a', body: 'nul\u0000', as: 'system' }, 'NUL'],
      [[1, 2], ''],
    ];
    for (const [json, words] of sends) {
      const res = await api(t, secret, `/api/v1/conversations/${cid}/messages`, { method: 'POST', json });
      const body = await check.answer<{ error: { code: string; message: string } }>(res, 'POST', '/api/v1/conversations/{id}/messages');
      expect(body.error.code, JSON.stringify(json)).toBe('invalid_payload');
      expect(body.error.message, JSON.stringify(json)).toContain(words);
    }
    const malformed = await t.http(`/api/v1/conversations/${cid}/messages`, { method: 'POST', body: '{"clientId":', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' } });
    expect((await check.answer<{ error: { code: string } }>(malformed, 'POST', '/api/v1/conversations/{id}/messages')).error.code).toBe('invalid_payload');
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'status=open', 'cursor=abc', `cursor=${Buffer.from('[1,2]').toString('base64url')}`, `cursor=${'x'.repeat(300)}`]) {
      const res = await api(t, secret, `/api/v1/conversations?${query}`);
      expect((await check.answer<{ error: { code: string } }>(res, 'GET', '/api/v1/conversations')).error.code, query).toBe('invalid_payload');
    }
    for (const query of ['afterSeq=-1', 'limit=1000', 'afterSeq=x']) {
      const res = await api(t, secret, `/api/v1/conversations/${cid}/messages?${query}`);
      expect((await check.answer<{ error: { code: string } }>(res, 'GET', '/api/v1/conversations/{id}/messages')).error.code, query).toBe('invalid_payload');
    }
    for (const json of [{}, { agentId: '' }, { agentId: ann.agent.id, more: true }]) {
      const res = await api(t, secret, `/api/v1/conversations/${cid}/assign`, { method: 'POST', json });
      expect((await check.answer<{ error: { code: string } }>(res, 'POST', '/api/v1/conversations/{id}/assign')).error.code).toBe('invalid_payload');
    }
    expect(await t.store.getConversation(cid)).toEqual(before);
    expect((await t.store.getMessages(cid, { limit: 10 })).length).toBe(1);
  });

  it('[API5] the OpenAPI 3.1 document describes every operation, and the real answers of each (success and errors) match it', async () => {
    const { t, cookie, secret, check, token } = await setup({ API_TOKEN_FAILURE_LIMIT: '100' });
    const doc = (await (await t.http('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      ['/api/tokens', '/api/tokens/{id}', '/api/v1/agents', '/api/v1/conversations', '/api/v1/conversations/{id}', '/api/v1/conversations/{id}/assign', '/api/v1/conversations/{id}/close', '/api/v1/conversations/{id}/messages'].sort(),
    );
    const ann = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const { conversationId: cid } = await visitorWrites(t, 'websocket', 'hello');
    const readOnly = await createToken(t, cookie, [ApiScope.AgentsRead]);
    const agentCookie = (await t.login('bo@example.com', { name: 'Bo' })).cookie;

    // Token management (dashboard session).
    await check.answer(await t.http('/api/tokens', { cookie }), 'GET', '/api/tokens');
    await check.answer(await t.http('/api/tokens'), 'GET', '/api/tokens');
    await check.answer(await t.http('/api/tokens', { cookie: agentCookie }), 'GET', '/api/tokens');
    const extra = await check.answer<{ token: { id: string } }>(await t.http('/api/tokens', { method: 'POST', cookie, json: { name: 'Extra', scopes: [ApiScope.AgentsRead] } }), 'POST', '/api/tokens');
    await check.answer(await t.http('/api/tokens', { method: 'POST', cookie, json: { name: 'Extra' } }), 'POST', '/api/tokens');
    await check.answer(await t.http('/api/tokens', { method: 'POST', json: { name: 'Extra', scopes: [ApiScope.AgentsRead] } }), 'POST', '/api/tokens');
    await check.answer(await t.http('/api/tokens', { method: 'POST', cookie: agentCookie, json: { name: 'Extra', scopes: [ApiScope.AgentsRead] } }), 'POST', '/api/tokens');
    await check.answer(await t.http(`/api/tokens/${extra.token.id}`, { method: 'DELETE', cookie }), 'DELETE', '/api/tokens/{id}');
    await check.answer(await t.http(`/api/tokens/${extra.token.id}`, { method: 'DELETE', cookie }), 'DELETE', '/api/tokens/{id}');
    await check.answer(await t.http(`/api/tokens/${extra.token.id}`, { method: 'DELETE' }), 'DELETE', '/api/tokens/{id}');
    await check.answer(await t.http(`/api/tokens/${token.id}`, { method: 'DELETE', cookie: agentCookie }), 'DELETE', '/api/tokens/{id}');

    // Every REST operation: success, 400, 401, 403 (and 404, 409 where declared).
    const conv = `/api/v1/conversations/${cid}`;
    const ops: Array<{ template: string; method: string; path: string; json?: unknown; bad?: { path?: string; json?: unknown } }> = [
      { template: '/api/v1/conversations', method: 'GET', path: '/api/v1/conversations?status=queued', bad: { path: '/api/v1/conversations?limit=0' } },
      { template: '/api/v1/conversations/{id}', method: 'GET', path: conv },
      { template: '/api/v1/conversations/{id}/messages', method: 'GET', path: `${conv}/messages`, bad: { path: `${conv}/messages?afterSeq=-1` } },
      { template: '/api/v1/agents', method: 'GET', path: '/api/v1/agents' },
      { template: '/api/v1/conversations/{id}/assign', method: 'POST', path: `${conv}/assign`, json: { agentId: ann.agent.id }, bad: { json: {} } },
      { template: '/api/v1/conversations/{id}/messages', method: 'POST', path: `${conv}/messages`, json: { clientId: 'm', body: 'hi', as: 'agent' }, bad: { json: { clientId: 'm' } } },
      { template: '/api/v1/conversations/{id}/close', method: 'POST', path: `${conv}/close` },
    ];
    for (const op of ops) {
      await check.answer(await api(t, null, op.path, op), op.method, op.template);
      await check.answer(await api(t, `pky_${'0'.repeat(43)}`, op.path, op), op.method, op.template);
      if (op.template !== '/api/v1/agents') await check.answer(await api(t, readOnly.secret, op.path, op), op.method, op.template);
      else await check.answer(await api(t, (await createToken(t, cookie, [ApiScope.ConversationsRead])).secret, op.path, op), op.method, op.template);
      if (op.bad) await check.answer(await api(t, secret, op.bad.path ?? op.path, { method: op.method, json: op.bad.json ?? op.json }), op.method, op.template);
      await check.answer(await api(t, secret, op.path, op), op.method, op.template);
      if (op.template.includes('{id}')) await check.answer(await api(t, secret, op.path.replace(cid, 'nope'), op), op.method, op.template);
    }
    await check.answer(await api(t, secret, `${conv}/close`, { method: 'POST' }), 'POST', '/api/v1/conversations/{id}/close');
    await check.answer(await api(t, secret, `${conv}/assign`, { method: 'POST', json: { agentId: ann.agent.id } }), 'POST', '/api/v1/conversations/{id}/assign');
    await check.answer(await api(t, secret, `${conv}/messages`, { method: 'POST', json: { clientId: 'z', body: 'late', as: 'system' } }), 'POST', '/api/v1/conversations/{id}/messages');

    // At most API_TOKENS_MAX (100) tokens: the next is refused.
    const have = ((await (await t.http('/api/tokens', { cookie })).json()) as { tokens: unknown[] }).tokens.length;
    for (let i = have; i < 100; i++) await createToken(t, cookie, [ApiScope.AgentsRead], `t${i}`);
    const full = await t.http('/api/tokens', { method: 'POST', cookie, json: { name: 'one too many', scopes: [ApiScope.AgentsRead] } });
    expect((await check.answer<{ error: { code: string } }>(full, 'POST', '/api/tokens')).error.code).toBe('conflict');

    // 429 on every operation (the others share the same middleware and schema).
    const limited = await setup({ API_TOKEN_FAILURE_LIMIT: '1' });
    await api(limited.t, `pky_${'1'.repeat(43)}`, '/api/v1/agents');
    for (const op of ops) {
      const path = op.path.replace(cid, 'any');
      await check.answer(await api(limited.t, limited.secret, path, op), op.method, op.template);
    }

    const missing = check.declared().filter((d) => !check.checked.has(d));
    expect(missing).toEqual([]);
  });

  it('[API6] in a cluster: a message sent through node B reaches the visitor connected to node A live, once; close through A reaches them too', async () => {
    const c = await startCluster();
    const [a, b] = c.nodes;
    const cookie = await adminCookie(c);
    const { secret } = await createToken(b, cookie, [ApiScope.MessagesSendSystem, ApiScope.ConversationsManage]);
    const { socket: visitor, conversationId: cid } = await visitorWrites(a, 'websocket', 'hi from A');
    const seen = record(visitor, 'message');
    const arrived = next(visitor, 'message', (m) => m.author.kind === 'system');
    const res = await api(b, secret, `/api/v1/conversations/${cid}/messages`, { method: 'POST', json: { clientId: 'n1', body: 'Sent through B', as: 'system' } });
    expect(res.status).toBe(200);
    const { message } = (await res.json()) as { message: Message };
    expect(await arrived).toEqual(message);
    const again = await api(a, secret, `/api/v1/conversations/${cid}/messages`, { method: 'POST', json: { clientId: 'n1', body: 'Sent through B', as: 'system' } });
    expect(((await again.json()) as { message: Message }).message.id).toBe(message.id);
    const closed = next(visitor, 'conversation', (x) => x.id === cid && x.status === 'closed');
    expect((await api(a, secret, `/api/v1/conversations/${cid}/close`, { method: 'POST' })).status).toBe(200);
    await closed;
    expect(new Set(seen.map((m) => m.id))).toEqual(new Set([message.id]));
    expect((await c.store.getMessages(cid, { limit: 10 })).map((m) => m.clientId)).toEqual(['c-hi from A', 'n1']);
  });
});
