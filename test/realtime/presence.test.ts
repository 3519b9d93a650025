// [PRESENCE] SPEC §5 "Presence": joins and leaves counted across tabs.

import { describe, expect, it } from 'vitest';
import { type VisitorClient, agentTyped, arrived, eventually, next, ok, record, sleep, untilCounted, visitorTyped } from '../helpers/clients.ts';
import { MATRIX, startTopology } from '../helpers/topology.ts';
import { startApp } from '../helpers/start-app.ts';

const actions = (seen: Array<{ action: string; participant: { kind: string; id: string } }>) => seen.map((p) => `${p.action} ${p.participant.kind} ${p.participant.id}`);

describe.each(MATRIX)('[PRESENCE] %s over %s', (topology, transport) => {
  it('[PRES1] a second tab gives no second join; closing one of two gives no leave; closing the last gives one leave', async () => {
    const t = await startTopology(topology);
    const { socket: admin } = await t.admin(transport);
    const agent = await t.agent(transport);
    const { socket: tab1, cookie, visitor } = await t.visitor(transport);
    const { message } = await ok(tab1, 'message:send', { clientId: 'c', body: 'hi' });
    const conversationId = message.conversationId;
    const joinSnapshot = next(agent.socket, 'presence', (p) => p.participant.kind === 'visitor');
    await ok(agent.socket, 'conversation:claim', { conversationId });
    // On claim the agent learns the visitor is here (its first view of this participant).
    expect(await joinSnapshot).toMatchObject({ conversationId, action: 'join', participant: { kind: 'visitor', id: visitor.id } });

    const seen = record(agent.socket, 'presence');
    const tab2 = await t.connectAs('/visitor', transport, cookie);
    await untilCounted(admin, 'visitor', visitor.id, 2);
    // A join for tab2 would have been sent before tab2's typing (see visitorTyped).
    await visitorTyped(agent.socket, tab2, visitor.id);
    expect(actions(seen)).toEqual([]);

    tab1.close();
    // No event is ordered after tab1's close (the leave would come from its disconnect handling), so the
    // strongest observables: the registry has counted the close and still announces the visitor (one
    // connection left), then tab2's typing, sent after that, reaches the agent with nothing before it.
    await untilCounted(admin, 'visitor', visitor.id, 1);
    await visitorTyped(agent.socket, tab2, visitor.id);
    expect(actions(seen)).toEqual([]);

    tab2.close();
    await eventually(() => seen.length >= 1, 5000, () => `the leave; presence seen: ${JSON.stringify(actions(seen))}`);
    expect(seen[0]).toEqual({ conversationId, action: 'leave', participant: { kind: 'visitor', id: visitor.id, name: visitor.name } });

    // Coming back is one join: its typing comes after the join, and after a second one if there were any.
    const tab3 = await t.connectAs('/visitor', transport, cookie);
    await eventually(() => seen.length >= 2, 5000, () => `the join; presence seen: ${JSON.stringify(actions(seen))}`);
    await visitorTyped(agent.socket, tab3, visitor.id);
    expect(actions(seen)).toEqual([`leave visitor ${visitor.id}`, `join visitor ${visitor.id}`]);
  });

  it('[PRES2] agent tabs: two tabs are one participant; release is a leave; agent offline is a leave', async () => {
    const t = await startTopology(topology);
    const { socket: admin } = await t.admin(transport);
    const agent = await t.agent(transport, 'eve@example.com', { name: 'Eve' });
    const { socket: visitor } = await t.visitor(transport);
    const { message } = await ok(visitor, 'message:send', { clientId: 'c', body: 'hi' });
    const conversationId = message.conversationId;
    const seen = record(visitor, 'presence');
    await ok(agent.socket, 'conversation:claim', { conversationId });
    const expectSeen = (n: number, what: string) => eventually(() => seen.length === n, 5000, () => `${what} (presence #${n}); seen: ${JSON.stringify(actions(seen))}`);
    await expectSeen(1, 'the join on claim');
    expect(seen[0]).toMatchObject({ action: 'join', participant: { kind: 'agent', id: agent.agent.id, name: 'Eve' } });

    const tab2 = await t.connectAs('/agent', transport, agent.cookie);
    await arrived(tab2, 'conversation', (c: { id: string }) => c.id === conversationId);
    agent.socket.close();
    // As in [PRES1]: the registry counted the close (one tab left, still announced), then tab2's typing.
    await untilCounted(admin, 'agent', agent.agent.id, 1);
    await agentTyped(visitor, tab2, conversationId, agent.agent.id);
    expect(actions(seen)).toEqual([`join agent ${agent.agent.id}`]);

    tab2.close();
    await expectSeen(2, 'the leave when the last tab closed');
    expect(seen[1]).toMatchObject({ action: 'leave', participant: { id: agent.agent.id } });

    // Back online: one join for the assigned conversation; then release is a leave.
    const back = await t.connectAs('/agent', transport, agent.cookie);
    await expectSeen(3, 'the join when back online');
    expect(seen[2]).toMatchObject({ action: 'join', participant: { id: agent.agent.id } });
    await ok(back, 'conversation:release', { conversationId });
    await expectSeen(4, 'the leave on release');
    expect(seen[3]).toMatchObject({ action: 'leave', participant: { id: agent.agent.id } });
    // No participant ever sees two joins in a row.
    expect(seen.map((p) => p.action)).toEqual(['join', 'leave', 'join', 'leave']);
  });

  it('[PRES4] an agent who claims the moment they connect is one join, not two (their own "online" races the claim)', async () => {
    const t = await startTopology(topology);
    for (let round = 0; round < 5; round++) {
      const { socket: visitor } = await t.visitor(transport);
      const { message } = await ok(visitor, 'message:send', { clientId: `c${round}`, body: 'hi' });
      const conversationId = message.conversationId;
      const seen = record(visitor, 'presence');
      // A new agent: connecting announces them online while the claim below is already on its way.
      const agent = await t.agent(transport, `racer${round}@example.com`);
      await ok(agent.socket, 'conversation:claim', { conversationId });
      const reply = next(visitor, 'message', (m) => m.clientId === `a${round}`);
      await ok(agent.socket, 'message:send', { conversationId, clientId: `a${round}`, body: 'hello' });
      await reply;
      await eventually(() => seen.length >= 1, 5000, () => `the join in round ${round}; seen: ${JSON.stringify(actions(seen))}`);
      expect(seen.map((p) => `${p.action} ${p.participant.kind}`), `round ${round}`).toEqual(['join agent']);
      agent.socket.close();
      visitor.close();
    }
  });

  it('[PRES3] with a grace period, a quick reconnect (page reload) shows no leave at all', async () => {
    const GRACE_MS = 400;
    const t = await startTopology(topology, { env: { PRESENCE_GRACE_MS: String(GRACE_MS) } });
    const { socket: admin } = await t.admin(transport);
    const agent = await t.agent(transport);
    const { socket: tab1, cookie, visitor } = await t.visitor(transport);
    const { message } = await ok(tab1, 'message:send', { clientId: 'c', body: 'hi' });
    const joinSnapshot = next(agent.socket, 'presence', (p) => p.participant.kind === 'visitor');
    await ok(agent.socket, 'conversation:claim', { conversationId: message.conversationId });
    // The claim's presence events end with the visitor's join (sent to the agent after its own): recording starts after them.
    await joinSnapshot;
    const seen = record(agent.socket, 'presence');
    tab1.close();
    // The reload comes after the server counted the close (0 connections, still announced: in the grace period).
    await untilCounted(admin, 'visitor', visitor.id, 0);
    const countedAt = Date.now();
    const reloaded = await t.connectAs('/visitor', transport, cookie);
    // Waiting out the grace period is what is tested: the leave would be due GRACE_MS after the close
    // was counted, and countedAt is after that. Then the reloaded tab's typing as the barrier.
    await sleep(countedAt + GRACE_MS + 200 - Date.now());
    await visitorTyped(agent.socket, reloaded, visitor.id);
    expect(actions(seen)).toEqual([]);
  });
});

