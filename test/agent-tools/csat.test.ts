// [CSAT] Satisfaction ratings (docs/protocol.md, "Satisfaction ratings"): the conversation's visitor
// rates it once it is closed, may change the rating for 24 h after the close, and nobody else may
// rate it; the agent who held it hears of it live, on one node and across two.

import { describe, expect, it } from 'vitest';
import { CSAT_WINDOW_MS } from '../../server/protocol/agent-tools.ts';
import { next, ok, request, requestUntyped, untyped } from '../helpers/clients.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { MATRIX, startTopology } from '../helpers/topology.ts';
import type { Transport } from '../helpers/clients.ts';

/** A visitor's conversation, claimed and closed by an agent. */
async function closedConversation(t: TestApp, transport: Transport) {
  const agent = await t.agent(transport);
  const visitor = await t.visitor(transport);
  const { message } = await ok(visitor.socket, 'message:send', { clientId: 'c1', body: 'my order is late' });
  const conversationId = message.conversationId;
  await ok(agent.socket, 'conversation:claim', { conversationId });
  await ok(agent.socket, 'conversation:close', { conversationId });
  return { agent, visitor, conversationId };
}

describe.each(MATRIX)('[CSAT] %s over %s', (topology, transport) => {
  it('[CSAT1] the visitor rates a closed conversation once; a second rating replaces it; the agent and the other tabs see it live', async () => {
    const t = await startTopology(topology);
    const { agent, visitor, conversationId } = await closedConversation(t, transport);
    // A second tab of the visitor (the other node in a cluster).
    const tab2 = await t.connectAs('/visitor', transport, visitor.cookie);
    const agentSees = next(agent.socket, 'csat', (c) => c.conversationId === conversationId);
    const tabSees = next(tab2, 'csat', (c) => c.conversationId === conversationId);
    const first = await ok(visitor.socket, 'csat:rate', { conversationId, rating: 'okay', comment: '  took a while  ' });
    expect(first.csat).toMatchObject({ conversationId, rating: 'okay', comment: 'took a while' });
    expect((await agentSees).rating).toBe('okay');
    expect((await tabSees).rating).toBe('okay');

    const changed = next(agent.socket, 'csat', (c) => c.rating === 'good');
    const second = await ok(visitor.socket, 'csat:rate', { conversationId, rating: 'good' });
    expect(second.csat).toMatchObject({ rating: 'good', comment: null, createdAt: first.csat.createdAt });
    expect((await changed).rating).toBe('good');
    // One rating per conversation: the counts see one, as the agent's and the visitor's histories do.
    expect(await t.store.csatCounts({ from: 0, to: Date.now() + 60_000 })).toEqual({ good: 1, okay: 0, bad: 0 });
    expect((await ok(agent.socket, 'history:get', { conversationId })).csat).toMatchObject({ rating: 'good' });
    expect((await ok(visitor.socket, 'history:get', {})).csat).toMatchObject({ rating: 'good' });
  });

  it('[CSAT2] refused: an open conversation, another visitor, an agent, bad ratings and comments — and nothing is stored', async () => {
    const t = await startTopology(topology);
    const agent = await t.agent(transport);
    const visitor = await t.visitor(transport);
    const { message } = await ok(visitor.socket, 'message:send', { clientId: 'c1', body: 'hello' });
    const conversationId = message.conversationId;
    await ok(agent.socket, 'conversation:claim', { conversationId });
    // Not closed yet.
    expect(await request(visitor.socket, 'csat:rate', { conversationId, rating: 'good' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    await ok(agent.socket, 'conversation:close', { conversationId });

    const stranger = await t.visitor(transport);
    expect(await request(stranger.socket, 'csat:rate', { conversationId, rating: 'bad' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await request(stranger.socket, 'csat:rate', { conversationId: 'no-such-id', rating: 'bad' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    for (const bad of [
      { conversationId, rating: 'great' },
      { conversationId, rating: 'good', comment: 'x'.repeat(1001) },
      { conversationId, rating: 'good', comment: 42 },
      { conversationId: '', rating: 'good' },
      { rating: 'good' },
    ]) {
      expect(await requestUntyped(visitor.socket, 'csat:rate', bad), JSON.stringify(bad).slice(0, 60)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    // /agent has no csat:rate: the event is ignored (the next round trip proves it was handled first).
    untyped(agent.socket).emit('csat:rate', { conversationId, rating: 'bad' });
    await ok(agent.socket, 'visitor:get', { conversationId });
    expect(await t.store.getCsat(conversationId)).toBeNull();
    // An agent's session is not a visitor's: /visitor refuses it.
    const { cookie: agentCookie } = await t.login('csat-agent@example.com');
    await expect(t.connectAs('/visitor', transport, agentCookie)).rejects.toThrow();
    expect(await t.store.getCsat(conversationId)).toBeNull();
  });
});

describe('[CSAT] the 24-hour window', () => {
  it('[CSAT3] changeable until 24 h after the close, refused from then on (the first rating too)', async () => {
    let now = Date.now();
    const clock = { now: () => now };
    const t = await startApp({ clock });
    const a = await closedConversation(t, 'websocket');
    const b = await closedConversation(t, 'websocket');
    const rated = await ok(a.visitor.socket, 'csat:rate', { conversationId: a.conversationId, rating: 'bad' });
    expect(Date.parse(rated.csat.changeableUntil)).toBe(Date.parse(rated.csat.createdAt) + CSAT_WINDOW_MS);
    now += CSAT_WINDOW_MS - 1;
    expect((await ok(a.visitor.socket, 'csat:rate', { conversationId: a.conversationId, rating: 'good' })).csat.rating).toBe('good');
    now += 1;
    expect(await request(a.visitor.socket, 'csat:rate', { conversationId: a.conversationId, rating: 'bad' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await request(b.visitor.socket, 'csat:rate', { conversationId: b.conversationId, rating: 'good' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await t.store.getCsat(a.conversationId))?.rating).toBe('good');
    expect(await t.store.getCsat(b.conversationId)).toBeNull();
  });

  it('[CSAT4] admins get a period’s counts and score (also in the reports’ summary); agents are refused', async () => {
    const t = await startApp();
    for (const rating of ['good', 'good', 'bad'] as const) {
      const c = await closedConversation(t, 'websocket');
      await ok(c.visitor.socket, 'csat:rate', { conversationId: c.conversationId, rating });
    }
    const { cookie: admin } = await t.login('boss@example.com', { role: 'admin' });
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const res = await t.http(`/api/reports/csat?from=${today}&to=${tomorrow}`, { cookie: admin });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ good: 2, okay: 0, bad: 1, total: 3, score: 67 });
    // The reports' summary carries the same figure.
    const summary = await t.http(`/api/reports/summary?from=${today}&to=${tomorrow}`, { cookie: admin });
    expect(((await summary.json()) as { csat: unknown }).csat).toEqual({ good: 2, okay: 0, bad: 1, total: 3, score: 67 });
    const { cookie: agent } = await t.login('plain@example.com');
    expect((await t.http(`/api/reports/csat?from=${today}&to=${tomorrow}`, { cookie: agent })).status).toBe(403);
    expect((await t.http(`/api/reports/csat?from=nope&to=${tomorrow}`, { cookie: admin })).status).toBe(400);
  });
});

