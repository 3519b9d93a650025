// [CLUSTER] SPEC §5–§6 across nodes: two nodes on one PostgreSQL and one
// Redis; every rule holds whichever node each socket is on.

import { describe, expect, it } from 'vitest';
import type { Ack } from '../../server/protocol/errors.ts';
import type { HistoryResult } from '../../server/protocol/events.ts';
import type { Message } from '../../server/protocol/shapes.ts';
import { type AgentClient, TRANSPORTS, type VisitorClient, arrived, eventually, next, ok, record, request, sleep, untilCounted, visitorTyped } from '../helpers/clients.ts';
import { startCluster } from '../helpers/topology.ts';

describe.each(TRANSPORTS)('[CLUSTER] two nodes over %s', (transport) => {
  // Twenty sign-ins each hash a password: seconds of CPU, more on a loaded machine.
  it('[CLUSTER1] 20 agents split over two nodes race for one conversation: exactly one wins', { timeout: 90_000 }, async () => {
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
    // As a tally, so a failure shows every outcome: one win, 19 already_claimed.
    const tally: Record<string, number> = {};
    for (const r of results) tally[r.ok ? 'ok' : r.error.code] = (tally[r.ok ? 'ok' : r.error.code] ?? 0) + 1;
    expect(tally).toEqual({ ok: 1, already_claimed: 19 });
  });

  it('[CLUSTER2] tabs on both nodes are one participant; admin online:get sees everyone on every node', async () => {
    const c = await startCluster();
    const [a, b] = c.nodes;
    const { cookie: adminCookie } = await b.login('admin@example.com', { role: 'admin' });
    const admin = await a.connectAs('/admin', transport, adminCookie);
    const online = record(admin, 'online');
    const agent = await c.agent(transport, 'nodeagent@example.com');
    const { cookie, visitor: me } = await c.visitorSession();
    const tabA = await a.connectAs('/visitor', transport, cookie);
    const { message } = await ok(tabA, 'message:send', { clientId: 'x', body: 'hi' });
    // The claim's presence events end with the visitor's join, sent to the agent after its own: recording starts after it.
    const joinSnapshot = next(agent.socket, 'presence', (p) => p.participant.id === me.id);
    await ok(agent.socket, 'conversation:claim', { conversationId: message.conversationId });
    await joinSnapshot;
    const seen = record(agent.socket, 'presence');
    const tabB = await b.connectAs('/visitor', transport, cookie);

    await untilCounted(admin, 'visitor', me.id, 2);
    const snapshot = await ok(admin, 'online:get');
    expect(snapshot.agents.map((x) => x.id)).toContain(agent.agent.id);
    expect(snapshot.visitors.filter((v) => v.id === me.id)).toHaveLength(1);
    // tabB's join, had there been one, came from node B before tabB's typing (visitorTyped).
    await visitorTyped(agent.socket, tabB, me.id);
    expect(seen).toEqual([]);

    tabA.close();
    // No barrier here: a leave for tabA's close would come from node A (through Redis), tabB's typing from
    // node B, and nothing orders the two. The strongest observables instead: the registry, which decides
    // every leave, counted the close and still announces the visitor, and a later round trip through B.
    await untilCounted(admin, 'visitor', me.id, 1);
    await visitorTyped(agent.socket, tabB, me.id);
    expect(seen).toEqual([]);
    tabB.close();
    await eventually(() => seen.length >= 1, 5000, () => `the leave; presence seen: ${JSON.stringify(seen)}`);
    expect(seen).toEqual([{ conversationId: message.conversationId, action: 'leave', participant: { kind: 'visitor', id: me.id, name: me.name } }]);
    await eventually(() => online.some((e) => e.id === me.id && e.action === 'offline'), 5000, () => `the offline; online events seen: ${JSON.stringify(online)}`);
    // One online (from tabA, whichever node), one offline: tabB's connect and tabA's close told the admins nothing.
    expect(online.filter((e) => e.id === me.id)).toEqual([
      { kind: 'visitor', id: me.id, name: me.name, action: 'online' },
      { kind: 'visitor', id: me.id, name: me.name, action: 'offline' },
    ]);
  });

  it('[CLUSTER3] logout disconnects the session’s sockets on every node', async () => {
    const c = await startCluster();
    const [a, b] = c.nodes;
    const { cookie } = await b.login('leaver@example.com');
    const onA = await a.connectAs('/agent', transport, cookie);
    const onB = await b.connectAs('/agent', transport, cookie);
    const res = await a.http('/api/logout', { method: 'POST', cookie });
    expect(res.status).toBe(204);
    await eventually(() => !onA.connected && !onB.connected, 5000, () => `both sockets closed; still connected: on A ${onA.connected}, on B ${onB.connected}`);
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
    await eventually(() => adds.length === 3, 5000, () => `3 queue:add on node A's agent; got ${adds.length}`);
    const agentOnB = await c.agent(transport, 'qb@example.com');
    await ok(agentOnB.socket, 'conversation:claim', { conversationId: visitors[0].conversationId });
    const last = () => visitors.map((v) => v.positions.at(-1)?.queuePosition);
    await eventually(() => last()[1] === 1 && last()[2] === 2, 5000, () => `positions 1 and 2 for the second and third; last seen: ${JSON.stringify(last())}`);
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
    // Every socket is in the conversation's room before traffic starts: visitorB's room join comes from node A
    // through Redis before the conversation it then sends there, and agentOnA joins before its snapshot.
    await arrived(visitorB, 'conversation', (conv) => conv.id === conversationId);
    await arrived(agentOnA, 'conversation', (conv) => conv.id === conversationId);

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
        await sleep(25); // paced like a busy chat, about 40 messages a second from the four senders
      }
    };
    const senders = [sender(clients[0], 'va'), sender(clients[1], 'vb'), sender(clients[2], 'ab'), sender(clients[3], 'aa')];
    // The scenario's timeline (what is tested, not waits for something): traffic, a 1.5 s outage, traffic again.
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
    const names = ['visitor on A', 'visitor on B', 'agent on B', 'agent on A'];
    const missing = (cl: Client) => Array.from({ length: lastSeq }, (_, i) => i + 1).filter((seq) => !cl.messages.has(seq));
    await eventually(
      () => clients.every((cl) => cl.messages.size === lastSeq),
      5000,
      () => `every client caught up to seq ${lastSeq}; missing: ${JSON.stringify(Object.fromEntries(clients.map((cl, i) => [names[i], missing(cl)])))}`,
    );
    clients.forEach((cl, i) => {
      expect([...cl.messages.keys()].sort((x, y) => x - y), names[i]).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
      for (const m of acked) expect(cl.messages.get(m.seq)?.id, `${names[i]}: seq ${m.seq}`).toBe(m.id);
      expect(cl.socket.connected, `${names[i]} still connected`).toBe(true);
    });
    // Live `message` events reached every socket in seq order, each once, through the outage.
    clients.forEach((cl, i) => {
      expect(cl.live, `${names[i]}: live events in seq order`).toEqual([...cl.live].sort((x, y) => x - y));
      expect(cl.live.filter((seq, j) => cl.live.indexOf(seq) !== j), `${names[i]}: live events received twice`).toEqual([]);
    });
  });
});
