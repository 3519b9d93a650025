// [CLUSTER] SPEC §5–§6 across nodes: two nodes on one PostgreSQL and one
// Redis; every rule holds whichever node each socket is on.

import { describe, expect, it } from 'vitest';
import type { OnlineSnapshot } from '../../server/protocol/events.ts';
import type { Message, PresenceEvent } from '../../server/protocol/shapes.ts';
import { type AgentClient, TRANSPORTS, type VisitorClient, eventually, ok, record, request, sleep } from '../helpers/clients.ts';
import { startCluster } from '../helpers/topology.ts';

describe.each(TRANSPORTS)('[CLUSTER] two nodes over %s', (transport) => {
  it('[CLUSTER1] 20 agents split over two nodes race for one conversation: exactly one wins', async () => {
    const c = await startCluster();
    const [a, b] = c.nodes;
    const agents = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const node = i % 2 ? a : b;
        const { cookie } = await node.login(`split${i}@example.com`);
        return node.connectAs<AgentClient>('/agent', transport, cookie);
      }),
    );
    const { socket: visitor } = await c.visitor(transport);
    const { message } = await ok<{ message: Message }>(visitor, 'message:send', { clientId: 'c', body: 'help' });
    const results = await Promise.all(agents.map((s) => request(s, 'conversation:claim', { conversationId: message.conversationId })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error.code === 'already_claimed')).toHaveLength(19);
  });

  it('[CLUSTER2] tabs on both nodes are one participant; admin online:get sees everyone on every node', async () => {
    const c = await startCluster();
    const [a, b] = c.nodes;
    const { cookie: adminCookie } = await b.login('admin@example.com', { role: 'admin' });
    const admin = await a.connectAs<import('../helpers/clients.ts').AdminClient>('/admin', transport, adminCookie);
    const agent = await c.agent(transport, 'nodeagent@example.com');
    const { cookie, visitor: me } = await c.visitorSession();
    const tabA = await a.connectAs<VisitorClient>('/visitor', transport, cookie);
    const { message } = await ok<{ message: Message }>(tabA, 'message:send', { clientId: 'x', body: 'hi' });
    await ok(agent.socket, 'conversation:claim', { conversationId: message.conversationId });
    await sleep(200);
    const seen = record<PresenceEvent>(agent.socket, 'presence');
    const online = record<{ id: string; action: string }>(admin, 'online');
    const tabB = await b.connectAs<VisitorClient>('/visitor', transport, cookie);

    const snapshot = await eventually(async () => {
      const s = await ok<OnlineSnapshot>(admin, 'online:get');
      return s.visitors.find((v) => v.id === me.id)?.connections === 2 ? s : null;
    });
    expect(snapshot!.agents.map((x) => x.id)).toContain(agent.agent.id);
    expect(snapshot!.visitors.filter((v) => v.id === me.id)).toHaveLength(1);

    tabA.close();
    await sleep(300);
    expect(seen).toEqual([]);
    tabB.close();
    await eventually(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ action: 'leave', participant: { id: me.id } });
    await eventually(() => online.some((e) => e.id === me.id && e.action === 'offline'));
    expect(online.filter((e) => e.id === me.id)).toEqual([{ kind: 'visitor', id: me.id, name: me.name, action: 'offline' }]);
  });

  it('[CLUSTER3] logout disconnects the session’s sockets on every node', async () => {
    const c = await startCluster();
    const [a, b] = c.nodes;
    const { cookie } = await b.login('leaver@example.com');
    const onA = await a.connectAs<AgentClient>('/agent', transport, cookie);
    const onB = await b.connectAs<AgentClient>('/agent', transport, cookie);
    const res = await a.http('/api/logout', { method: 'POST', cookie });
    expect(res.status).toBe(204);
    await eventually(() => !onA.connected && !onB.connected, 5000, 'both sockets closed');
  });

  it('[CLUSTER4] queue positions and queue deltas reach visitors and agents on the other node', async () => {
    const c = await startCluster();
    const [a, b] = c.nodes;
    const agentOnA = await a.connectAs<AgentClient>('/agent', transport, (await b.login('qa@example.com')).cookie);
    const adds = record<{ id: string }>(agentOnA, 'queue:add');
    const visitors: Array<{ socket: VisitorClient; positions: Array<{ queuePosition: number | null }>; conversationId: string }> = [];
    for (let i = 0; i < 3; i++) {
      const { cookie } = await a.visitorSession();
      const socket = await (i % 2 ? a : b).connectAs<VisitorClient>('/visitor', transport, cookie);
      const positions = record<{ queuePosition: number | null }>(socket, 'conversation');
      const { message } = await ok<{ message: Message }>(socket, 'message:send', { clientId: 'c', body: `v${i}` });
      visitors.push({ socket, positions, conversationId: message.conversationId });
    }
    await eventually(() => adds.length === 3);
    const agentOnB = await c.agent(transport, 'qb@example.com');
    await ok(agentOnB.socket, 'conversation:claim', { conversationId: visitors[0].conversationId });
    await eventually(() => visitors[1].positions.at(-1)?.queuePosition === 1 && visitors[2].positions.at(-1)?.queuePosition === 2, 5000, 'positions');
  });

  it('[CLUSTER5] Redis restarts under continuous traffic: every client ends with every acked message once, in seq order', async () => {
    const c = await startCluster({ env: { MESSAGE_RATE_LIMIT: '0' } });
    const [a, b] = c.nodes;
    const agent = await c.agent(transport, 'steady@example.com');
    const { cookie } = await a.visitorSession();
    const visitorA = await a.connectAs<VisitorClient>('/visitor', transport, cookie);
    const visitorB = await b.connectAs<VisitorClient>('/visitor', transport, cookie);
    const { message: first } = await ok<{ message: Message }>(visitorA, 'message:send', { clientId: 'v0', body: 'start' });
    const conversationId = first.conversationId;
    await ok(agent.socket, 'conversation:claim', { conversationId });
    const agentOnA = await a.connectAs<AgentClient>('/agent', transport, agent.cookie);
    await sleep(300);

    // Each client behaves like the real apps: de-duplicates by id, and on `resync` fetches what follows its last seq.
    // Both kinds of client share these events; typed as one for the loop below.
    type Client = { socket: VisitorClient; messages: Map<number, Message>; live: number[] };
    const clients: Client[] = ([visitorA, visitorB, agent.socket, agentOnA] as VisitorClient[]).map((socket) => ({ socket, messages: new Map([[1, first]]), live: [] }));
    const add = (cl: Client, m: Message) => {
      if (!cl.messages.has(m.seq)) cl.messages.set(m.seq, m);
    };
    for (const cl of clients) {
      cl.socket.on('message', (m: Message) => {
        cl.live.push(m.seq);
        add(cl, m);
      });
      cl.socket.on('resync', async () => {
        // From the last seq it holds without a gap.
        let last = 0;
        while (cl.messages.has(last + 1)) last++;
        const r = await request<{ messages: Message[] }>(cl.socket, 'history:get', { conversationId, afterSeq: last, limit: 200 });
        if (r.ok) for (const m of r.messages) add(cl, m);
      });
    }
    const acked: Message[] = [first];
    let stop = false;
    const sender = async (cl: Client, prefix: string, isAgent: boolean) => {
      const socket = cl.socket;
      for (let i = 0; !stop && i < 400; i++) {
        const payload = isAgent ? { conversationId, clientId: `${prefix}${i}`, body: `${prefix} ${i}` } : { clientId: `${prefix}${i}`, body: `${prefix} ${i}` };
        const r = await request<{ message: Message }>(socket, 'message:send', payload).catch(() => null);
        if (r?.ok) {
          acked.push(r.message);
          add(cl, r.message); // a sender's own message comes with its ack, not as an event
        }
        await sleep(25);
      }
    };
    const senders = [sender(clients[0], 'va', false), sender(clients[1], 'vb', false), sender(clients[2], 'ab', true), sender(clients[3], 'aa', true)];
    await sleep(500);
    await c.redis.kill();
    await sleep(1500);
    await c.redis.start();
    await sleep(1500);
    stop = true;
    await Promise.all(senders);
    const lastSeq = Math.max(...acked.map((m) => m.seq));
    expect(acked.length).toBeGreaterThan(40);

    // Within 5 s of Redis coming back, without reconnecting, every client has everything once.
    await eventually(() => clients.every((cl) => cl.messages.size === lastSeq), 5000, 'every client caught up');
    for (const cl of clients) {
      expect([...cl.messages.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
      for (const m of acked) expect(cl.messages.get(m.seq)?.id).toBe(m.id);
      expect(cl.socket.connected).toBe(true);
    }
    // Live `message` events reached every socket in seq order, each once, through the outage.
    for (const cl of clients) {
      expect(cl.live).toEqual([...cl.live].sort((x, y) => x - y));
      expect(new Set(cl.live).size).toBe(cl.live.length);
    }
  });
});
