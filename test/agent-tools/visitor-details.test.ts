// [VCTX] The visitor's context beside a conversation (docs/protocol.md, "Visitor details"): pages
// they viewed (http/https only, bounded in number and length), their time zone (validated), first
// seen, and their earlier conversations with their ratings.

import { describe, expect, it } from 'vitest';
import { PAGE_VIEWS_KEPT } from '../../server/protocol/agent-tools.ts';
import { eventually, ok, request, untyped } from '../helpers/clients.ts';
import { MATRIX, startTopology } from '../helpers/topology.ts';

// On one node (SQLite) and on two sharing PostgreSQL, over WebSocket and polling.
describe.each(MATRIX)('[VCTX] visitor details, %s over %s', (topology, transport) => {
  it('[VCTX1] page views are kept per visitor, bounded to the newest 50; other schemes, long URLs and unknown zones are not kept', async () => {
    const t = await startTopology(topology);
    const agent = await t.agent(transport);
    const visitor = await t.visitor(transport);
    const { message } = await ok(visitor.socket, 'message:send', { clientId: 'c1', body: 'hi' });
    const conversationId = message.conversationId;
    await ok(agent.socket, 'conversation:claim', { conversationId });

    visitor.socket.emit('page:view', { url: 'javascript:alert(1)', title: 'evil' });
    visitor.socket.emit('page:view', { url: 'data:text/html,<b>x</b>' });
    untyped(visitor.socket).emit('page:view', { url: `https://shop.example.com/${'a'.repeat(2049)}` });
    untyped(visitor.socket).emit('page:view', { url: 'https://shop.example.com/t', title: 't'.repeat(301) });
    visitor.socket.emit('page:view', { url: 'https://shop.example.com/zone', timeZone: 'Mars/Olympus_Mons' });
    // The page of the unknown zone is kept (the zone is not): the views after it must find it stored,
    // or, handled concurrently with them on a loaded machine, it can land among the newest 50.
    await eventually(async () => (await t.store.listPageViews(visitor.visitor.id, 1000)).some((p) => p.url.endsWith('/zone')), 5000, 'the /zone view stored');
    for (let i = 0; i < PAGE_VIEWS_KEPT + 10; i++) {
      visitor.socket.emit('page:view', { url: `https://shop.example.com/p/${i}`, title: `Page ${i}`, timeZone: 'Europe/Paris' });
    }
    // page:view has no ack, and the views of one socket may be handled concurrently (stored in the
    // order they are handled): wait until the last one sent is among the kept ones.
    const last = `https://shop.example.com/p/${PAGE_VIEWS_KEPT + 9}`;
    const details = await eventually(async () => {
      const { details } = await ok(agent.socket, 'visitor:details', { conversationId });
      return details.pages.some((p) => p.url === last) && details.pages.length === PAGE_VIEWS_KEPT ? details : null;
    }).then((d) => d!);
    expect(details.pages.every((p) => p.url.startsWith('https://shop.example.com/p/'))).toBe(true);
    expect(new Set(details.pages.map((p) => p.url)).size).toBe(PAGE_VIEWS_KEPT);
    expect(details.timeZone).toBe('Europe/Paris');
    expect(Date.parse(details.firstSeen)).toBeGreaterThan(0);
    const stored = await t.store.listPageViews(visitor.visitor.id, 1000);
    expect(stored).toHaveLength(PAGE_VIEWS_KEPT);
    expect(stored.some((p) => p.url.startsWith('javascript') || p.url.startsWith('data') || p.url.endsWith('/zone') || p.url.endsWith('/t'))).toBe(false);
  });

  it('[VCTX2] earlier conversations with their ratings; another agent’s active conversation is not theirs to read', async () => {
    const t = await startTopology(topology);
    const agent = await t.agent(transport);
    const other = await t.agent(transport);
    const visitor = await t.visitor(transport);
    const first = (await ok(visitor.socket, 'message:send', { clientId: 'c1', body: 'first time' })).message.conversationId;
    await ok(agent.socket, 'conversation:claim', { conversationId: first });
    await ok(agent.socket, 'conversation:close', { conversationId: first });
    await ok(visitor.socket, 'csat:rate', { conversationId: first, rating: 'good' });
    const second = (await ok(visitor.socket, 'message:send', { clientId: 'c2', body: 'back again' })).message.conversationId;
    await ok(agent.socket, 'conversation:claim', { conversationId: second });

    const { details } = await ok(agent.socket, 'visitor:details', { conversationId: second });
    expect(details.earlier.map((c) => [c.id, c.status, c.csat])).toEqual([[first, 'closed', 'good']]);
    // The earlier one opens read-only: its transcript is the team's.
    const history = await ok(agent.socket, 'history:get', { conversationId: first });
    expect(history.messages.map((m) => m.body)).toEqual(['first time']);
    expect(await request(other.socket, 'visitor:details', { conversationId: second })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await request(agent.socket, 'visitor:details', { conversationId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
