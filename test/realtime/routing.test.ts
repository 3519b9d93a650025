// [ROUTE] Routing (docs/protocol.md, "Routing"): auto-assignment to the least busy available
// agent within capacity, exactly once across nodes; away agents skipped; an offline agent's
// conversations requeued after OFFLINE_REQUEUE_MS with their place kept; manual claims in auto
// mode; switching modes live; the settings API.

import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../server/protocol/shapes.ts';
import { type AgentClient, type Transport, arrived, eventually, next, ok, record, request } from '../helpers/clients.ts';
import type { TestApp } from '../helpers/start-app.ts';
import { MATRIX, startCluster, startTopology, type Topology } from '../helpers/topology.ts';

const AUTO = { ROUTING: 'auto' };

async function adminCookie(t: TestApp): Promise<string> {
  return (await t.login('root@example.com', { role: 'admin', name: 'Root' })).cookie;
}

async function putSettings(t: TestApp, cookie: string, json: unknown): Promise<Response> {
  return t.http('/api/settings', { method: 'PUT', cookie, json });
}

/** A visitor who writes once: their queued (or at once assigned) conversation's id. */
async function writes(t: TestApp, transport: Transport, body = 'hello'): Promise<{ conversationId: string; socket: Awaited<ReturnType<TestApp['visitor']>>['socket'] }> {
  const { socket } = await t.visitor(transport);
  const { message } = await ok(socket, 'message:send', { clientId: `c-${body}`, body });
  return { conversationId: message.conversationId, socket };
}

/** The next unprompted `conversation` for this agent saying it is theirs and active. */
function assignedTo(agent: { socket: AgentClient; agent: { id: string } }, conversationId?: string): Promise<Conversation> {
  return next(agent.socket, 'conversation', (c) => c.status === 'active' && c.agent?.id === agent.agent.id && (!conversationId || c.id === conversationId));
}