describe.each(MATRIX)('[AVAILABILITY] %s over %s', (topology, transport) => {
  it('[AVAIL1] visitors are told how many agents are available: once per agent, not when away; on connect and on change', async () => {
    const t = await startTopology(topology);
    const first = await t.visitor(transport);
    expect(await arrived(first.socket, 'availability')).toEqual({ agentsOnline: 0, email: false, open: true, nextOpening: null });
    const told = record(first.socket, 'availability');
    await t.agent(transport);
    const bob = await t.agent(transport);
    await t.connectAs('/agent', transport, bob.cookie); // a second tab is the same agent
    await eventually(() => told.at(-1)?.agentsOnline === 2, 5000, 'two agents available');
    await ok(bob.socket, 'status:set', { status: 'away' });
    await eventually(() => told.at(-1)?.agentsOnline === 1, 5000, 'one agent away');

    const second = await t.visitor(transport);
    expect(await arrived(second.socket, 'availability')).toEqual({ agentsOnline: 1, email: false, open: true, nextOpening: null });
    await ok(bob.socket, 'status:set', { status: 'online' });
    await eventually(() => told.at(-1)?.agentsOnline === 2, 5000, 'back from away');
  });
});

describe.each(MATRIX)('[QUEUE] %s over %s', (topology, transport) => {
  it('[QUEUE1] three waiting visitors see positions 1, 2, 3, then 1, 2 after the first is claimed', async () => {
    const t = await startTopology(topology);
    const agent = await t.agent(transport);
    const visitors: Array<{ socket: VisitorClient; positions: Array<{ id: string; queuePosition: number | null; status: string }>; conversationId: string }> = [];
    for (let i = 0; i < 3; i++) {
      const v = await t.visitor(transport);
      const positions = record(v.socket, 'conversation');
      const { message } = await ok(v.socket, 'message:send', { clientId: 'c', body: `visitor ${i}` });
      visitors.push({ ...v, positions, conversationId: message.conversationId });
    }
    const last = (v: (typeof visitors)[number]): number | null | undefined => v.positions.at(-1)?.queuePosition;
    const positions = () => `positions 1,2,3; last seen: ${JSON.stringify(visitors.map(last))}`;
    await eventually(() => visitors.every((v, i) => last(v) === i + 1), 5000, positions);

    await ok(agent.socket, 'conversation:claim', { conversationId: visitors[0].conversationId });
    await eventually(() => last(visitors[1]) === 1 && last(visitors[2]) === 2, 5000, () => `positions 1,2 for the second and third; last seen: ${JSON.stringify(visitors.map(last))}`);
    expect(visitors[0].positions.at(-1)).toMatchObject({ status: 'active', queuePosition: null });

    // A new agent connecting gets the queue snapshot in order.
    const late = await t.connectAs('/agent', transport, agent.cookie);
    const q = await arrived(late, 'queue');
    expect(q.conversations.map((c) => [c.id, c.queuePosition])).toEqual([
      [visitors[1].conversationId, 1],
      [visitors[2].conversationId, 2],
    ]);
  });

  it('[QUEUE2] agents hear a queued conversation again when its visitor\'s name changes, and not for every place that moves', async () => {
    const t = await startTopology(topology);
    const agent = await t.agent(transport);
    const waiting: Array<{ socket: VisitorClient; conversationId: string }> = [];
    for (let i = 0; i < 3; i++) {
      const v = await t.visitor(transport);
      const { message } = await ok(v.socket, 'message:send', { clientId: 'c', body: `visitor ${i}` });
      waiting.push({ ...v, conversationId: message.conversationId });
    }
    const watcher = await t.agent(transport, 'watcher@example.com');
    const updates = record(watcher.socket, 'queue:add');
    // A claim moves the two behind up: their visitors are told (QUEUE1), agents see queue:remove and count places.
    const moved = next(waiting[2].socket, 'conversation', (c) => c.queuePosition === 2);
    const removed = next(watcher.socket, 'queue:remove');
    await ok(agent.socket, 'conversation:claim', { conversationId: waiting[0].conversationId });
    expect(await removed).toEqual({ conversationId: waiting[0].conversationId, reason: 'claimed' });
    await moved;
    // The rename reaches the watcher after anything the claim sent it (same room, later event): a barrier.
    await ok(waiting[2].socket, 'profile:update', { name: 'Maya Chen' });
    await eventually(() => updates.length > 0, 5000, 'the renamed conversation');
    expect(updates.map((c) => [c.id, c.visitor.name, c.queuePosition])).toEqual([[waiting[2].conversationId, 'Maya Chen', 2]]);
  });
});

describe('[QUEUE] opens that race', () => {
  it('[QUEUE3] a conversation committed after another but queued before it (its open read the clock first) moves the other back: each visitor is told their true place', async () => {
    // The app's clock stands still unless moved: the second visitor's open reads an earlier time, as
    // a node whose commit lands later can (another node's, or the same node's next batch).
    let now = Date.now();
    const t = await startApp({ clock: { now: () => now } });
    const first = await t.visitor('websocket');
    const second = await t.visitor('websocket');
    const one = (await ok(first.socket, 'message:send', { clientId: 'a', body: 'first to commit' })).message.conversationId;
    expect((await arrived(first.socket, 'conversation', (c) => c.id === one)).queuePosition).toBe(1);
    now -= 1000;
    const movedBack = next(first.socket, 'conversation', (c) => c.id === one && c.queuePosition === 2);
    const two = (await ok(second.socket, 'message:send', { clientId: 'b', body: 'queued earlier' })).message.conversationId;
    expect((await arrived(second.socket, 'conversation', (c) => c.id === two)).queuePosition).toBe(1);
    expect((await t.store.listQueue()).map((c) => c.id)).toEqual([two, one]);
    await movedBack;
  });
});
