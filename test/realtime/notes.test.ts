// [NOTE] Private notes (docs/protocol.md, "Private notes"): agents and admins see them live and in
// their history; a visitor never does, by any path, and the visitor's seq stays gap-free.

import { describe, expect, it } from 'vitest';
import type { Note } from '../../server/protocol/shapes.ts';
import { type AgentClient, type VisitorClient, arrived, next, ok, record, request, requestUntyped, untyped } from '../helpers/clients.ts';
import { MATRIX, startTopology } from '../helpers/topology.ts';

/** Every event a visitor socket receives, as [name, payload]. */
function everything(socket: VisitorClient): Array<[string, unknown]> {
  const seen: Array<[string, unknown]> = [];
  socket.onAny((event: string, payload: unknown) => seen.push([event, payload]));
  return seen;
}

/** Nothing a visitor received or was answered holds a note's text or a note event. */
function expectNoNotes(what: string, received: Array<[string, unknown]>, ...answers: unknown[]) {
  for (const [event] of received) expect(['note', 'mention'], `${what}: event ${event}`).not.toContain(event);
  const text = JSON.stringify([received, answers]);
  expect(text, what).not.toContain('SECRET');
  expect(text, what).not.toContain('"notes"');
  expect(text, what).not.toContain('afterSeq');
}