describe.each(MATRIX)('[ROUTE] %s over %s', (topology: Topology, transport: Transport) => {
  it('[ROUTE1] auto: each new conversation goes to the least busy available agent (ties: served longest ago), told at once; the queue hears `assigned`; the visitor sees the agent join', async () => {
    const t = await startTopology(topology, { env: { ...AUTO, DEFAULT_AGENT_CAPACITY: '2' } });
    const ann = await t.agent(transport, 'ann@example.com', { name: 'Ann' });
    const bo = await t.agent(transport, 'bo@example.com', { name: 'Bo' });
    const removed = record(bo.socket, 'queue:remove');
    const mine = { [ann.agent.id]: [] as string[], [bo.agent.id]: [] as string[] };
    const annSeen = record(ann.socket, 'conversation');
    const boSeen = record(bo.socket, 'conversation');

    const owners: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const toAnn = assignedTo(ann);
      const toBo = assignedTo(bo);
      // Listening before the first message: its assignment may come right after the ack.
      const { socket: visitor } = await t.visitor(transport);
      const joined = next(visitor, 'presence', (p) => p.action === 'join' && p.participant.kind === 'agent');
      const active = next(visitor, 'conversation', (c) => c.status === 'active');
      const { conversationId } = (await ok(visitor, 'message:send', { clientId: `c-m${i}`, body: `m${i}` })).message;
      const winner = await Promise.race([toAnn.then(() => ann), toBo.then(() => bo)]);
      toAnn.catch(() => {});
      toBo.catch(() => {});
      expect(winner === ann ? boSeen : annSeen).not.toContainEqual(expect.objectContaining({ id: conversationId, status: 'active' }));
      mine[winner.agent.id].push(conversationId);
      owners.push(winner.agent.id);
      expect((await joined).participant).toMatchObject({ kind: 'agent', id: winner.agent.id });
      expect(await active).toMatchObject({ id: conversationId, agent: { id: winner.agent.id } });
      await eventually(() => removed.some((r) => r.conversationId === conversationId), 5000, `queue:remove for ${conversationId}`);
      expect(removed.find((r) => r.conversationId === conversationId)!.reason).toBe('assigned');
    }
    // Least busy: the second goes to the other agent; then both hold one, and the one served longest ago (the first) gets the third.
    expect(owners[1]).not.toBe(owners[0]);
    expect(owners[2]).toBe(owners[0]);
    expect(owners[3]).toBe(owners[1]);
    // Both at capacity (2): the fifth waits.
    const { conversationId: fifth } = await writes(t, transport, 'm5');
    const loads = await t.store.agentLoads();
    expect(loads.filter((l) => l.agentId === ann.agent.id || l.agentId === bo.agent.id).map((l) => l.active)).toEqual([2, 2]);
    expect((await t.store.getConversation(fifth))!.status).toBe('queued');
    // Closing one frees a place: the waiting one goes to that agent.
    const freed = owners[0] === ann.agent.id ? ann : bo;
    const toFreed = assignedTo(freed, fifth);
    await ok(freed.socket, 'conversation:close', { conversationId: mine[freed.agent.id][0] });
    expect((await toFreed).id).toBe(fifth);
  });

  it('[ROUTE3] away agents get no new conversations and keep theirs; back online, they get the waiting ones', async () => {
    const t = await startTopology(topology, { env: { ...AUTO, DEFAULT_AGENT_CAPACITY: '1' } });
    const ann = await t.agent(transport, 'ann@example.com', { name: 'Ann' });
    const first = assignedTo(ann);
    const { conversationId: c1 } = await writes(t, transport, 'one');
    expect((await first).id).toBe(c1);
    await ok(ann.socket, 'conversation:close', { conversationId: c1 });
    await ok(ann.socket, 'status:set', { status: 'away' });
    const { conversationId: c2 } = await writes(t, transport, 'two');
    // A pass ran for the new conversation (it was the trigger) and skipped the away agent.
    await eventually(async () => (await t.store.getConversation(c2))!.status === 'queued', 5000, 'queued');
    const back = assignedTo(ann, c2);
    await ok(ann.socket, 'status:set', { status: 'online' });
    expect((await back).id).toBe(c2);
  });

  it('[ROUTE5] a manual claim works in auto mode; switching manual → auto assigns what waits, on every node', async () => {
    const t = await startTopology(topology);
    const root = await adminCookie(t);
    const ann = await t.agent(transport, 'ann@example.com', { name: 'Ann' });
    // Manual (the default): conversations wait.
    const { conversationId: c1 } = await writes(t, transport, 'one');
    const { conversationId: c2 } = await writes(t, transport, 'two');
    expect((await t.store.getConversation(c1))!.status).toBe('queued');
    const toAnn = assignedTo(ann, c1);
    const res = await putSettings(t, root, { routingMode: 'auto' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { settings: unknown }).settings).toMatchObject({ routingMode: 'auto', defaultCapacity: 3 });
    // The oldest first.
    expect((await toAnn).id).toBe(c1);
    await eventually(async () => (await t.store.getConversation(c2))!.agentId === ann.agent.id, 5000, 'the second assigned too');
    // Every node reads the change.
    for (const node of 'nodes' in t ? (t as unknown as { nodes: TestApp[] }).nodes : [t]) {
      await eventually(async () => ((await (await node.http('/api/settings', { cookie: root })).json()) as { settings: { routingMode: string } }).settings.routingMode === 'auto', 5000, 'settings on every node');
    }
    // In auto mode, an agent may still claim by hand: Ann is full (3)? Not yet: give Bo one by hand.
    await ok(ann.socket, 'status:set', { status: 'away' });
    const { conversationId: c3 } = await writes(t, transport, 'three');
    await eventually(async () => (await t.store.getConversation(c3))!.status === 'queued', 5000, 'queued while nobody is available');
    const bo = await t.agent(transport, 'bo@example.com', { name: 'Bo' });
    // Bo's arrival is a trigger too: the waiting conversation goes to Bo (as an assignment or, if Bo is quicker, a claim).
    const claimed = await request(bo.socket, 'conversation:claim', { conversationId: c3 });
    const held = await t.store.getConversation(c3);
    expect(held).toMatchObject({ status: 'active', agentId: bo.agent.id });
    if (!claimed.ok) expect(claimed.error.code).toBe('already_claimed');
  });
});

