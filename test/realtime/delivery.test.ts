// [DELIVERY] SPEC §6: atomic claims, idempotent sends, per-conversation order.

import { describe, expect, it } from 'vitest';
import type { Message } from '../../server/protocol/shapes.ts';
import { type AgentClient, eventually, next, ok, record, request } from '../helpers/clients.ts';
import { MATRIX, startTopology } from '../helpers/topology.ts';

describe.each(MATRIX)('[DELIVERY] %s over %s', (topology, transport) => {
  // Twenty sign-ins each hash a password: seconds of CPU, more on a loaded machine.
  it('[CLAIM1] exactly one of 20 racing agents wins the claim', { timeout: 90_000 }, async () => {
    const t = await startTopology(topology);
    const agents = await Promise.all(Array.from({ length: 20 }, (_, i) => t.agent(transport, `racer${i}@example.com`)));
    const { socket: visitor } = await t.visitor(transport);
    const { message } = await ok(visitor, 'message:send', { clientId: 'c', body: 'help' });
    const results = await Promise.all(
      agents.map(({ socket }) => request(socket as AgentClient, 'conversation:claim', { conversationId: message.conversationId })),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const losers = results.filter((r) => !r.ok);
    expect(losers).toHaveLength(19);
    for (const r of losers) expect(r).toMatchObject({ ok: false, error: { code: 'already_claimed' } });
    const stored = await t.store.getConversation(message.conversationId);
    expect(stored?.status).toBe('active');
  });

  it('[IDEM1] re-sending a clientId returns the original message and stores nothing new', async () => {
    const t = await startTopology(topology);
    const agent = await t.agent(transport);
    const { socket: visitor } = await t.visitor(transport);
    const first = await ok(visitor, 'message:send', { clientId: 'same', body: 'once' });
    const reannounced = next(agent.socket, 'queue:add');
    const again = await ok(visitor, 'message:send', { clientId: 'same', body: 'once (retry)' });
    expect(again.message).toEqual(first.message);
    // Retrying the opening message announces the queued conversation again (idempotent for clients: same id).
    expect((await reannounced).id).toBe(first.message.conversationId);
    const conversationId = first.message.conversationId;
    await ok(agent.socket, 'conversation:claim', { conversationId });
    const a1 = await ok(agent.socket, 'message:send', { conversationId, clientId: 'agent-1', body: 'hi' });
    const a2 = await ok(agent.socket, 'message:send', { conversationId, clientId: 'agent-1', body: 'hi' });
    expect(a2.message).toEqual(a1.message);
    const history = await t.store.getMessages(conversationId, { limit: 200 });
    expect(history.map((m) => [m.seq, m.clientId])).toEqual([
      [1, 'same'],
      [2, 'agent-1'],
    ]);
  });

  it('[ORDER1] 200 interleaved messages arrive at both sides in seq order, gap-free, matching history', async () => {
    const t = await startTopology(topology, { env: { MESSAGE_RATE_LIMIT: '0' } });
    const agent = await t.agent(transport);
    const { socket: visitor, cookie } = await t.visitor(transport);
    // A second visitor tab and a second agent tab watch everything, including their own side's messages.
    const visitorTab2 = await t.connectAs('/visitor', transport, cookie);
    const { message: opener } = await ok(visitor, 'message:send', { clientId: 'open', body: 'start' });
    const conversationId = opener.conversationId;
    await ok(agent.socket, 'conversation:claim', { conversationId });
    const agentTab2 = await t.connectAs('/agent', transport, agent.cookie);
    let inRoom = 0;
    await eventually(
      async () => (inRoom = (await t.app.ns.agent.in(`conversation:${conversationId}`).fetchSockets()).length) === 2,
      5000,
      () => `both agent tabs in the conversation room; ${inRoom} there`,
    );

    const atVisitor = record(visitor, 'message');
    const atAgent = record(agent.socket, 'message');
    const atVisitorTab2 = record(visitorTab2, 'message');
    const atAgentTab2 = record(agentTab2, 'message');

    const sends: Array<Promise<{ message: Message }>> = [];
    for (let i = 0; i < 100; i++) {
      sends.push(ok(visitor, 'message:send', { clientId: `v${i}`, body: `visitor ${i}` }));
      sends.push(ok(agent.socket, 'message:send', { conversationId, clientId: `a${i}`, body: `agent ${i}` }));
    }
    const acked = (await Promise.all(sends)).map((r) => r.message);
    const seqs = acked.map((m) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 2));

    // Each side receives the other's messages (the sender has the ack); other tabs receive all 200.
    const counts = () => ({ atVisitor: atVisitor.length, atAgent: atAgent.length, atVisitorTab2: atVisitorTab2.length, atAgentTab2: atAgentTab2.length });
    const expected = { atVisitor: 100, atAgent: 100, atVisitorTab2: 200, atAgentTab2: 200 };
    await eventually(
      () => JSON.stringify(counts()) === JSON.stringify(expected),
      10_000,
      () => `all deliveries: expected ${JSON.stringify(expected)}, received ${JSON.stringify(counts())}`,
    );
    for (const list of [atVisitor, atAgent, atVisitorTab2, atAgentTab2]) {
      const s = list.map((m) => m.seq);
      expect(s).toEqual([...s].sort((a, b) => a - b));
    }
    expect(atVisitor.filter((m) => m.author.kind !== 'agent').map((m) => m.seq), 'seqs of non-agent messages at the visitor').toEqual([]);
    expect(atAgent.filter((m) => m.author.kind !== 'visitor').map((m) => m.seq), 'seqs of non-visitor messages at the agent').toEqual([]);
    expect(atAgentTab2.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 2));

    // History pages back to exactly what was delivered.
    const page1 = await ok(agent.socket, 'history:get', { conversationId, afterSeq: 0, limit: 200 });
    const page2 = await ok(agent.socket, 'history:get', { conversationId, afterSeq: 200, limit: 200 });
    const history = [...page1.messages, ...page2.messages];
    expect(history.map((m) => m.seq)).toEqual(Array.from({ length: 201 }, (_, i) => i + 1));
    expect(history.slice(1)).toEqual(atAgentTab2);
  });

  it('[HIST1] history windows: latest, afterSeq, beforeSeq, limit default 50 and max 200', async () => {
    const t = await startTopology(topology, { env: { MESSAGE_RATE_LIMIT: '0' } });
    const { socket: visitor } = await t.visitor(transport);
    for (let i = 1; i <= 120; i++) await ok(visitor, 'message:send', { clientId: `m${i}`, body: `n${i}` });
    const seqs = (r: { messages: Message[] }) => r.messages.map((m) => m.seq);
    const latest = await ok(visitor, 'history:get', {});
    expect(seqs(latest)).toEqual(Array.from({ length: 50 }, (_, i) => i + 71));
    const after = await ok(visitor, 'history:get', { afterSeq: 10, limit: 5 });
    expect(seqs(after)).toEqual([11, 12, 13, 14, 15]);
    const before = await ok(visitor, 'history:get', { beforeSeq: 10, limit: 3 });
    expect(seqs(before)).toEqual([7, 8, 9]);
    const tooMany = await request(visitor, 'history:get', { limit: 201 });
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});
