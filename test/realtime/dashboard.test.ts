// [DASH] The admin's "who is online" snapshot (SPEC §5 /admin `online:get`), field by field,
// with several people of every kind online at once.

import { describe, expect, it } from 'vitest';
import { createMemoryPresenceRegistry } from '../../server/core/presence-registry.ts';
import { eventually, ok } from '../helpers/clients.ts';
import { startApp } from '../helpers/start-app.ts';
import { startTopology, TOPOLOGIES, type Topology } from '../helpers/topology.ts';
import type { TestApp } from '../helpers/start-app.ts';

/** Visitors and agents in every state the snapshot tells apart. */
async function populate(t: TestApp) {
  const transport = 'websocket';
  const admin = await t.admin(transport);
  const zed = await t.agent(transport, 'zed@example.com', { name: 'Zed' });
  await t.connectAs('/agent', transport, zed.cookie); // a second tab
  const amy = await t.agent(transport, 'amy@example.com', { name: 'Amy' });
  await ok(amy.socket, 'status:set', { status: 'away' });

  const visitor = async (name: string, page?: string) => {
    const { cookie } = await t.visitorSession({ name });
    const v = await t.visitor(transport, cookie);
    if (page) v.socket.emit('page:view', { url: `https://shop.example.com/${page}`, title: page });
    return v;
  };
  const send = async (v: Awaited<ReturnType<typeof visitor>>) => (await ok(v.socket, 'message:send', { clientId: 'c', body: 'hi' })).message.conversationId;

  const carl = await visitor('Carl', 'cart'); // queued
  const carlConversation = await send(carl);
  const bea = await visitor('Bea'); // active with Zed
  const beaConversation = await send(bea);
  await ok(zed.socket, 'conversation:claim', { conversationId: beaConversation });
  const eve = await visitor('Eve', 'faq'); // active with Zed, two tabs
  await t.connectAs('/visitor', transport, eve.cookie);
  const eveConversation = await send(eve);
  await ok(zed.socket, 'conversation:claim', { conversationId: eveConversation });
  const abe = await visitor('Abe'); // their conversation is closed
  const abeConversation = await send(abe);
  await ok(zed.socket, 'conversation:claim', { conversationId: abeConversation });
  await ok(zed.socket, 'conversation:close', { conversationId: abeConversation });
  const dot = await visitor('Dot'); // never wrote
  return { admin, zed, amy, carl, carlConversation, bea, beaConversation, eve, eveConversation, abe, dot };
}

describe.each(TOPOLOGIES)('[DASH] %s', (topology: Topology) => {
  it('[DASH1] online:get lists every online agent and visitor by name, with status, tabs, load, open conversation and page', async () => {
    const t = await startTopology(topology);
    const startedAt = Date.now();
    const p = await populate(t);
    const expected = {
      agents: [
        { id: p.amy.agent.id, name: 'Amy', role: 'agent', status: 'away', connections: 1, activeConversations: 0 },
        { id: p.zed.agent.id, name: 'Zed', role: 'agent', status: 'online', connections: 2, activeConversations: 2 },
      ],
      visitors: [
        { id: p.abe.visitor.id, name: 'Abe', connections: 1, conversationId: null, page: null },
        { id: p.bea.visitor.id, name: 'Bea', connections: 1, conversationId: p.beaConversation, page: null },
        { id: p.carl.visitor.id, name: 'Carl', connections: 1, conversationId: p.carlConversation, page: { url: 'https://shop.example.com/cart', title: 'cart' } },
        { id: p.dot.visitor.id, name: 'Dot', connections: 1, conversationId: null, page: null },
        { id: p.eve.visitor.id, name: 'Eve', connections: 2, conversationId: p.eveConversation, page: { url: 'https://shop.example.com/faq', title: 'faq' } },
      ],
    };
    // Page views are not acked, and in a cluster a count may reach Redis a moment after the ack.
    const snapshot = await eventually(async () => {
      const s = await ok(p.admin.socket, 'online:get');
      expect({ agents: s.agents, visitors: s.visitors }).toEqual(expected);
      return s;
    }, 5000, 'the expected snapshot');
    expect(snapshot).toEqual({ ok: true, ...expected, queue: { length: 1, oldestWaitMs: expect.any(Number) } });
    expect(snapshot.queue.oldestWaitMs).toBeGreaterThanOrEqual(0);
    expect(snapshot.queue.oldestWaitMs).toBeLessThanOrEqual(Date.now() - startedAt);
  });
});

it('[DASH2] someone the registry lists but the store does not know is left out', async () => {
  const registry = createMemoryPresenceRegistry();
  const t = await startApp({ registry });
  const admin = await t.admin('websocket');
  await registry.connect('agent:no-such-agent', 'ghost-1');
  await registry.connect('visitor:no-such-visitor', 'ghost-2');
  await registry.setAttr('visitor:no-such-visitor', 'page', JSON.stringify({ url: 'https://shop.example.com/', title: null }));
  const { visitor } = await t.visitor('websocket');
  const snapshot = await ok(admin.socket, 'online:get');
  expect(snapshot.agents).toEqual([]); // an admin on /admin is not an agent online
  expect(snapshot.visitors).toEqual([{ id: visitor.id, name: visitor.name, connections: 1, conversationId: null, page: null }]);
  expect(snapshot.queue).toEqual({ length: 0, oldestWaitMs: null });
});