describe('[ROUTE] two nodes', () => {
  it('[ROUTE2] 2 nodes, 20 conversations, 5 agents of capacity 3: 15 assigned, each agent exactly 3, none twice — three rounds', async () => {
    const t = await startCluster({ env: { ...AUTO, DEFAULT_AGENT_CAPACITY: '3' } });
    const [a, b] = t.nodes;
    const agents: Array<Awaited<ReturnType<TestApp['agent']>>> = [];
    for (let i = 0; i < 5; i++) agents.push(await (i % 2 ? a : b).agent('websocket', `agent${i}@example.com`, { name: `Agent ${i}` }));
    const assignments = new Map<string, string[]>();
    for (const ag of agents) {
      ag.socket.on('conversation', (c) => {
        if (c.status === 'active' && c.agent?.id === ag.agent.id) assignments.set(c.id, [...new Set([...(assignments.get(c.id) ?? []), ag.agent.id])]);
      });
    }
    for (let round = 1; round <= 3; round++) {
      // Visitors on both nodes, all at once: both nodes run passes at the same moment.
      const opened = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const { socket } = await (i % 2 ? a : b).visitor('websocket');
          return (await ok(socket, 'message:send', { clientId: `r${round}-${i}`, body: `round ${round}` })).message.conversationId;
        }),
      );
      const maxSeen = { n: 0 };
      await eventually(
        async () => {
          const loads = (await t.store.agentLoads()).filter((l) => agents.some((ag) => ag.agent.id === l.agentId));
          maxSeen.n = Math.max(maxSeen.n, ...loads.map((l) => l.active));
          return loads.every((l) => l.active === 3);
        },
        10_000,
        'every agent at 3',
      );
      const states = await Promise.all(opened.map((id) => t.store.getConversation(id)));
      expect(states.filter((c) => c!.status === 'active')).toHaveLength(15);
      expect(states.filter((c) => c!.status === 'queued')).toHaveLength(5);
      expect(maxSeen.n).toBeLessThanOrEqual(3);
      // Each assigned conversation reached exactly one agent, its holder (the event follows the commit: wait for it).
      const active = states.filter((s) => s!.status === 'active');
      await eventually(() => active.every((c) => assignments.has(c!.id)), 5000, 'every assignment told to its agent');
      for (const c of active) expect(assignments.get(c!.id)).toEqual([c!.agentId]);
      // Close everything for the next round (the 5 waiting ones get assigned as places free: close until none is open).
      await eventually(
        async () => {
          const open = await Promise.all(agents.map(async (ag) => ({ ag, held: await t.store.listConversations({ agentId: ag.agent.id, status: 'active' }) })));
          for (const { ag, held } of open) for (const c of held) await request(ag.socket, 'conversation:close', { conversationId: c.id });
          return (await t.store.listConversations({ status: 'queued' })).length === 0 && open.every((o) => o.held.length === 0);
        },
        15_000,
        'every conversation of the round closed',
      );
    }
  });

  it('[ROUTE4] an agent offline past OFFLINE_REQUEUE_MS: their conversations go back to the queue at their place, then to an available agent', async () => {
    const t = await startCluster({ env: { ...AUTO, DEFAULT_AGENT_CAPACITY: '2', OFFLINE_REQUEUE_MS: '300' } });
    const [a, b] = t.nodes;
    const ann = await b.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const first = assignedTo(ann);
    const { conversationId: c1, socket: v1 } = await writes(a, 'websocket', 'one');
    await first;
    const second = assignedTo(ann);
    const { conversationId: c2 } = await writes(a, 'websocket', 'two');
    await second;
    const { conversationId: c3 } = await writes(a, 'websocket', 'three');
    const queuedAt = new Map((await Promise.all([c1, c2, c3].map((id) => t.store.getConversation(id)))).map((c) => [c!.id, c!.queuedAt]));
    const left = next(v1, 'presence', (p) => p.action === 'leave' && p.participant.id === ann.agent.id);
    const requeued = next(v1, 'conversation', (c) => c.id === c1 && c.status === 'queued');
    ann.socket.disconnect();
    await left;
    const back = await requeued;
    expect(back.queuePosition).toBe(1);
    // Their place kept: the queue is c1, c2 (queued before c3), c3.
    const queue = await t.store.listQueue();
    expect(queue.map((c) => c.id)).toEqual([c1, c2, c3]);
    expect(queue.map((c) => c.queuedAt)).toEqual([c1, c2, c3].map((id) => queuedAt.get(id)));
    // Offered again to whoever is available: Bo takes the two oldest (capacity 2) on the other node.
    const bo = await a.agent('websocket', 'bo@example.com', { name: 'Bo' });
    await eventually(async () => (await t.store.listConversations({ agentId: bo.agent.id, status: 'active' })).length === 2, 5000, 'Bo holds two');
    expect((await t.store.listConversations({ agentId: bo.agent.id, status: 'active' })).map((c) => c.id).sort()).toEqual([c1, c2].sort());
  });
});

