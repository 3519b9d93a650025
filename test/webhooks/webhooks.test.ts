// [HOOK] Webhooks (docs/api.md, "Webhooks") against a real HTTP receiver on 127.0.0.1: signed
// deliveries the documented snippet verifies, retries with the same event id, no redirects, SSRF
// refusals, the admin-only API, disabling after failures, and two nodes sending each attempt once.

import { describe, expect, it } from 'vitest';
import type { CreatedWebhook, Webhook, WebhookDelivery } from '../../server/protocol/webhooks.ts';
import { postWebhook } from '../../server/webhook/post.ts';
import { adminCookie, createToken } from '../helpers/api-tokens.ts';
import { eventually, ok } from '../helpers/clients.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { startCluster } from '../helpers/topology.ts';
import { documentedVerifier, type ReceivedHook, startReceiver } from '../helpers/webhook-receiver.ts';

const PRIVATE_OK = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '50' };

async function createHook(t: TestApp, cookie: string, url: string, events: string[]): Promise<CreatedWebhook> {
  const res = await t.http('/api/webhooks', { method: 'POST', cookie, json: { url, events } });
  if (res.status !== 201) throw new Error(`create webhook: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { webhook: CreatedWebhook }).webhook;
}

async function deliveriesOf(t: TestApp, cookie: string, id: string): Promise<WebhookDelivery[]> {
  const res = await t.http(`/api/webhooks/${id}/deliveries`, { cookie });
  expect(res.status).toBe(200);
  return ((await res.json()) as { deliveries: WebhookDelivery[] }).deliveries;
}

async function listHooks(t: TestApp, cookie: string): Promise<Webhook[]> {
  const res = await t.http('/api/webhooks', { cookie });
  expect(res.status).toBe(200);
  return ((await res.json()) as { webhooks: Webhook[] }).webhooks;
}

/** A visitor writes once: a new conversation. */
async function visitorWrites(t: TestApp, body = 'hello, my order is late') {
  const { socket, cookie } = await t.visitor('websocket');
  const { message } = await ok(socket, 'message:send', { clientId: `v-${Math.random()}`, body });
  return { socket, cookie, conversationId: message.conversationId };
}

const ofType = (hooks: ReceivedHook[], type: string) => hooks.filter((h) => h.body.type === type);

describe('[HOOK] webhooks', () => {
  it('[HOOK1] every event arrives as {id, type, createdAt, data}, signed so that the documented snippet verifies it; a changed body, a wrong secret or an old timestamp do not verify; a webhook gets only its events', async () => {
    const verify = documentedVerifier();
    const receiver = await startReceiver();
    const t = await startApp({ env: PRIVATE_OK });
    const cookie = await adminCookie(t);
    const all = await createHook(t, cookie, `${receiver.url}/all`, ['conversation.created', 'conversation.claimed', 'conversation.closed', 'message.created', 'csat.created', 'agent.status']);
    expect(all.secret).toMatch(/^whsec_[\w-]{32}$/);
    const closedOnly = await createHook(t, cookie, `${receiver.url}/closed`, ['conversation.closed']);

    const { socket: agent, agent: ann } = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const v = await visitorWrites(t);
    await ok(agent, 'conversation:claim', { conversationId: v.conversationId });
    await ok(agent, 'message:send', { conversationId: v.conversationId, clientId: 'a1', body: 'On its way!' });
    await ok(agent, 'conversation:close', { conversationId: v.conversationId });
    await ok(v.socket, 'csat:rate', { conversationId: v.conversationId, rating: 'good' });
    await ok(agent, 'status:set', { status: 'away' });

    // 7 events to /all, 1 to /closed.
    await receiver.count(8);
    const mine = receiver.received.filter((h) => h.path === '/all');
    expect(mine.map((h) => h.body.type).sort()).toEqual(['agent.status', 'conversation.claimed', 'conversation.closed', 'conversation.created', 'csat.created', 'message.created', 'message.created']);
    for (const h of mine) {
      expect(Object.keys(h.body).sort()).toEqual(['createdAt', 'data', 'id', 'type']);
      expect(h.body.id).toMatch(/^evt_[0-9a-f]{32}$/);
      expect(h.headers['content-type']).toBe('application/json');
      expect(h.headers['x-parley-event']).toBe(h.body.type);
      expect(h.headers['x-parley-delivery']).toBe(h.body.id);
      expect(Math.abs(Date.parse(h.body.createdAt) - Date.now())).toBeLessThan(60_000);
      const header = h.headers['x-parley-signature'] as string;
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verify(h.raw, header, all.secret)).toBe(true);
      expect(verify(h.raw.toString('utf8'), header, all.secret)).toBe(true);
      expect(verify(Buffer.concat([h.raw, Buffer.from(' ')]), header, all.secret)).toBe(false);
      expect(verify(h.raw, header, closedOnly.secret)).toBe(false);
    }
    // A replayed signature from long ago is refused by the snippet's tolerance.
    const sample = mine[0];
    const v1 = /v1=([0-9a-f]+)/.exec(sample.headers['x-parley-signature'] as string)![1];
    expect(verify(sample.raw, `t=${Math.floor(Date.now() / 1000) - 3600},v1=${v1}`, all.secret)).toBe(false);
    expect(new Set(mine.map((h) => h.body.id)).size).toBe(7);

    const messages = ofType(mine, 'message.created').map((h) => h.body.data as { author: string; message: { body: string; author: { kind: string } }; conversation: { id: string } });
    expect(messages.map((d) => [d.author, d.message.body, d.conversation.id]).sort()).toEqual([
      ['agent', 'On its way!', v.conversationId],
      ['visitor', 'hello, my order is late', v.conversationId],
    ]);
    expect(ofType(mine, 'conversation.claimed')[0].body.data).toMatchObject({ conversation: { id: v.conversationId, agent: { id: ann.id, name: 'Ann' } } });
    expect(ofType(mine, 'conversation.closed')[0].body.data).toMatchObject({ conversation: { id: v.conversationId, status: 'closed' } });
    expect(ofType(mine, 'csat.created')[0].body.data).toMatchObject({ csat: { conversationId: v.conversationId, rating: 'good' }, agentId: ann.id, changed: false });
    expect(ofType(mine, 'agent.status')[0].body.data).toEqual({ agent: { id: ann.id, name: 'Ann' }, status: 'away' });

    const closed = receiver.received.filter((h) => h.path === '/closed');
    expect(closed.map((h) => h.body.type)).toEqual(['conversation.closed']);
    expect(closed[0].body.id).toBe(ofType(mine, 'conversation.closed')[0].body.id);
    expect(verify(closed[0].raw, closed[0].headers['x-parley-signature'] as string, closedOnly.secret)).toBe(true);
    expect(await t.store.listWebhookDeliveries(closedOnly.id, 10)).toHaveLength(1);
    await eventually(async () => (await t.store.countPendingWebhookDeliveries()) === 0, 5000, 'every delivery recorded');
    const log = await deliveriesOf(t, cookie, all.id);
    expect(log).toHaveLength(7);
    for (const d of log) expect(d).toMatchObject({ attempts: 1, lastStatus: 200, lastError: null, nextAttemptAt: null, failedAt: null });
  });

  it('[HOOK2] a receiver that fails 3 times gets the event again with the same id, each retry at least the doubling delay later (base, 2×, 4×), answers once with 2xx, and the log shows 4 attempts', async () => {
    const verify = documentedVerifier();
    const receiver = await startReceiver();
    receiver.answer = (_hook, i) => (i < 3 ? { status: i === 0 ? 500 : 503 } : { status: 204 });
    const t = await startApp({ env: { ...PRIVATE_OK, WEBHOOK_RETRY_BASE_MS: '100' } });
    const cookie = await adminCookie(t);
    const hook = await createHook(t, cookie, `${receiver.url}/hook`, ['conversation.created']);
    await visitorWrites(t);
    const hooks = await receiver.count(4);
    await eventually(async () => (await deliveriesOf(t, cookie, hook.id))[0]?.deliveredAt !== null, 10_000, 'the delivery recorded');
    expect(new Set(hooks.map((h) => h.body.id)).size).toBe(1);
    expect(new Set(hooks.map((h) => h.raw.toString())).size).toBe(1);
    for (const h of hooks) expect(verify(h.raw, h.headers['x-parley-signature'] as string, hook.secret)).toBe(true);
    expect(hooks.map((h) => h.answered)).toEqual([500, 503, 503, 204]);
    // Never earlier than the back-off says (a retry is due only after it): 100, 200, 400 ms.
    for (let i = 1; i < 4; i++) expect(hooks[i].receivedAt - hooks[i - 1].receivedAt).toBeGreaterThanOrEqual(100 * 2 ** (i - 1));
    const [d] = await deliveriesOf(t, cookie, hook.id);
    expect(d).toMatchObject({ eventId: hooks[0].body.id, type: 'conversation.created', attempts: 4, lastStatus: 204, lastError: null, failedAt: null, nextAttemptAt: null });
    // Nothing more is sent once delivered: a fresh event is the next request the receiver sees.
    await visitorWrites(t);
    const [fifth] = (await receiver.count(5)).slice(4);
    expect(fifth.body.id).not.toBe(hooks[0].body.id);
  });

  it('[HOOK3] a failed attempt is logged with its status and error and the time of the next one (about the base delay later)', async () => {
    const receiver = await startReceiver();
    receiver.answer = () => ({ status: 500 });
    const t = await startApp({ env: { ...PRIVATE_OK, WEBHOOK_RETRY_BASE_MS: '60000' } });
    const cookie = await adminCookie(t);
    const hook = await createHook(t, cookie, `${receiver.url}/hook`, ['conversation.created']);
    const before = Date.now();
    await visitorWrites(t);
    await receiver.count(1);
    const d = (await eventually(async () => (await deliveriesOf(t, cookie, hook.id)).find((x) => x.lastStatus === 500), 5000, 'the failure logged'))!;
    expect(d).toMatchObject({ attempts: 1, lastStatus: 500, lastError: 'HTTP 500: ok', deliveredAt: null, failedAt: null });
    const next = Date.parse(d.nextAttemptAt!);
    expect(next).toBeGreaterThanOrEqual(before + 60_000);
    expect(next).toBeLessThanOrEqual(Date.now() + 60_000);
    expect((await listHooks(t, cookie))[0].failingSince).not.toBeNull();
  });

  it('[HOOK4] a redirect is not followed: a 3xx is a failure, and its target is never requested', async () => {
    const receiver = await startReceiver();
    receiver.answer = (h) => (h.path === '/hook' ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } } : { status: 200 });
    const t = await startApp({ env: { ...PRIVATE_OK, WEBHOOK_RETRY_BASE_MS: '60000' } });
    const cookie = await adminCookie(t);
    const hook = await createHook(t, cookie, `${receiver.url}/hook`, ['conversation.created']);
    await visitorWrites(t);
    const d = (await eventually(async () => (await deliveriesOf(t, cookie, hook.id)).find((x) => x.lastStatus === 302), 5000, 'the redirect logged'))!;
    expect(d.lastError).toBe('HTTP 302: redirects are not followed');
    expect(d.deliveredAt).toBeNull();
    expect(receiver.received.map((h) => h.path)).toEqual(['/hook']);
  });

  it('[HOOK5] only admins manage webhooks (not agents, not API tokens, not other origins); bad URLs and unknown events are 400 and change nothing; the secret is shown once', async () => {
    const t = await startApp({ env: { WEBHOOK_RETRY_BASE_MS: '60000' } });
    const cookie = await adminCookie(t);
    const { cookie: agentCookie } = await t.login('ann@example.com', { role: 'agent', name: 'Ann' });
    const body = { url: 'https://hooks.example.com/parley', events: ['message.created'] };
    expect((await t.http('/api/webhooks', { method: 'POST', json: body })).status).toBe(401);
    expect((await t.http('/api/webhooks', { method: 'POST', cookie: agentCookie, json: body })).status).toBe(403);
    expect((await t.http('/api/webhooks', { cookie: agentCookie })).status).toBe(403);
    const token = await createToken(t, cookie, ['conversations:read', 'conversations:manage', 'messages:send_agent', 'messages:send_system', 'agents:read']);
    const bearer = await t.http('/api/webhooks', { method: 'POST', json: body, headers: { authorization: `Bearer ${token.secret}` } });
    expect(bearer.status).toBe(401);
    const foreign = await t.http('/api/webhooks', { method: 'POST', cookie, json: body, headers: { origin: 'https://evil.example.com' } });
    expect(foreign.status).toBe(403);
    expect(await t.store.listWebhooks()).toEqual([]);

    for (const bad of [
      { url: 'ftp://hooks.example.com/x', events: ['message.created'] },
      { url: 'javascript:alert(1)', events: ['message.created'] },
      { url: 'file:///etc/passwd', events: ['message.created'] },
      { url: 'not a url', events: ['message.created'] },
      { url: 'https://user:pw@hooks.example.com/x', events: ['message.created'] },
      { url: `https://hooks.example.com/${'x'.repeat(2000)}`, events: ['message.created'] },
      { url: 'https://hooks.example.com/x', events: ['message.deleted'] },
      { url: 'https://hooks.example.com/x', events: [] },
      { url: 'https://hooks.example.com/x' },
      { url: 'https://hooks.example.com/x', events: ['message.created'], secret: 'mine' },
    ]) {
      const res = await t.http('/api/webhooks', { method: 'POST', cookie, json: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_payload');
    }
    expect(await t.store.listWebhooks()).toEqual([]);

    const created = await createHook(t, cookie, body.url, ['message.created', 'message.created', 'conversation.closed']);
    expect(created).toMatchObject({ url: body.url, events: ['message.created', 'conversation.closed'], enabled: true, disabledReason: null });
    const listed = await listHooks(t, cookie);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(listed[0]).not.toHaveProperty('secret');

    // A bad change changes nothing.
    for (const patch of [{ url: 'ftp://x.example.com' }, { events: ['nope'] }, { enabled: 'yes' }, {}, { secret: 'x' }]) {
      expect((await t.http(`/api/webhooks/${created.id}`, { method: 'PATCH', cookie, json: patch })).status, JSON.stringify(patch)).toBe(400);
    }
    expect(await listHooks(t, cookie)).toEqual(listed);
    expect((await t.http(`/api/webhooks/${created.id}`, { method: 'PATCH', cookie: agentCookie, json: { enabled: false } })).status).toBe(403);

    const paused = await t.http(`/api/webhooks/${created.id}`, { method: 'PATCH', cookie, json: { enabled: false } });
    expect(paused.status).toBe(200);
    expect(((await paused.json()) as { webhook: Webhook }).webhook).toMatchObject({ enabled: false, disabledReason: 'admin' });
    const changed = await t.http(`/api/webhooks/${created.id}`, { method: 'PATCH', cookie, json: { enabled: true, url: 'https://other.example.com/h', events: ['agent.status'] } });
    expect(((await changed.json()) as { webhook: Webhook }).webhook).toMatchObject({ enabled: true, disabledReason: null, url: 'https://other.example.com/h', events: ['agent.status'] });
    expect(JSON.stringify(await (await t.http(`/api/webhooks/${created.id}`, { method: 'PATCH', cookie, json: { enabled: true } })).json())).not.toContain(created.secret);

    expect((await t.http('/api/webhooks/nope', { method: 'PATCH', cookie, json: { enabled: true } })).status).toBe(404);
    expect((await t.http('/api/webhooks/nope/deliveries', { cookie })).status).toBe(404);
    expect((await t.http(`/api/webhooks/${created.id}`, { method: 'DELETE', cookie: agentCookie })).status).toBe(403);
    expect((await t.http(`/api/webhooks/${created.id}`, { method: 'DELETE', cookie })).status).toBe(204);
    expect((await t.http(`/api/webhooks/${created.id}`, { method: 'DELETE', cookie })).status).toBe(404);
    expect(await listHooks(t, cookie)).toEqual([]);
  });

  it('[HOOK6] SSRF: without WEBHOOK_ALLOW_PRIVATE, private, loopback, link-local and unspecified addresses are refused — as URLs (400) and at delivery, also through a name that resolves to loopback; nothing reaches the receiver', async () => {
    const receiver = await startReceiver();
    const t = await startApp({ env: { WEBHOOK_RETRY_BASE_MS: '60000' } });
    const cookie = await adminCookie(t);
    const literals = ['127.0.0.1', '10.0.0.7', '169.254.169.254', '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0', '[::]', '192.168.1.1', '172.16.0.1', '[fd00::1]', '[fe80::1]'];
    for (const host of literals) {
      const res = await t.http('/api/webhooks', { method: 'POST', cookie, json: { url: `http://${host}:${receiver.port}/hook`, events: ['conversation.created'] } });
      expect(res.status, host).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('private or reserved address');
    }
    expect(await t.store.listWebhooks()).toEqual([]);
    // Checked again when sending (a URL stored before, or a literal the API let through).
    for (const host of [...literals, 'localhost']) {
      const outcome = await postWebhook({ url: `http://${host}:${receiver.port}/hook`, body: '{}', headers: {} }, { timeoutMs: 2000, allowPrivate: false });
      expect(outcome.kind, host).toBe('failed');
      expect((outcome as { error: string }).error, host).toMatch(/^refused: /);
    }
    // A name is resolved at each delivery: localhost resolves to loopback, so the delivery is refused.
    const hook = await createHook(t, cookie, `http://localhost:${receiver.port}/hook`, ['conversation.created']);
    await visitorWrites(t);
    const d = (await eventually(async () => (await deliveriesOf(t, cookie, hook.id)).find((x) => x.lastError !== null), 5000, 'the refusal logged'))!;
    expect(d).toMatchObject({ attempts: 1, lastStatus: null, deliveredAt: null });
    expect(d.lastError).toMatch(/^refused: localhost resolves to a private or reserved address/);
    expect(receiver.received).toEqual([]);
    // With WEBHOOK_ALLOW_PRIVATE the same request goes through.
    const allowed = await postWebhook({ url: `http://localhost:${receiver.port}/hook`, body: '{"id":"x","type":"t","createdAt":"","data":{}}', headers: {} }, { timeoutMs: 2000, allowPrivate: true });
    expect(allowed).toMatchObject({ kind: 'answered', status: 200 });
    expect(receiver.received).toHaveLength(1);
  });

  it('[HOOK9] a request is cut at the time limit, and a huge answer is not read to its end', async () => {
    const receiver = await startReceiver();
    receiver.answer = () => 'hold';
    const timedOut = await postWebhook({ url: `${receiver.url}/slow`, body: '{"id":"x","type":"t","createdAt":"","data":{}}', headers: {} }, { timeoutMs: 300, allowPrivate: true });
    expect(timedOut).toEqual({ kind: 'failed', error: 'timed out after 300 ms' });
    // A receiver streaming an endless answer: the request ends once a little was read.
    const { createServer } = await import('node:http');
    let written = 0;
    const endless = createServer((_req, res) => {
      res.writeHead(500);
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed && written < 512 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    const port = (endless.address() as { port: number }).port;
    const outcome = await postWebhook({ url: `http://127.0.0.1:${port}/`, body: '{}', headers: {} }, { timeoutMs: 5000, allowPrivate: true });
    endless.closeAllConnections();
    endless.close();
    expect(outcome.kind).toBe('answered');
    expect((outcome as { status: number; body: string }).status).toBe(500);
    expect((outcome as { body: string }).body.length).toBeLessThanOrEqual(1024);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('[HOOK7] a webhook failing for the disabling time is disabled (the list says why); its deliveries wait, and re-enabling it delivers them', async () => {
    const receiver = await startReceiver();
    let up = false;
    receiver.answer = () => ({ status: up ? 200 : 500 });
    const t = await startApp({ env: { ...PRIVATE_OK, WEBHOOK_RETRY_BASE_MS: '50' }, webhookTiming: { disableAfterMs: 400 } });
    const cookie = await adminCookie(t);
    const hook = await createHook(t, cookie, `${receiver.url}/hook`, ['conversation.created']);
    const v = await visitorWrites(t);
    const disabled = (await eventually(async () => (await listHooks(t, cookie)).find((w) => !w.enabled), 10_000, 'the webhook disabled'))!;
    expect(disabled).toMatchObject({ id: hook.id, enabled: false, disabledReason: 'failures' });
    expect(disabled.disabledAt).not.toBeNull();
    const tries = receiver.received.length;
    expect(tries).toBeGreaterThanOrEqual(2);
    const [waiting] = await deliveriesOf(t, cookie, hook.id);
    expect(waiting).toMatchObject({ deliveredAt: null, failedAt: null, lastStatus: 500 });
    // While disabled, events for it are not stored and nothing is sent.
    await visitorWrites(t);
    await ok(v.socket, 'message:send', { clientId: 'more', body: 'anyone?' });
    expect(await t.store.listWebhookDeliveries(hook.id, 10)).toHaveLength(1);

    up = true;
    const res = await t.http(`/api/webhooks/${hook.id}`, { method: 'PATCH', cookie, json: { enabled: true } });
    expect(((await res.json()) as { webhook: Webhook }).webhook).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    const delivered = await receiver.next((h) => h.answered === 200);
    expect(delivered.body.id).toBe(waiting.eventId);
    expect(receiver.received.slice(0, tries).every((h) => h.body.id === waiting.eventId)).toBe(true);
  });

  it('[HOOK8] two nodes (PostgreSQL + Redis) deliver each attempt from one node: every event arrives once', async () => {
    const receiver = await startReceiver();
    const t = await startCluster({ env: PRIVATE_OK });
    const cookie = await adminCookie(t);
    const hook = await createHook(t, cookie, `${receiver.url}/hook`, ['message.created']);
    const { socket: agent } = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const v = await visitorWrites(t, 'm0');
    await ok(agent, 'conversation:claim', { conversationId: v.conversationId });
    // Visitors write through node A, the agent through node B: events are raised on both.
    for (let i = 1; i <= 10; i++) {
      await ok(v.socket, 'message:send', { clientId: `v${i}`, body: `v${i}` });
      await ok(agent, 'message:send', { conversationId: v.conversationId, clientId: `a${i}`, body: `a${i}` });
    }
    await receiver.count(21);
    await eventually(async () => (await t.store.countPendingWebhookDeliveries()) === 0, 10_000, 'every delivery recorded');
    const ids = receiver.received.map((h) => h.body.id);
    expect(new Set(ids).size).toBe(21);
    expect(ids).toHaveLength(21);
    const bodies = receiver.received.map((h) => (h.body.data as { message: { body: string } }).message.body).sort();
    expect(bodies).toEqual(['m0', ...Array.from({ length: 10 }, (_, i) => [`a${i + 1}`, `v${i + 1}`]).flat()].sort());
    for (const d of await deliveriesOf(t, cookie, hook.id)) expect(d).toMatchObject({ attempts: 1, lastStatus: 200 });
  });

  it('[HOOK11] a webhook created or changed on one node gets the very next event raised on another node (each node keeps which events are wanted; a change is answered only once every node has read it again)', async () => {
    const receiver = await startReceiver();
    // No periodic reading in this test: only the change's notice can tell the other node.
    const t = await startCluster({ env: PRIVATE_OK, webhookTiming: { wantedRefreshMs: 3_600_000 } });
    const [a, b] = t.nodes;
    const cookie = await adminCookie(t);
    // Events of every kind before any webhook: nothing is wanted, nothing is stored.
    const first = await visitorWrites(t, 'before any webhook');
    expect(await t.store.countPendingWebhookDeliveries()).toBe(0);

    // Created on node B; the visitor writes through node A right after the answer.
    const res = await b.http('/api/webhooks', { method: 'POST', cookie, json: { url: `${receiver.url}/hook`, events: ['message.created'] } });
    expect(res.status).toBe(201);
    const hook = ((await res.json()) as { webhook: CreatedWebhook }).webhook;
    await ok(first.socket, 'message:send', { clientId: 'after-create', body: 'after create' });
    const created = await receiver.next((h) => h.body.type === 'message.created');
    expect((created.body.data as { message: { body: string } }).message.body).toBe('after create');

    // Changed on node A to want closes too; the agent on node B closes right after the answer.
    const patched = await a.http(`/api/webhooks/${hook.id}`, { method: 'PATCH', cookie, json: { events: ['message.created', 'conversation.closed'] } });
    expect(patched.status).toBe(200);
    const { socket: agent } = await t.agent('websocket', 'ann@example.com', { name: 'Ann' });
    await ok(agent, 'conversation:claim', { conversationId: first.conversationId });
    await ok(agent, 'conversation:close', { conversationId: first.conversationId });
    const closed = await receiver.next((h) => h.body.type === 'conversation.closed');
    expect(closed.body.data).toMatchObject({ conversation: { id: first.conversationId, status: 'closed' } });
    expect(receiver.received.filter((h) => h.body.data && (h.body.data as { message?: { body: string } }).message?.body === 'before any webhook')).toHaveLength(0);
  });
});
