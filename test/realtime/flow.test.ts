// [FLOW] The whole conversation lifecycle of SPEC §5, over both transports.

import { describe, expect, it } from 'vitest';
import { arrived, next, ok, record, request } from '../helpers/clients.ts';
import { MATRIX, startTopology } from '../helpers/topology.ts';

describe.each(MATRIX)('[FLOW] full flow %s over %s', (topology, transport) => {
  it('[FLOW1] visitor → queue → claim → messages → release → re-claim → transfer → close', async () => {
    const t = await startTopology(topology);
    const alice = await t.agent(transport, 'alice@example.com', { name: 'Alice' });
    const bob = await t.agent(transport, 'bob@example.com', { name: 'Bob' });
    const { socket: visitor, visitor: me } = await t.visitor(transport);

    // First message opens a queued conversation; every agent hears queue:add.
    const queueAdd = next(alice.socket, 'queue:add');
    const visitorConv = next(visitor, 'conversation');
    const { message: first } = await ok(visitor, 'message:send', { clientId: 'v-1', body: 'Hello, I need help' });
    expect(first).toMatchObject({ seq: 1, clientId: 'v-1', body: 'Hello, I need help', author: { kind: 'visitor', id: me.id } });
    expect(new Date(first.createdAt).toISOString()).toBe(first.createdAt);
    const queued = await queueAdd;
    expect(queued).toMatchObject({ id: first.conversationId, status: 'queued', agent: null, queuePosition: 1, visitor: { id: me.id } });
    expect((await visitorConv).queuePosition).toBe(1);
    const conversationId = first.conversationId;

    // Claim: queue:remove to agents, conversation update to the visitor, presence join of the agent.
    const removed = next(bob.socket, 'queue:remove');
    const visitorSeesActive = next(visitor, 'conversation', (c) => c.status === 'active');
    const agentJoin = next(visitor, 'presence', (p) => p.action === 'join' && p.participant.kind === 'agent');
    const claimed = await ok(alice.socket, 'conversation:claim', { conversationId });
    expect(claimed.conversation).toMatchObject({ status: 'active', agent: { id: alice.agent.id, name: 'Alice' }, queuePosition: null });
    expect(await removed).toEqual({ conversationId, reason: 'claimed' });
    expect((await visitorSeesActive).agent?.id).toBe(alice.agent.id);
    expect((await agentJoin).participant).toEqual({ kind: 'agent', id: alice.agent.id, name: 'Alice' });

    // Messages both ways, acked with seq 2 and 3, delivered to the other side.
    const atVisitor = next(visitor, 'message');
    const { message: reply } = await ok(alice.socket, 'message:send', { conversationId, clientId: 'a-1', body: 'Hi! How can I help?' });
    expect(reply.seq).toBe(2);
    expect(await atVisitor).toEqual(reply);
    const atAgent = next(alice.socket, 'message');
    const { message: second } = await ok(visitor, 'message:send', { clientId: 'v-2', body: 'My order is late' });
    expect(second.seq).toBe(3);
    expect(await atAgent).toEqual(second);

    // Release: back to the queue, agent leaves.
    const requeued = next(bob.socket, 'queue:add');
    const agentLeave = next(visitor, 'presence', (p) => p.action === 'leave');
    const released = await ok(alice.socket, 'conversation:release', { conversationId });
    expect(released.conversation).toMatchObject({ status: 'queued', agent: null, queuePosition: 1 });
    expect((await requeued).id).toBe(conversationId);
    expect((await agentLeave).participant.id).toBe(alice.agent.id);
    // Alice no longer receives the conversation's messages.
    const aliceMessages = record(alice.socket, 'message');

    // Bob re-claims, then transfers to Alice.
    await ok(bob.socket, 'conversation:claim', { conversationId });
    const bobGets = next(bob.socket, 'message');
    await ok(visitor, 'message:send', { clientId: 'v-3', body: 'Still there?' });
    expect((await bobGets).seq).toBe(4);
    expect(aliceMessages).toHaveLength(0);

    const aliceGetsConversation = next(alice.socket, 'conversation', (c) => c.id === conversationId && c.agent?.id === alice.agent.id);
    const presence = record(visitor, 'presence');
    // Alice's join is announced after a presence lookup of its own, which may finish after the next message.
    const aliceJoins = next(visitor, 'presence', (p) => p.action === 'join' && p.participant.id === alice.agent.id);
    const transferred = await ok(bob.socket, 'conversation:transfer', { conversationId, agentId: alice.agent.id });
    expect(transferred.conversation.agent?.id).toBe(alice.agent.id);
    await aliceGetsConversation;
    const aliceGets = next(alice.socket, 'message');
    await ok(visitor, 'message:send', { clientId: 'v-4', body: 'Thanks' });
    expect((await aliceGets).seq).toBe(5);
    await aliceJoins;
    expect(presence.map((p) => `${p.action}:${p.participant.id}`)).toEqual([`leave:${bob.agent.id}`, `join:${alice.agent.id}`]);

    // Close: the visitor sees it; sending on a closed conversation is refused; history still reads.
    const visitorSeesClosed = next(visitor, 'conversation', (c) => c.status === 'closed');
    const closed = await ok(alice.socket, 'conversation:close', { conversationId });
    expect(closed.conversation.status).toBe('closed');
    expect((await visitorSeesClosed).id).toBe(conversationId);
    const refused = await request(alice.socket, 'message:send', { conversationId, clientId: 'a-2', body: 'late' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conversation_closed' } });
    const history = await ok(visitor, 'history:get', {});
    expect(history.conversation?.status).toBe('closed');
    expect(history.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);

    // Writing again opens a new queued conversation.
    const { message: fresh } = await ok(visitor, 'message:send', { clientId: 'v-5', body: 'One more thing' });
    expect(fresh.conversationId).not.toBe(conversationId);
    expect(fresh.seq).toBe(1);
  });

  it('[FLOW2] typing and read receipts reach the other side', async () => {
    const t = await startTopology(topology);
    const agent = await t.agent(transport);
    const { socket: visitor } = await t.visitor(transport);
    const { message } = await ok(visitor, 'message:send', { clientId: 'c1', body: 'hi' });
    await ok(agent.socket, 'conversation:claim', { conversationId: message.conversationId });

    const typing = next(visitor, 'typing');
    agent.socket.emit('typing', { conversationId: message.conversationId, typing: true });
    expect(await typing).toMatchObject({ conversationId: message.conversationId, typing: true, participant: { kind: 'agent' } });

    const agentTyping = next(agent.socket, 'typing');
    visitor.emit('typing', { typing: true });
    expect(await agentTyping).toMatchObject({ participant: { kind: 'visitor' }, typing: true });

    const read = next(visitor, 'read');
    agent.socket.emit('read', { conversationId: message.conversationId, seq: 1 });
    expect(await read).toMatchObject({ seq: 1, participant: { kind: 'agent' } });

    const visitorRead = next(agent.socket, 'read', (r) => r.participant.kind === 'visitor');
    const { message: m2 } = await ok(agent.socket, 'message:send', { conversationId: message.conversationId, clientId: 'a', body: 'yo' });
    visitor.emit('read', { seq: m2.seq });
    expect(await visitorRead).toMatchObject({ seq: 2, participant: { kind: 'visitor' } });
  });

  it('[FLOW4] read positions are part of every snapshot and history, so a reload keeps unread counts and "Seen"', async () => {
    const t = await startTopology(topology);
    const agent = await t.agent(transport);
    const { socket: visitor, cookie } = await t.visitor(transport);
    const { message } = await ok(visitor, 'message:send', { clientId: 'v1', body: 'hi' });
    const conversationId = message.conversationId;
    await ok(agent.socket, 'conversation:claim', { conversationId });
    for (const n of [1, 2, 3]) await ok(agent.socket, 'message:send', { conversationId, clientId: `a${n}`, body: `reply ${n}` });
    // The visitor read up to the second reply (seq 3), the agent the visitor's message (seq 1).
    const visitorRead = next(agent.socket, 'read', (r) => r.participant.kind === 'visitor');
    visitor.emit('read', { seq: 3 });
    await visitorRead;
    const agentRead = next(visitor, 'read', (r) => r.participant.kind === 'agent');
    agent.socket.emit('read', { conversationId, seq: 1 });
    await agentRead;
    const reads = { visitor: 3, agent: 1 };

    // A reload on each side: the connect snapshot and history both say how far each side read.
    const tab = await t.connectAs('/visitor', transport, cookie);
    expect((await arrived(tab, 'conversation', (c) => c.id === conversationId)).reads).toEqual(reads);
    expect((await ok(tab, 'history:get', {})).conversation?.reads).toEqual(reads);
    const console2 = await t.connectAs('/agent', transport, agent.cookie);
    expect((await arrived(console2, 'conversation', (c) => c.id === conversationId)).reads).toEqual(reads);
    expect((await ok(console2, 'history:get', { conversationId })).conversation?.reads).toEqual(reads);
    const res = await t.http(`/api/conversations/${conversationId}/messages`, { cookie: agent.cookie });
    expect(((await res.json()) as { conversation: { reads: unknown } }).conversation.reads).toEqual(reads);
  });

  it('[FLOW3] profile update, page views and status show on the admin dashboard', async () => {
    const t = await startTopology(topology);
    const admin = await t.admin(transport);
    const agent = await t.agent(transport, 'carol@example.com', { name: 'Carol' });
    const { socket: visitor, visitor: me } = await t.visitor(transport);
    const { visitor: updated } = await ok(visitor, 'profile:update', { name: 'Dana', email: 'dana@example.com' });
    expect(updated).toMatchObject({ id: me.id, name: 'Dana', email: 'dana@example.com' });
    visitor.emit('page:view', { url: 'https://shop.example.com/cart', title: 'Cart' });
    const { message } = await ok(visitor, 'message:send', { clientId: 'x', body: 'hello' });
    expect(message.author.name).toBe('Dana');
    await ok(agent.socket, 'conversation:claim', { conversationId: message.conversationId });
    await ok(agent.socket, 'status:set', { status: 'away' });

    const snapshot = await ok(admin.socket, 'online:get');
    expect(snapshot.agents.find((a) => a.id === agent.agent.id)).toMatchObject({ status: 'away', connections: 1, activeConversations: 1 });
    expect(snapshot.visitors).toEqual([
      { id: me.id, name: 'Dana', connections: 1, conversationId: message.conversationId, page: { url: 'https://shop.example.com/cart', title: 'Cart' } },
    ]);
    expect(snapshot.queue).toEqual({ length: 0, oldestWaitMs: null });

    // online/offline events
    const offline = next(admin.socket, 'online', (e) => e.action === 'offline');
    visitor.close();
    expect(await offline).toMatchObject({ kind: 'visitor', id: me.id, action: 'offline' });
    const online = next(admin.socket, 'online', (e) => e.action === 'online');
    await t.visitor(transport, (await t.visitorSession()).cookie);
    expect(await online).toMatchObject({ kind: 'visitor', action: 'online' });
  });
});