describe('[ROUTE] console settings', () => {
  it('[ROUTE7] every console gets the idle time before "away" on connect, and again on every node when an admin changes it', async () => {
    const t = await startCluster({ env: { AWAY_AFTER_MS: '60000' } });
    const [a, b] = t.nodes;
    const root = (await a.login('root@example.com', { role: 'admin', name: 'Root' })).cookie;
    const onA = await a.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const onB = await b.agent('polling', 'bo@example.com', { name: 'Bo' });
    for (const c of [onA, onB]) expect(await arrived(c.socket, 'settings')).toEqual({ awayAfterMs: 60000 });
    const changed = [onA, onB].map((c) => next(c.socket, 'settings', (e) => e.awayAfterMs === 5000));
    expect((await a.http('/api/settings', { method: 'PUT', cookie: root, json: { awayAfterMs: 5000 } })).status).toBe(200);
    expect(await Promise.all(changed)).toEqual([{ awayAfterMs: 5000 }, { awayAfterMs: 5000 }]);
  });
});

describe('[ROUTE] settings API', () => {
  it('[ROUTE6] admins only; every value checked; a refused change changes nothing; capacity per agent', async () => {
    const t = await startTopology('single');
    const root = await adminCookie(t);
    const { cookie: agentCookie, agent } = await t.login('ann@example.com', { name: 'Ann' });
    expect((await t.http('/api/settings')).status).toBe(401);
    expect((await t.http('/api/settings', { cookie: agentCookie })).status).toBe(403);
    expect((await putSettings(t, agentCookie, { routingMode: 'auto' })).status).toBe(403);
    const before = await (await t.http('/api/settings', { cookie: root })).json();
    expect(before).toEqual({
      settings: { routingMode: 'manual', defaultCapacity: 3, offlineRequeueMs: 120000, awayAfterMs: 900000, businessHours: null, emailFollowUpDelayMs: 180000 },
      email: { enabled: false, from: 'Parley <parley@localhost>' },
    });
    for (const bad of [{}, { routingMode: 'sometimes' }, { defaultCapacity: 0 }, { defaultCapacity: 101 }, { defaultCapacity: 1.5 }, { defaultCapacity: '3' }, { offlineRequeueMs: -1 }, { awayAfterMs: 86_400_001 }, { other: 1 }, { routingMode: 'auto', defaultCapacity: 0 }, []]) {
      const res = await putSettings(t, root, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_payload');
    }
    expect(await (await t.http('/api/settings', { cookie: root })).json()).toEqual(before);
    const changed = await putSettings(t, root, { defaultCapacity: 5, offlineRequeueMs: 0 });
    expect(((await changed.json()) as { settings: unknown }).settings).toEqual({ routingMode: 'manual', defaultCapacity: 5, offlineRequeueMs: 0, awayAfterMs: 900000, businessHours: null, emailFollowUpDelayMs: 180000 });

    // An agent's own capacity: 1–100, or null for the team's default.
    const patch = (json: unknown) => t.http(`/api/agents/${agent.id}`, { method: 'PATCH', cookie: root, json });
    for (const bad of [{ capacity: 0 }, { capacity: 101 }, { capacity: 2.5 }, { capacity: '2' }]) expect((await patch(bad)).status, JSON.stringify(bad)).toBe(400);
    expect(((await (await patch({ capacity: 7 })).json()) as { agent: unknown }).agent).toMatchObject({ id: agent.id, capacity: 7 });
    expect(((await (await patch({ capacity: null })).json()) as { agent: unknown }).agent).toMatchObject({ id: agent.id, capacity: null });
  });
});
