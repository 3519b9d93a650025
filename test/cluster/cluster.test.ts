// [CLUSTER] SPEC §5–§6 across nodes: two nodes on one PostgreSQL and one
// Redis; every rule holds whichever node each socket is on.

import { describe, expect, it } from 'vitest';
import type { Ack } from '../../server/protocol/errors.ts';
import type { HistoryResult } from '../../server/protocol/events.ts';
import type { Message } from '../../server/protocol/shapes.ts';
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
        return node.connectAs('/agent', transport, cookie);
      }),
    );
    const { socket: visitor } = await c.visitor(transport);
    const { message } = await ok(visitor, 'message:send', { clientId: 'c', body: 'help' });
    const results = await Promise.all(agents.map((s) => request(s, 'conversation:claim', { conversationId: message.conversationId })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error.code === 'already_claimed')).toHaveLength(19);
  });

  it('[CLUSTER2] tabs on both nodes are one participant; admin online:get sees everyone on every node', async () => {
    const c = await startCluster();
    const [a, b] = c.nodes;
    const { cookie: adminCookie } = await b.login('admin@example.com', { role: 'admin' });
    const admin = await a.connectAs('/admin', transport, adminCookie);
    const agent = await c.agent(transport, 'nodeagent@example.com');
    const { cookie, visitor: me } = await c.visitorSession();
    const tabA = await a.connectAs('/visitor', transport, cookie);
    const { message } = await ok(tabA, 'message:send', { clientId: 'x', body: 'hi' });
    await ok(agent.socket, 'conversation:claim', { conversationId: message.conversationId });
    await sleep(200);
    const seen = record(agent.socket, 'presence');
    const online = record(admin, 'online');
    const tabB = await b.connectAs('/visitor', transport, cookie);

    const snapshot = await eventually(async () => {
      const s = await ok(admin, 'online:get');
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
    const onA = await a.connectAs('/agent', transport, cookie);
    const onB = await b.connectAs('/agent', transport, cookie);
    const res = await a.http('/api/logout', { method: 'POST', cookie });
    expect(res.status).toBe(204);
    await eventually(() => !onA.connected && !onB.connected, 5000, 'both sockets closed');
  });

  it('[CLUSTER4] queue positions and queue deltas reach visitors and agents on the other node', async () => {
    const c = await startCluster();
    const [a, b] = c.nodes;
    const agentOnA = await a.connectAs('/agent', transport, (await b.login('qa@example.com')).cookie);
    const adds = record(agentOnA, 'queue:add');
    const visitors: Array<{ socket: VisitorClient; positions: Array<{ queuePosition: number | null }>; conversationId: string }> = [];
    for (let i = 0; i < 3; i++) {
      const { cookie } = await a.visitorSession();
      const socket = await (i % 2 ? a : b).connectAs('/visitor', transport, cookie);
      const positions = record(socket, 'conversation');
      const { message } = await ok(socket, 'message:send', { clientId: 'c', body: `v${i}` });
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
    const visitorA = await a.connectAs('/visitor', transport, cookie);
    const visitorB = await b.connectAs('/visitor', transport, cookie);
    const { message: first } = await ok(visitorA, 'message:send', { clientId: 'v0', body: 'start' });
    const conversationId = first.conversationId;
    await ok(agent.socket, 'conversation:claim', { conversationId });
    const agentOnA = await a.connectAs('/agent', transport, agent.cookie);
    await sleep(300);

    // Each client behaves like the real apps: de-duplicates by id, and on `resync` fetches what follows its last seq.
    type Client = {
      socket: { readonly connected: boolean };
      messages: Map<number, Message>;
      live: number[];
      send(clientId: string, body: string): Promise<Ack<{ message: Message }>>;
      history(afterSeq: number): Promise<Ack<HistoryResult>>;
    };
    const add = (cl: Client, m: Message) => {
      if (!cl.messages.has(m.seq)) cl.messages.set(m.seq, m);
    };
    const live = (cl: Client) => (m: Message) => {
      cl.live.push(m.seq);
      add(cl, m);
    };
    const resync = (cl: Client) => async () => {
      // From the last seq it holds without a gap.
      let last = 0;
      while (cl.messages.has(last + 1)) last++;
      const r = await cl.history(last);
      if (r.ok) for (const m of r.messages) add(cl, m);
    };
    const visitorClient = (socket: VisitorClient): Client => {
      const cl: Client = {
        socket,
        messages: new Map([[1, first]]),
        live: [],
        send: (clientId, body) => request(socket, 'message:send', { clientId, body }),
        history: (afterSeq) => request(socket, 'history:get', { afterSeq, limit: 200 }),
      };
      socket.on('message', live(cl)).on('resync', resync(cl));
      return cl;
    };
    const agentClient = (socket: AgentClient): Client => {
      const cl: Client = {
        socket,
        messages: new Map([[1, first]]),
        live: [],
        send: (clientId, body) => request(socket, 'message:send', { conversationId, clientId, body }),
        history: (afterSeq) => request(socket, 'history:get', { conversationId, afterSeq, limit: 200 }),
      };
      socket.on('message', live(cl)).on('resync', resync(cl));
      return cl;
    };
    const clients = [visitorClient(visitorA), visitorClient(visitorB), agentClient(agent.socket), agentClient(agentOnA)];
    const acked: Message[] = [first];
    let stop = false;
    const sender = async (cl: Client, prefix: string) => {
      for (let i = 0; !stop && i < 400; i++) {
        const r = await cl.send(`${prefix}${i}`, `${prefix} ${i}`).catch(() => null);
        if (r?.ok) {
          acked.push(r.message);
          add(cl, r.message); // a sender's own message comes with its ack, not as an event
        }
        await sleep(25);
      }
    };
    const senders = [sender(clients[0], 'va'), sender(clients[1], 'vb'), sender(clients[2], 'ab'), sender(clients[3], 'aa')];
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