describe.each(MATRIX)('[NOTE] private notes, %s over %s', (topology, transport) => {
  it('[NOTE1] agents and admins get notes live and in history; the visitor never, on any path; seq stays gap-free; dedupe; bad input stores nothing', async () => {
    const t = await startTopology(topology, { env: { MAX_MESSAGE_LENGTH: '200' } });
    const alice = await t.agent(transport, 'alice@example.com', { name: 'Alice Lovelace' });
    const bob = await t.agent(transport, 'bob@example.com', { name: 'Bob' });
    const admin = await t.login('boss@example.com', { role: 'admin', name: 'Boss' });
    // In the cluster, tabs alternate nodes: the admin's console and Bob's second tab are on node A, the rest on B.
    const adminTab: AgentClient = await t.connectAs('/agent', transport, admin.cookie);
    const aliceTab2: AgentClient = await t.connectAs('/agent', transport, alice.cookie);
    const bobTab2: AgentClient = await t.connectAs('/agent', transport, bob.cookie); // node A too
    const { socket: visitor, cookie } = await t.visitor(transport);
    const seenByVisitor = everything(visitor);

    const { message: m1 } = await ok(visitor, 'message:send', { clientId: 'v-1', body: 'hello' });
    const conversationId = m1.conversationId;
    await ok(alice.socket, 'conversation:claim', { conversationId });
    const { socket: visitorTab2 } = await t.visitor(transport, cookie);
    const seenByTab2 = everything(visitorTab2);
    // A tab joins its conversation's room with its snapshot, which may come after the connect (a read
    // first): it is live from then on. A loaded full run once had a message sent between the two missed live.
    await arrived(visitorTab2, 'conversation', (c) => c.id === conversationId);
    await ok(alice.socket, 'message:send', { conversationId, clientId: 'a-1', body: 'hi there' });

    // A note: acked with its place after seq 2, to the admin, the author's other tab, and a mention to Bob.
    const atAdmin = next(adminTab, 'note');
    const atTab2 = next(aliceTab2, 'note');
    const mention = next(bob.socket, 'mention');
    const bobMentions = record(bobTab2, 'mention');
    const mentionTab2 = next(bobTab2, 'mention');
    const { note: n1 } = await ok(alice.socket, 'note:add', { conversationId, clientId: 'n-1', body: 'SECRET one, @bob please check' });
    expect(n1).toMatchObject({ conversationId, clientId: 'n-1', afterSeq: 2, author: { kind: 'agent', id: alice.agent.id, name: 'Alice Lovelace' } });
    expect(n1.mentions).toEqual([{ id: bob.agent.id, name: 'Bob' }]);
    expect(await atAdmin).toEqual(n1);
    expect(await atTab2).toEqual(n1);
    expect(await mention).toEqual({ conversationId, note: n1 });
    expect(await mentionTab2).toEqual({ conversationId, note: n1 });

    // Messages around notes keep consecutive seqs for the visitor.
    const visitorGets = next(visitor, 'message');
    const { message: m3 } = await ok(visitor, 'message:send', { clientId: 'v-2', body: 'still here' });
    const { note: n2 } = await ok(alice.socket, 'note:add', { conversationId, clientId: 'n-2', body: 'SECRET two, no mention of @nobody' });
    expect(n2.mentions).toEqual([]);
    const { message: m4 } = await ok(alice.socket, 'message:send', { conversationId, clientId: 'a-2', body: 'done' });
    expect([m1.seq, m3.seq, m4.seq]).toEqual([1, 3, 4]);
    expect((await visitorGets).seq).toBe(4); // its own v-2 came back as the ack
    expect(n2.afterSeq).toBe(3);

    // Same clientId again: the original note, nothing new stored (the re-send is fanned out again, ids dedupe).
    const again = await ok(alice.socket, 'note:add', { conversationId, clientId: 'n-1', body: 'SECRET changed' });
    expect(again.note).toEqual(n1);
    // ...and names no one again: the next mention Bob gets is the next note's (same path, in order).
    const nextMention = next(bobTab2, 'mention', (e) => e.note.clientId === 'n-bob');
    const { note: nBob } = await ok(alice.socket, 'note:add', { conversationId, clientId: 'n-bob', body: 'SECRET for @Bob only' });
    await nextMention;
    expect(bobMentions.map((e) => e.note.id)).toEqual([n1.id, nBob.id]);
    // Another agent's note with Alice's clientId is refused.
    expect(await request(adminTab, 'note:add', { conversationId, clientId: 'n-1', body: 'SECRET mine' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });

    // Bad payloads: refused with their code, nothing stored, the connection answers on.
    const bad: Array<[unknown, string]> = [
      [{ conversationId, clientId: 'b-1' }, 'invalid_payload'],
      [{ conversationId, clientId: 'b-2', body: '   ' }, 'invalid_payload'],
      [{ conversationId, clientId: 'b-3', body: 'SECRET'.repeat(40) }, 'invalid_payload'],
      [{ conversationId, clientId: 'b-4', body: 42 }, 'invalid_payload'],
      [{ conversationId, body: 'SECRET no id' }, 'invalid_payload'],
      [{ conversationId, clientId: 'x'.repeat(101), body: 'SECRET' }, 'invalid_payload'],
      [{ conversationId, clientId: 'b-5', body: 'SECRET \u0000' }, 'invalid_payload'],
      ['SECRET', 'invalid_payload'],
      [null, 'invalid_payload'],
      [{ conversationId: 'no-such-conversation', clientId: 'b-6', body: 'SECRET' }, 'not_found'],
    ];
    for (const [payload, code] of bad) {
      expect(await requestUntyped(alice.socket, 'note:add', payload), JSON.stringify(payload)?.slice(0, 60)).toMatchObject({ ok: false, error: { code } });
    }
    // Bob may not write in Alice's active conversation (admins may: the one above was refused for its clientId only).
    expect(await request(bob.socket, 'note:add', { conversationId, clientId: 'b-7', body: 'SECRET bob' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // A visitor socket has no such event: after an acked round trip on the same socket it would have run; nothing was stored.
    untyped(visitor).emit('note:add', { conversationId, clientId: 'v-note', body: 'SECRET from visitor' });
    untyped(visitor).emit('note:add', { conversationId, clientId: 'v-note2', body: 'SECRET from visitor' }, () => {});
    await ok(visitor, 'history:get', {});
    const stored = await t.store.getNotes(conversationId, { fromSeq: 0, toSeq: null, limit: 100 });
    expect(stored.map((n) => n.clientId)).toEqual(['n-1', 'n-2', 'n-bob']);

    // The agent's history carries the notes placed in each page; paging either way misses none.
    const all = await ok(alice.socket, 'history:get', { conversationId });
    expect(all.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(all.notes).toEqual([n1, n2, nBob]);
    const older = await ok(alice.socket, 'history:get', { conversationId, beforeSeq: 3, limit: 2 });
    expect(older.notes.map((n: Note) => n.id)).toEqual([n1.id]);
    const after = await ok(alice.socket, 'history:get', { conversationId, afterSeq: 2, limit: 1 });
    expect(after.messages.map((m) => m.seq)).toEqual([3]);
    expect(after.notes.map((n: Note) => n.id)).toEqual([n1.id, n2.id]); // not nBob: it sits after seq 4
    expect((await ok(adminTab, 'history:get', { conversationId })).notes).toHaveLength(3);

    // The visitor's history: messages only, gap-free, no notes.
    const mine = await ok(visitor, 'history:get', {});
    expect(mine.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(mine).not.toHaveProperty('notes');
    // The widget after a reload: a new connection's snapshot and history.
    const { socket: reloaded } = await t.visitor(transport, cookie);
    const seenAfterReload = everything(reloaded);
    const reloadedHistory = await ok(reloaded, 'history:get', { afterSeq: 0 });
    expect(reloadedHistory.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);

    // Closed: the team may still add notes; the visitor's last conversation still shows none.
    await ok(alice.socket, 'conversation:close', { conversationId });
    const { note: n3 } = await ok(bob.socket, 'note:add', { conversationId, clientId: 'n-3', body: 'SECRET after close' });
    expect(n3.afterSeq).toBe(4);
    const closedHistory = await ok(visitor, 'history:get', { beforeSeq: 5 });
    expect(closedHistory.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    // The notes' fan-out ran before their acks; a round trip on each tab flushes what was on its way to it.
    await ok(reloaded, 'history:get', {});
    await ok(visitorTab2, 'history:get', {});

    expectNoNotes('first tab', seenByVisitor, mine, closedHistory);
    expectNoNotes('second tab', seenByTab2);
    // The other tab got every message after it connected, in order, with no gap where notes were written.
    expect(seenByTab2.filter(([e]) => e === 'message').map(([, m]) => (m as { seq: number }).seq)).toEqual([2, 3, 4]);
    expectNoNotes('reloaded tab', seenAfterReload, reloadedHistory);
  });
});
