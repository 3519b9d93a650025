// The engine-neutral behavioural contract of Store: every engine runs this
// suite unchanged. Imports only the interface and protocol types, never an engine.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../server/clock.ts';
import type { AuthorKind } from '../../server/protocol/shapes.ts';
import type { ConversationRecord, MessageRecord, Store } from '../../server/store/store.ts';
import { agentOf, conflict, created, ok, openOk } from './results.ts';

const T0 = 1_700_000_000_000;
const alice = { id: 'agent-alice', name: 'Alice' };
const bob = { id: 'agent-bob', name: 'Bob' };

/** `open` gives the store the clock it is handed: what the engine reads the time from. */
export function runStoreContract(engineName: string, open: (clock: Clock) => Promise<Store>): void {
  describe(`Store contract: ${engineName}`, () => {
    let store: Store;
    let now = T0;
    const clock: Clock = { now: () => now };

    beforeEach(async () => {
      now = T0;
      store = await open(clock);
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
    });

    /** A new visitor with a queued conversation opened at `now`. */
    async function queued(now = T0, name = 'Visitor'): Promise<ConversationRecord> {
      const visitor = await store.createVisitor({ name, email: null });
      return openOk(await store.openConversation(visitor, now)).conversation;
    }

    function append(c: ConversationRecord, clientId: string, author: { kind: AuthorKind; id: string } = { kind: 'visitor', id: c.visitorId }, body = `body ${clientId}`) {
      return store.appendMessage({
        conversationId: c.id,
        clientId,
        authorKind: author.kind,
        authorId: author.id,
        authorName: 'Someone',
        body,
        createdAt: T0 + 1,
      });
    }

    async function withMessages(n: number): Promise<ConversationRecord> {
      const c = await queued();
      for (let i = 1; i <= n; i++) created(await append(c, `m${i}`));
      return c;
    }

    const seqs = (messages: MessageRecord[]) => messages.map((m) => m.seq);

    it('[STORE-BASE] migrate is idempotent and ping answers', async () => {
      await store.migrate();
      await expect(store.ping()).resolves.toBeUndefined();
    });

    // ---- messages

    it('[STORE-SEQ] seq starts at 1 and is gap-free under 200 concurrent appends', async () => {
      const c = await queued();
      const results = await Promise.all(Array.from({ length: 200 }, (_, i) => append(c, `c${i}`)));
      const messages = results.map(created);
      expect(messages.map((m) => m.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      // Each result carries the conversation as its own transaction left it.
      for (const r of results) if (r.kind === 'created') expect(r.conversation.lastSeq).toBe(r.message.seq);
      expect((await store.getConversation(c.id))?.lastSeq).toBe(200);
      const stored = await store.getMessages(c.id, { limit: 500 });
      expect(seqs(stored)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const first = await store.getMessages(c.id, { afterSeq: 0, limit: 1 });
      expect(first[0]).toMatchObject({ seq: 1, conversationId: c.id, authorKind: 'visitor', authorId: c.visitorId, authorName: 'Someone', createdAt: T0 + 1 });
    });

    it('[STORE-IDEM] a clientId resend returns the original and stores nothing new', async () => {
      const c = await queued();
      const original = created(await append(c, 'same', undefined, 'first'));
      const r2 = await append(c, 'same', undefined, 'second');
      expect(r2.kind).toBe('duplicate');
      if (r2.kind !== 'duplicate') return;
      expect(r2.message).toEqual(original);
      expect(r2.conversation.lastSeq).toBe(1);
      const stored = await store.getMessages(c.id, { limit: 50 });
      expect(stored).toEqual([original]);
      // Another conversation has its own clientId space.
      const other = await queued(T0, 'Other');
      expect(created(await append(other, 'same')).seq).toBe(1);
    });

    it('[STORE-IDEM] a clientId taken by another author is refused and stores nothing', async () => {
      const c = await queued();
      created(await append(c, 'x'));
      expect((await append(c, 'x', { kind: 'agent', id: alice.id })).kind).toBe('client_id_taken');
      expect(await store.getMessages(c.id, { limit: 50 })).toHaveLength(1);
    });

    it('[STORE-SEQ] appending to an unknown or closed conversation fails; a resend of a stored one still succeeds', async () => {
      expect(await append({ ...(await queued()), id: 'no-such-conversation' }, 'a')).toEqual({ kind: 'not_found' });
      const c = await queued(T0, 'Closing');
      const before = created(await append(c, 'before-close'));
      ok(await store.closeConversation(c.id, null, T0 + 5));
      expect(await append(c, 'after-close')).toEqual({ kind: 'closed' });
      const resend = await append(c, 'before-close');
      expect(resend.kind === 'duplicate' && resend.message).toEqual(before);
      expect((await store.getConversation(c.id))?.lastSeq).toBe(1);
    });

    it('[STORE-APPEND] assignedTo: only the assignee of an active conversation appends; checked before idempotency', async () => {
      const c = await queued(T0, 'Guarded');
      const bob = { id: 'agent-bob', name: 'Bob' };
      const asAlice = (clientId: string) => store.appendMessage({
        conversationId: c.id,
        clientId,
        authorKind: 'agent',
        authorId: alice.id,
        authorName: alice.name,
        body: 'hi',
        createdAt: T0 + 2,
        assignedTo: alice.id,
      });
      const queuedResult = await asAlice('a1');
      expect(queuedResult.kind === 'not_assigned' && queuedResult.conversation.status).toBe('queued');
      ok(await store.claim(c.id, alice));
      const stored = created(await asAlice('a1'));
      expect(stored.seq).toBe(1);
      const resend = await asAlice('a1');
      expect(resend.kind === 'duplicate' && resend.message).toEqual(stored);
      ok(await store.transfer(c.id, alice.id, bob));
      const lost = await asAlice('a1');
      expect(lost.kind === 'not_assigned' && lost.conversation.agentId).toBe(bob.id);
      expect(await store.getMessages(c.id, { limit: 50 })).toEqual([stored]);
      expect((await store.appendMessage({ conversationId: 'nope', clientId: 'x', authorKind: 'agent', authorId: alice.id, authorName: 'A', body: 'b', createdAt: 1, assignedTo: alice.id })).kind).toBe('not_found');
    });

    it('[STORE-APPEND] appendVisitorMessage appends to the open conversation under its name, idempotently; none open → nothing', async () => {
      const visitor = await store.createVisitor({ name: 'Vera', email: null });
      expect(await store.appendVisitorMessage(visitor.id, { clientId: 'v1', body: 'hello', createdAt: T0 })).toEqual({ kind: 'no_open_conversation' });
      const { conversation } = openOk(await store.openConversation(visitor, T0));
      await store.updateVisitor(visitor.id, { name: 'Vera V.' });
      const first = await store.appendVisitorMessage(visitor.id, { clientId: 'v1', body: 'hello', createdAt: T0 + 1 });
      if (first.kind === 'no_open_conversation') throw new Error('expected an append');
      const message = created(first);
      expect(message).toMatchObject({ conversationId: conversation.id, seq: 1, authorKind: 'visitor', authorId: visitor.id, authorName: 'Vera V.', body: 'hello' });
      expect(first.kind === 'created' && first.conversation.lastSeq).toBe(1);
      const resend = await store.appendVisitorMessage(visitor.id, { clientId: 'v1', body: 'hello', createdAt: T0 + 2 });
      expect(resend.kind === 'duplicate' && resend.message).toEqual(message);
      ok(await store.closeConversation(conversation.id, null, T0 + 3));
      expect(await store.appendVisitorMessage(visitor.id, { clientId: 'v2', body: 'again', createdAt: T0 + 4 })).toEqual({ kind: 'no_open_conversation' });
      expect(await store.getMessages(conversation.id, { limit: 50 })).toEqual([message]);
    });

    it('[STORE-APPEND] 100 concurrent visitor appends to one conversation get seq 1..100, each clientId once', async () => {
      const visitor = await store.createVisitor({ name: 'Burst', email: null });
      const { conversation } = openOk(await store.openConversation(visitor, T0));
      const ids = Array.from({ length: 100 }, (_, i) => `burst-${i % 50}`); // every clientId twice
      const results = await Promise.all(ids.map((clientId) => store.appendVisitorMessage(visitor.id, { clientId, body: clientId, createdAt: T0 })));
      expect(results.filter((r) => r.kind === 'created')).toHaveLength(50);
      expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(50);
      const history = await store.getMessages(conversation.id, { limit: 200 });
      expect(history.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(new Set(history.map((m) => m.clientId)).size).toBe(50);
    });

    it('[STORE-HIST] history windows are ascending: after, before, both, neither, limit', async () => {
      const c = await withMessages(10);
      expect(seqs(await store.getMessages(c.id, { limit: 3 }))).toEqual([8, 9, 10]);
      expect(seqs(await store.getMessages(c.id, { limit: 50 }))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(seqs(await store.getMessages(c.id, { afterSeq: 4, limit: 3 }))).toEqual([5, 6, 7]);
      expect(seqs(await store.getMessages(c.id, { afterSeq: 8, limit: 50 }))).toEqual([9, 10]);
      expect(seqs(await store.getMessages(c.id, { afterSeq: 10, limit: 50 }))).toEqual([]);
      expect(seqs(await store.getMessages(c.id, { beforeSeq: 8, limit: 3 }))).toEqual([5, 6, 7]);
      expect(seqs(await store.getMessages(c.id, { beforeSeq: 3, limit: 50 }))).toEqual([1, 2]);
      expect(seqs(await store.getMessages(c.id, { beforeSeq: 1, limit: 50 }))).toEqual([]);
      expect(seqs(await store.getMessages(c.id, { afterSeq: 2, beforeSeq: 9, limit: 3 }))).toEqual([3, 4, 5]);
      expect(seqs(await store.getMessages(c.id, { afterSeq: 2, beforeSeq: 6, limit: 50 }))).toEqual([3, 4, 5]);
      expect(await store.getMessages('no-such-conversation', { limit: 50 })).toEqual([]);
    });

    // ---- claims and transitions

    it('[STORE-CLAIM] exactly one of 20 concurrent claims wins; the others see the winner', async () => {
      const c = await queued();
      const agents = Array.from({ length: 20 }, (_, i) => ({ id: `agent-${i}`, name: `Agent ${i}` }));
      const results = await Promise.all(agents.map((a) => store.claim(c.id, a)));
      const winners = results.filter((r) => r.kind === 'ok');
      expect(winners).toHaveLength(1);
      const won = ok(winners[0]);
      expect(won.previous).toMatchObject({ status: 'queued', agentId: null, agentName: null });
      expect(won.conversation).toMatchObject({ id: c.id, status: 'active' });
      const winner = agents.find((a) => a.id === won.conversation.agentId)!;
      expect(won.conversation.agentName).toBe(winner.name);
      for (const r of results.filter((x) => x.kind !== 'ok')) expect(conflict(r)).toMatchObject({ status: 'active', agentId: winner.id });
      expect(await store.getConversation(c.id)).toEqual(won.conversation);
      expect(await store.listQueue()).toEqual([]);
    });

    it('[STORE-CLAIM] claiming an unknown or closed conversation fails', async () => {
      expect(await store.claim('no-such-conversation', alice)).toEqual({ kind: 'not_found' });
      const c = await queued();
      ok(await store.closeConversation(c.id, null, T0 + 1));
      expect(conflict(await store.claim(c.id, alice)).status).toBe('closed');
    });

    it('[STORE-QUEUE] the queue is ordered by queuedAt then id, and a release keeps the place', async () => {
      const first = await queued(T0 + 10, 'First');
      const second = await queued(T0 + 20, 'Second');
      const third = await queued(T0 + 30, 'Third');
      expect((await store.listQueue()).map((c) => c.id)).toEqual([first.id, second.id, third.id]);
      expect(first).toMatchObject({ status: 'queued', queuedAt: T0 + 10, createdAt: T0 + 10, lastSeq: 0, agentId: null, closedAt: null });

      ok(await store.claim(first.id, alice));
      expect((await store.listQueue()).map((c) => c.id)).toEqual([second.id, third.id]);
      expect(conflict(await store.release(first.id, bob.id))).toMatchObject({ status: 'active', agentId: alice.id });
      const released = ok(await store.release(first.id, alice.id));
      expect(released.previous).toMatchObject({ status: 'active', agentId: alice.id });
      expect(released.conversation).toMatchObject({ status: 'queued', agentId: null, agentName: null, queuedAt: T0 + 10 });
      expect((await store.listQueue()).map((c) => c.id)).toEqual([first.id, second.id, third.id]);
      expect(conflict(await store.release(first.id, null)).status).toBe('queued');

      // An admin (null) releases whoever holds it.
      ok(await store.claim(second.id, bob));
      expect(ok(await store.release(second.id, null)).conversation.status).toBe('queued');
      expect(await store.release('no-such-conversation', null)).toEqual({ kind: 'not_found' });
    });

    it('[STORE-QUEUE] same queuedAt is ordered by id', async () => {
      const a = await queued(T0, 'A');
      const b = await queued(T0, 'B');
      const expected = [a.id, b.id].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      expect((await store.listQueue()).map((c) => c.id)).toEqual(expected);
    });

    /** One conversation's place, asked alone. */
    const queuePosition = async (id: string) => (await store.queuePositions([id])).get(id) ?? null;
    /** Every conversation's place, each asked alone and all asked at once (which must agree), as [id, position] in `order`. */
    const positions = async (order: ConversationRecord[]) => {
      const one = await Promise.all(order.map(async (c) => [c.id, await queuePosition(c.id)]));
      const all = await store.queuePositions(order.map((c) => c.id));
      expect(order.map((c) => [c.id, all.get(c.id) ?? null])).toEqual(one);
      return one;
    };
    /** The place of every queued conversation agrees with listQueue(), and so does every tail of it. */
    async function expectPositionsMatchQueue() {
      const queue = await store.listQueue();
      expect(await positions(queue)).toEqual(queue.map((c, i) => [c.id, i + 1]));
      for (const c of queue) {
        const tail = await store.listQueueFrom(c.queuedAt);
        const first = queue.findIndex((q) => q.queuedAt >= c.queuedAt);
        expect({ ahead: tail.ahead, ids: tail.queue.map((q) => q.id) }).toEqual({ ahead: first, ids: queue.slice(first).map((q) => q.id) });
      }
      expect(await store.listQueueFrom(Number.MAX_SAFE_INTEGER)).toEqual({ ahead: 0, queue: [] });
    }

    it('[STORE-QPOS] queuePosition is the 1-based place in listQueue order; a release gets its place back', async () => {
      const third = await queued(T0 + 30, 'Third');
      const first = await queued(T0 + 10, 'First');
      const second = await queued(T0 + 20, 'Second');
      expect(await positions([first, second, third])).toEqual([
        [first.id, 1],
        [second.id, 2],
        [third.id, 3],
      ]);
      await expectPositionsMatchQueue();

      ok(await store.claim(first.id, alice));
      expect(await positions([first, second, third])).toEqual([
        [first.id, null],
        [second.id, 1],
        [third.id, 2],
      ]);
      ok(await store.release(first.id, alice.id));
      expect(await queuePosition(first.id)).toBe(1);
      expect(await queuePosition(third.id)).toBe(3);
      await expectPositionsMatchQueue();
    });

    it('[STORE-QPOS] ties on queuedAt are broken by id, exactly as listQueue breaks them', async () => {
      const early = await queued(T0 - 1, 'Early');
      const tied = await Promise.all(Array.from({ length: 6 }, (_, i) => queued(T0, `Tied ${i}`)));
      const late = await queued(T0 + 1, 'Late');
      const byId = [...tied].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      expect((await store.listQueue()).map((c) => c.id)).toEqual([early, ...byId, late].map((c) => c.id));
      expect(await positions([early, ...byId, late])).toEqual([early, ...byId, late].map((c, i) => [c.id, i + 1]));
      // Out of the middle of the tie: those behind it move up by one.
      ok(await store.closeConversation(byId[2].id, null, T0 + 5));
      expect(await queuePosition(byId[3].id)).toBe(4);
      await expectPositionsMatchQueue();
    });

    it('[STORE-QPOS] null when not queued: unknown, claimed, transferred, closed', async () => {
      expect(await queuePosition('no-such-conversation')).toBeNull();
      const waiting = await queued(T0 + 50, 'Waiting');
      const claimed = await queued(T0, 'Claimed');
      const closed = await queued(T0 + 1, 'Closed');
      ok(await store.claim(claimed.id, alice));
      ok(await store.closeConversation(closed.id, null, T0 + 2));
      expect(await queuePosition(claimed.id)).toBeNull();
      expect(await queuePosition(closed.id)).toBeNull();
      // Active and closed conversations ahead of it in time take no place.
      expect(await queuePosition(waiting.id)).toBe(1);
      ok(await store.transfer(claimed.id, alice.id, bob));
      expect(await queuePosition(claimed.id)).toBeNull();
      ok(await store.closeConversation(claimed.id, bob.id, T0 + 3));
      expect(await queuePosition(claimed.id)).toBeNull();
      // The visitor's next conversation queues afresh, behind those already waiting.
      const visitor = (await store.getVisitor(closed.visitorId))!;
      const again = openOk(await store.openConversation(visitor, T0 + 60)).conversation;
      expect(await queuePosition(again.id)).toBe(2);
      expect(await queuePosition(closed.id)).toBeNull();
      await expectPositionsMatchQueue();
    });

    it('[STORE-QPOS] many places in one read: spread over the queue, repeated, unknown and claimed ones among them', async () => {
      // Ties and gaps in queuedAt, claimed ones in between: every batch agrees with the queue, and every tail too.
      const all: ConversationRecord[] = [];
      for (let i = 0; i < 24; i++) all.push(await queued(T0 + Math.floor(i / 3) * 10, `V${i}`));
      for (const i of [0, 5, 11, 12, 23]) ok(await store.claim(all[i].id, alice));
      const queue = await store.listQueue();
      expect(queue).toHaveLength(19);
      const place = new Map(queue.map((c, i) => [c.id, i + 1]));
      const asked = [all[23].id, all[1].id, all[13].id, all[1].id, 'no-such-conversation', all[5].id, all[22].id, all[7].id];
      const got = await store.queuePositions(asked);
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(asked.filter((id) => place.has(id)).map((id) => [id, place.get(id)])));
      // Only the tail of the queue, and only one conversation of it.
      expect(Object.fromEntries(await store.queuePositions([queue[17].id, queue[18].id]))).toEqual({ [queue[17].id]: 18, [queue[18].id]: 19 });
      expect(await store.queuePositions([])).toEqual(new Map());
      expect(await store.queuePositions([all[0].id, 'no-such-conversation'])).toEqual(new Map());
      await expectPositionsMatchQueue();
    });

    it('[STORE-TRANSFER] transfer needs an active conversation held by the sender (or anyone for null)', async () => {
      const c = await queued();
      expect(conflict(await store.transfer(c.id, null, bob)).status).toBe('queued');
      ok(await store.claim(c.id, alice));
      expect(conflict(await store.transfer(c.id, bob.id, bob)).agentId).toBe(alice.id);
      const moved = ok(await store.transfer(c.id, alice.id, bob));
      expect(moved.previous).toMatchObject({ agentId: alice.id, agentName: alice.name });
      expect(moved.conversation).toMatchObject({ status: 'active', agentId: bob.id, agentName: bob.name });
      expect(ok(await store.transfer(c.id, null, alice)).conversation.agentId).toBe(alice.id);
      ok(await store.closeConversation(c.id, null, T0 + 1));
      expect(conflict(await store.transfer(c.id, null, bob)).status).toBe('closed');
      expect(await store.transfer('no-such-conversation', null, bob)).toEqual({ kind: 'not_found' });
    });

    it('[STORE-CLOSE] close works on queued, and on active held by the closer or by anyone for null', async () => {
      const q = await queued(T0, 'Queued');
      const closedQueued = ok(await store.closeConversation(q.id, alice.id, T0 + 100));
      expect(closedQueued.previous).toMatchObject({ status: 'queued', closedAt: null });
      expect(closedQueued.conversation).toMatchObject({ status: 'closed', closedAt: T0 + 100 });
      expect(conflict(await store.closeConversation(q.id, null, T0 + 200))).toMatchObject({ status: 'closed', closedAt: T0 + 100 });

      const a = await queued(T0, 'Active');
      ok(await store.claim(a.id, alice));
      expect(conflict(await store.closeConversation(a.id, bob.id, T0 + 100)).status).toBe('active');
      expect(ok(await store.closeConversation(a.id, alice.id, T0 + 100)).conversation).toMatchObject({ status: 'closed', closedAt: T0 + 100 });

      const b = await queued(T0, 'Admin');
      ok(await store.claim(b.id, bob));
      expect(ok(await store.closeConversation(b.id, null, T0 + 100)).conversation.status).toBe('closed');
      expect(await store.closeConversation('no-such-conversation', null, T0)).toEqual({ kind: 'not_found' });
      expect(await store.listQueue()).toEqual([]);
    });

    it('[STORE-REVISION] every change of status, agent or visitor name bumps the revision; appends and reads do not', async () => {
      const c = await queued(T0, 'Rev');
      expect(c.revision).toBe(0);
      const revisionOf = async () => (await store.getConversation(c.id))!.revision;
      expect(ok(await store.claim(c.id, alice)).conversation.revision).toBe(1);
      await store.appendMessage({ conversationId: c.id, clientId: 'rev-1', authorKind: 'agent', authorId: alice.id, authorName: alice.name, body: 'hi', createdAt: T0 + 1, assignedTo: alice.id });
      await store.setReadPosition({ conversationId: c.id, participantKind: 'visitor', participantId: c.visitorId, seq: 1 });
      expect(await revisionOf()).toBe(1);
      expect(ok(await store.transfer(c.id, alice.id, bob)).conversation.revision).toBe(2);
      expect(ok(await store.release(c.id, bob.id)).conversation.revision).toBe(3);
      await store.updateVisitor(c.visitorId, { name: 'Rev R.' });
      expect(await revisionOf()).toBe(4);
      await store.updateVisitor(c.visitorId, { email: 'rev@example.com' });
      expect(await revisionOf()).toBe(4);
      expect(conflict(await store.transfer(c.id, null, bob)).revision).toBe(4);
      expect(ok(await store.closeConversation(c.id, null, T0 + 2)).conversation.revision).toBe(5);
      expect((await store.listQueue()).find((q) => q.id === c.id)).toBeUndefined();
    });

    // ---- conversations

    it('[STORE-OPEN] openConversation returns the open one, and a new one after close', async () => {
      const visitor = await store.createVisitor({ name: 'Vera', email: null });
      const first = openOk(await store.openConversation(visitor, T0));
      expect(first.created).toBe(true);
      expect(first.conversation).toMatchObject({ visitorId: visitor.id, visitorName: 'Vera', status: 'queued', lastSeq: 0 });
      const again = await store.openConversation(visitor, T0 + 1);
      expect(again).toEqual({ kind: 'ok', conversation: first.conversation, created: false });
      ok(await store.claim(first.conversation.id, alice));
      expect(openOk(await store.openConversation(visitor, T0 + 2)).conversation.id).toBe(first.conversation.id);
      ok(await store.closeConversation(first.conversation.id, null, T0 + 3));
      const next = openOk(await store.openConversation(visitor, T0 + 4));
      expect(next.created).toBe(true);
      expect(next.conversation.id).not.toBe(first.conversation.id);
      expect(next.conversation).toMatchObject({ status: 'queued', queuedAt: T0 + 4, lastSeq: 0 });
    });

    it('[STORE-OPEN] racing tabs open exactly one conversation', async () => {
      const visitor = await store.createVisitor({ name: 'Tabs', email: null });
      const results = (await Promise.all(Array.from({ length: 10 }, (_, i) => store.openConversation(visitor, T0 + i)))).map(openOk);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
      expect(await store.listConversations({ visitorId: visitor.id })).toHaveLength(1);
    });

    it('[STORE-OPEN] the current conversation is the open one, else the most recent', async () => {
      const visitor = await store.createVisitor({ name: 'Cur', email: null });
      expect(await store.getCurrentConversation(visitor.id)).toBeNull();
      const one = openOk(await store.openConversation(visitor, T0)).conversation;
      expect((await store.getCurrentConversation(visitor.id))?.id).toBe(one.id);
      ok(await store.closeConversation(one.id, null, T0 + 1));
      expect(await store.getCurrentConversation(visitor.id)).toMatchObject({ id: one.id, status: 'closed' });
      const two = openOk(await store.openConversation(visitor, T0 + 2)).conversation;
      expect((await store.getCurrentConversation(visitor.id))?.id).toBe(two.id);
      ok(await store.closeConversation(two.id, null, T0 + 3));
      expect((await store.getCurrentConversation(visitor.id))?.id).toBe(two.id);
      expect(await store.getConversation('no-such-conversation')).toBeNull();
    });

    it('[STORE-LIST] listConversations is newest first with filters; queued in queue order; limit', async () => {
      const a = await queued(T0 + 30, 'A'); // newest, stays queued
      const b = await queued(T0 + 20, 'B'); // claimed by alice
      const c = await queued(T0 + 10, 'C'); // oldest, stays queued
      const d = await queued(T0 + 5, 'D'); // closed
      ok(await store.claim(b.id, alice));
      ok(await store.closeConversation(d.id, null, T0 + 40));
      const ids = (list: ConversationRecord[]) => list.map((x) => x.id);
      expect(ids(await store.listConversations({}))).toEqual([a.id, b.id, c.id, d.id]);
      expect(ids(await store.listConversations({ status: 'queued' }))).toEqual([c.id, a.id]);
      expect(ids(await store.listConversations({ status: 'active' }))).toEqual([b.id]);
      expect(ids(await store.listConversations({ status: 'closed' }))).toEqual([d.id]);
      expect(ids(await store.listConversations({ agentId: alice.id }))).toEqual([b.id]);
      expect(ids(await store.listConversations({ visitorId: a.visitorId }))).toEqual([a.id]);
      expect(ids(await store.listConversations({ status: 'queued', visitorId: c.visitorId }))).toEqual([c.id]);
      expect(ids(await store.listConversations({ limit: 2 }))).toEqual([a.id, b.id]);
      expect(ids(await store.listQueue())).toEqual([c.id, a.id]);
    });

    it('[STORE-LIST] listConversations returns at most 100 by default', async () => {
      for (let i = 0; i < 101; i++) await queued(T0 + i, `V${i}`);
      const list = await store.listConversations({});
      expect(list).toHaveLength(100);
      expect(list[0].createdAt).toBe(T0 + 100);
    });

    // ---- read positions

    it('[STORE-READ] read positions are monotonic and clamped to lastSeq', async () => {
      const c = await withMessages(5);
      const who = { conversationId: c.id, participantKind: 'visitor' as const, participantId: c.visitorId };
      expect(await store.setReadPosition({ ...who, seq: 3 })).toBe(true);
      expect(await store.setReadPosition({ ...who, seq: 3 })).toBe(false);
      expect(await store.setReadPosition({ ...who, seq: 2 })).toBe(false);
      expect(await store.setReadPosition({ ...who, seq: 99 })).toBe(true);
      expect(await store.setReadPosition({ ...who, seq: 100 })).toBe(false);
      const agentPos = { conversationId: c.id, participantKind: 'agent' as const, participantId: alice.id, seq: 2 };
      expect(await store.setReadPosition(agentPos)).toBe(true);
      expect(await store.getReadPositions(c.id)).toEqual([agentPos, { ...who, seq: 5 }]);
      expect(await store.setReadPosition({ ...who, conversationId: 'no-such-conversation', seq: 1 })).toBe(false);
      const empty = await queued(T0, 'Empty');
      expect(await store.setReadPosition({ conversationId: empty.id, participantKind: 'visitor', participantId: empty.visitorId, seq: 3 })).toBe(false);
      expect(await store.getReadPositions(empty.id)).toEqual([]);
    });

    it('[STORE-READS] every read of a conversation carries how far each side has read', async () => {
      const c = await withMessages(6);
      expect((await store.getConversation(c.id))?.reads).toEqual({ visitor: 0, agent: 0 });
      await store.setReadPosition({ conversationId: c.id, participantKind: 'visitor', participantId: c.visitorId, seq: 4 });
      await store.setReadPosition({ conversationId: c.id, participantKind: 'agent', participantId: alice.id, seq: 2 });
      // A second agent who read further (a transfer): the agents' side is the furthest any agent read.
      await store.setReadPosition({ conversationId: c.id, participantKind: 'agent', participantId: 'another-agent', seq: 5 });
      await store.setReadPosition({ conversationId: c.id, participantKind: 'agent', participantId: alice.id, seq: 3 });
      const reads = { visitor: 4, agent: 5 };
      expect((await store.getConversation(c.id))?.reads).toEqual(reads);
      expect((await store.getCurrentConversation(c.visitorId))?.reads).toEqual(reads);
      expect((await store.listQueue()).find((x) => x.id === c.id)?.reads).toEqual(reads);
      const closed = await store.closeConversation(c.id, null, T0 + 1);
      expect(closed.kind === 'ok' && closed.conversation.reads).toEqual(reads);
    });

    // ---- sessions and login throttling

    it('[STORE-SESSION] sessions: get, set, touch, destroy, expiry, prune', async () => {
      expect(await store.sessionGet('s1', T0)).toBeNull();
      await store.sessionSet('s1', '{"a":1}', T0 + 1000);
      expect(await store.sessionGet('s1', T0)).toBe('{"a":1}');
      await store.sessionSet('s1', '{"a":2}', T0 + 1000);
      expect(await store.sessionGet('s1', T0)).toBe('{"a":2}');
      expect(await store.sessionGet('s1', T0 + 1000)).toBeNull(); // expired at expiresAt
      await store.sessionTouch('s1', T0 + 5000); // visible once it resolves; the data stays
      expect(await store.sessionGet('s1', T0 + 1000)).toBe('{"a":2}');
      expect(await store.sessionGet('s1', T0 + 5000)).toBeNull();
      await store.sessionTouch('missing', T0 + 5000);
      expect(await store.sessionGet('missing', T0)).toBeNull();
      await store.sessionSet('s2', '{}', T0 + 2000);
      await store.sessionSet('s3', '{}', T0 + 9000);
      expect(await store.sessionPrune(T0 + 5000)).toBe(2);
      expect(await store.sessionGet('s3', T0)).toBe('{}');
      await store.sessionDestroy('s3');
      expect(await store.sessionGet('s3', T0)).toBeNull();
      await store.sessionDestroy('s3');
      expect(await store.sessionPrune(T0 + 99_999)).toBe(0);
    });

    it('[STORE-LOGIN] login failures are counted per key since a time, and pruned', async () => {
      for (const at of [T0, T0 + 10, T0 + 20]) await store.loginFailureRecord('email:a@x.test', at);
      await store.loginFailureRecord('ip:127.0.0.1', T0 + 10);
      expect(await store.loginFailureCount('email:a@x.test', T0)).toBe(3);
      expect(await store.loginFailureCount('email:a@x.test', T0 + 10)).toBe(2);
      expect(await store.loginFailureCount('ip:127.0.0.1', T0)).toBe(1);
      expect(await store.loginFailureCount('nobody', T0)).toBe(0);
      await store.loginFailurePrune(T0 + 20);
      expect(await store.loginFailureCount('email:a@x.test', 0)).toBe(1);
      expect(await store.loginFailureCount('ip:127.0.0.1', 0)).toBe(0);
    });

    it('[STORE-LOGIN2] clearing a key forgets its failures and no other key\'s', async () => {
      for (const at of [T0, T0 + 10]) await store.loginFailureRecord('account:a@x.test', at);
      await store.loginFailureRecord('address:10.0.0.1', T0);
      await store.loginFailureClear('account:a@x.test');
      expect(await store.loginFailureCount('account:a@x.test', 0)).toBe(0);
      expect(await store.loginFailureCount('address:10.0.0.1', 0)).toBe(1);
      await store.loginFailureClear('nobody');
    });

    // ---- agents and visitors

    it('[STORE-AGENT] agents: create, look up by id and email (any case), list, count admins', async () => {
      const agent = agentOf(await store.createAgent({ email: 'Ann@Example.test', name: 'Ann', role: 'agent', passwordHash: 'h1' }));
      expect(agent).toMatchObject({ email: 'Ann@Example.test', name: 'Ann', role: 'agent', passwordHash: 'h1' });
      expect(typeof agent.id).toBe('string');
      expect(typeof agent.createdAt).toBe('number');
      expect(await store.getAgent(agent.id)).toEqual(agent);
      expect(await store.getAgentByEmail('ann@example.TEST')).toEqual(agent);
      expect(await store.getAgent('nobody')).toBeNull();
      expect(await store.getAgentByEmail('nobody@example.test')).toBeNull();
      expect(await store.countAdmins()).toBe(0);
      const admin = agentOf(await store.createAgent({ email: 'root@example.test', name: 'Root', role: 'admin', passwordHash: 'h2' }));
      expect(await store.countAdmins()).toBe(1);
      expect((await store.listAgents()).map((a) => a.id).sort()).toEqual([agent.id, admin.id].sort());
    });

    it('[STORE-AGENT-LANG] an agent\'s language: null when created, set, changed and cleared; no one else\'s changes', async () => {
      const ann = agentOf(await store.createAgent({ email: 'lang-ann@example.test', name: 'Ann', role: 'agent', passwordHash: 'h' }));
      const bob = agentOf(await store.createAgent({ email: 'lang-bob@example.test', name: 'Bob', role: 'admin', passwordHash: 'h' }));
      expect(ann.language).toBeNull();
      expect(await store.setAgentLanguage(ann.id, 'de')).toEqual({ ...ann, language: 'de' });
      expect(await store.getAgent(ann.id)).toEqual({ ...ann, language: 'de' });
      expect(await store.getAgentByEmail('LANG-ANN@example.test')).toEqual({ ...ann, language: 'de' });
      expect(await store.setAgentLanguage(ann.id, 'pt-BR')).toMatchObject({ language: 'pt-BR' });
      expect((await store.getAgents([ann.id, bob.id])).find((a) => a.id === ann.id)?.language).toBe('pt-BR');
      expect((await store.listAgents()).find((a) => a.id === bob.id)?.language).toBeNull();
      expect(await store.setAgentLanguage(ann.id, null)).toEqual(ann);
      expect(await store.getAgent(ann.id)).toEqual(ann);
      expect(await store.getAgent(bob.id)).toEqual(bob);
      expect(await store.setAgentLanguage('nobody', 'de')).toBeNull();
    });

    it('[STORE-TEAM1] updateAgent: name, role, disabled, password and session epoch; only what is given; revision rises; renames active conversations', async () => {
      const ann = agentOf(await store.createAgent({ email: 'team-ann@example.test', name: 'Ann', role: 'agent', passwordHash: 'h' }));
      const root = agentOf(await store.createAgent({ email: 'team-root@example.test', name: 'Root', role: 'admin', passwordHash: 'h' }));
      expect(ann).toMatchObject({ disabled: false, sessionEpoch: 0, revision: 0 });
      const active = ok(await store.claim((await queued()).id, { id: ann.id, name: 'Ann' })).conversation;
      const closed = ok(await store.claim((await queued()).id, { id: ann.id, name: 'Ann' })).conversation;
      ok(await store.closeConversation(closed.id, ann.id, T0 + 5));

      const renamed = await store.updateAgent(ann.id, { name: 'Ann B.' });
      if (renamed.kind !== 'updated') throw new Error(renamed.kind);
      expect(renamed.previous).toEqual(ann);
      expect(renamed.agent).toEqual({ ...ann, name: 'Ann B.', revision: renamed.agent.revision });
      expect(renamed.agent.revision).toBeGreaterThan(0);
      expect((await store.getConversation(active.id))?.agentName).toBe('Ann B.');
      // A closed conversation keeps the name it was handled under.
      expect((await store.getConversation(closed.id))?.agentName).toBe('Ann');

      const changed = await store.updateAgent(ann.id, { role: 'admin', disabled: true, passwordHash: 'h2', endSessions: true });
      if (changed.kind !== 'updated') throw new Error(changed.kind);
      expect(changed.agent).toMatchObject({ name: 'Ann B.', role: 'admin', disabled: true, passwordHash: 'h2', sessionEpoch: 1, language: null });
      expect(changed.agent.revision).toBeGreaterThan(renamed.agent.revision);
      expect(await store.getAgent(ann.id)).toEqual(changed.agent);
      const enabled = await store.updateAgent(ann.id, { disabled: false });
      expect(enabled).toMatchObject({ kind: 'updated', agent: { disabled: false, sessionEpoch: 1, passwordHash: 'h2' } });
      expect(await store.getAgent(root.id)).toEqual(root);
      expect(await store.updateAgent('nobody', { name: 'X' })).toEqual({ kind: 'not_found' });
    });

    it('[STORE-TEAM2] the last admin who is not disabled can be neither disabled, demoted nor deleted; with another, they can', async () => {
      const root = agentOf(await store.createAgent({ email: 'last-root@example.test', name: 'Root', role: 'admin', passwordHash: 'h' }));
      const ann = agentOf(await store.createAgent({ email: 'last-ann@example.test', name: 'Ann', role: 'agent', passwordHash: 'h' }));
      expect(await store.updateAgent(root.id, { disabled: true })).toEqual({ kind: 'last_admin' });
      expect(await store.updateAgent(root.id, { role: 'agent' })).toEqual({ kind: 'last_admin' });
      expect(await store.updateAgent(root.id, { role: 'agent', name: 'Changed' })).toEqual({ kind: 'last_admin' });
      expect(await store.deleteAgent(root.id)).toEqual({ kind: 'last_admin' });
      expect(await store.getAgent(root.id)).toEqual(root);
      // Other changes to the last admin, and any change to others, are fine.
      expect(await store.updateAgent(root.id, { name: 'Root 2' })).toMatchObject({ kind: 'updated' });
      expect(await store.updateAgent(ann.id, { disabled: true })).toMatchObject({ kind: 'updated' });
      // A disabled admin does not count.
      expect(await store.updateAgent(ann.id, { role: 'admin' })).toMatchObject({ kind: 'updated' });
      expect(await store.updateAgent(root.id, { role: 'agent' })).toEqual({ kind: 'last_admin' });
      expect(await store.updateAgent(ann.id, { disabled: false })).toMatchObject({ kind: 'updated' });
      expect(await store.updateAgent(root.id, { role: 'agent' })).toMatchObject({ kind: 'updated', agent: { role: 'agent' } });
      // Two admins demoting each other at once: exactly one succeeds.
      expect(await store.updateAgent(root.id, { role: 'admin' })).toMatchObject({ kind: 'updated' });
      const race = await Promise.all([store.updateAgent(root.id, { disabled: true }), store.updateAgent(ann.id, { role: 'agent' })]);
      expect(race.map((r) => r.kind).sort()).toEqual(['last_admin', 'updated']);
      const admins = (await store.listAgents()).filter((a) => a.role === 'admin' && !a.disabled);
      expect(admins).toHaveLength(1);
    });

    it('[STORE-TEAM3] deleteAgent: only an agent who never handled a conversation; unknown is not_found', async () => {
      agentOf(await store.createAgent({ email: 'del-root@example.test', name: 'Root', role: 'admin', passwordHash: 'h' }));
      const fresh = agentOf(await store.createAgent({ email: 'del-new@example.test', name: 'New', role: 'agent', passwordHash: 'h' }));
      const closer = agentOf(await store.createAgent({ email: 'del-closer@example.test', name: 'Closer', role: 'agent', passwordHash: 'h' }));
      const writer = agentOf(await store.createAgent({ email: 'del-writer@example.test', name: 'Writer', role: 'agent', passwordHash: 'h' }));
      const c1 = ok(await store.claim((await queued()).id, { id: closer.id, name: 'Closer' })).conversation;
      ok(await store.closeConversation(c1.id, closer.id, T0 + 1));
      const c2 = ok(await store.claim((await queued()).id, { id: writer.id, name: 'Writer' })).conversation;
      created(await append(c2, 'w1', { kind: 'agent', id: writer.id }));
      ok(await store.release(c2.id, writer.id));
      expect(await store.deleteAgent(closer.id)).toEqual({ kind: 'has_conversations' });
      expect(await store.deleteAgent(writer.id)).toEqual({ kind: 'has_conversations' });
      expect(await store.deleteAgent(fresh.id)).toEqual({ kind: 'deleted', agent: fresh });
      expect(await store.getAgent(fresh.id)).toBeNull();
      expect(await store.deleteAgent(fresh.id)).toEqual({ kind: 'not_found' });
      // The email is free again.
      agentOf(await store.createAgent({ email: 'del-new@example.test', name: 'New', role: 'agent', passwordHash: 'h' }));
    });

    it('[STORE-TEAM4] agentsChangedSince: the agents updated after a revision, in revision order; none when nothing changed', async () => {
      const a = agentOf(await store.createAgent({ email: 'rev-a@example.test', name: 'A', role: 'admin', passwordHash: 'h' }));
      const b = agentOf(await store.createAgent({ email: 'rev-b@example.test', name: 'B', role: 'agent', passwordHash: 'h' }));
      expect(await store.agentsChangedSince(0)).toEqual([]);
      const r1 = await store.updateAgent(b.id, { disabled: true });
      const r2 = await store.updateAgent(a.id, { name: 'A2' });
      if (r1.kind !== 'updated' || r2.kind !== 'updated') throw new Error('not updated');
      expect((await store.agentsChangedSince(0)).map((x) => [x.id, x.revision])).toEqual([
        [b.id, r1.agent.revision],
        [a.id, r2.agent.revision],
      ]);
      expect((await store.agentsChangedSince(r1.agent.revision)).map((x) => x.id)).toEqual([a.id]);
      expect(await store.agentsChangedSince(r2.agent.revision)).toEqual([]);
      // An agent changed twice appears once, with its latest state.
      const r3 = await store.updateAgent(b.id, { disabled: false });
      expect(await store.agentsChangedSince(r2.agent.revision)).toEqual([r3.kind === 'updated' ? r3.agent : null]);
    });

    /** Sorted by id: the batched reads promise no order. */
    const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

    it('[STORE-BATCH] getAgents and getVisitors: the records getAgent/getVisitor give, for the ids that exist, each once', async () => {
      const agents = await Promise.all(
        ['a', 'b', 'c'].map(async (n) => agentOf(await store.createAgent({ email: `${n}@example.test`, name: n, role: 'agent', passwordHash: 'h' }))),
      );
      const asked = [agents[2].id, 'nobody', agents[0].id, agents[2].id];
      expect(byId(await store.getAgents(asked))).toEqual(byId([agents[0], agents[2]]));
      expect(byId(await store.getAgents(agents.map((a) => a.id)))).toEqual(byId(await Promise.all(agents.map(async (a) => (await store.getAgent(a.id))!))));
      expect(await store.getAgents([])).toEqual([]);
      expect(await store.getAgents(['nobody'])).toEqual([]);

      const visitors = await Promise.all(['V1', 'V2', 'V3'].map((name, i) => store.createVisitor({ name, email: i === 0 ? 'v1@example.test' : null })));
      expect(byId(await store.getVisitors([visitors[1].id, visitors[0].id, 'nobody', visitors[1].id]))).toEqual(byId([visitors[0], visitors[1]]));
      expect(await store.getVisitors([])).toEqual([]);
      // An agent's id is not a visitor's, nor the other way round.
      expect(await store.getVisitors([agents[0].id])).toEqual([]);
      expect(await store.getAgents([visitors[0].id])).toEqual([]);
      // Many at once (one statement, not one bound parameter each).
      const many = await Promise.all(Array.from({ length: 300 }, (_, i) => store.createVisitor({ name: `M${i}`, email: null })));
      expect(byId(await store.getVisitors(many.map((v) => v.id)))).toEqual(byId(many));
    });

    it('[STORE-BATCH] getOpenConversations: the open conversations (queued or active) of the visitors asked, none for a closed one or none at all', async () => {
      const queuedOne = await queued(T0, 'Queued');
      const activeOne = await queued(T0 + 1, 'Active');
      ok(await store.claim(activeOne.id, alice));
      const closedOne = await queued(T0 + 2, 'Closed');
      ok(await store.closeConversation(closedOne.id, null, T0 + 3));
      const reopened = await queued(T0 + 4, 'Reopened');
      ok(await store.closeConversation(reopened.id, null, T0 + 5));
      const again = openOk(await store.openConversation((await store.getVisitor(reopened.visitorId))!, T0 + 6)).conversation;
      const never = await store.createVisitor({ name: 'Never wrote', email: null });
      const asked = [queuedOne, activeOne, closedOne, reopened].map((c) => c.visitorId).concat(never.id, 'nobody', queuedOne.visitorId);
      const open = await store.getOpenConversations(asked);
      expect(byId(open)).toEqual(byId([(await store.getConversation(queuedOne.id))!, (await store.getConversation(activeOne.id))!, again]));
      // The same answer getCurrentConversation gives when it is open, for every visitor asked.
      for (const visitorId of asked) {
        const current = await store.getCurrentConversation(visitorId);
        expect(open.find((c) => c.visitorId === visitorId) ?? null).toEqual(current && current.status !== 'closed' ? current : null);
      }
      expect(await store.getOpenConversations([])).toEqual([]);
      // lastSeq comes with each, as with every conversation read.
      created(await append(activeOne, 'm1'));
      expect((await store.getOpenConversations([activeOne.visitorId]))[0]).toMatchObject({ id: activeOne.id, status: 'active', lastSeq: 1, agentId: alice.id });
    });

    it('[STORE-AGENT] a taken email (case-insensitive) is email_taken and stores nothing', async () => {
      const first = agentOf(await store.createAgent({ email: 'dup@example.test', name: 'One', role: 'agent', passwordHash: 'h' }));
      expect(await store.createAgent({ email: 'DUP@Example.Test', name: 'Two', role: 'admin', passwordHash: 'h' })).toEqual({ kind: 'email_taken' });
      expect(await store.listAgents()).toEqual([first]);
      expect(await store.countAdmins()).toBe(0);
    });

    it('[STORE-CLOCK] agents and visitors are created at the time of the store\'s clock', async () => {
      now = T0 + 123;
      const agent = agentOf(await store.createAgent({ email: 'timed@example.test', name: 'Timed', role: 'agent', passwordHash: 'h' }));
      now = T0 + 456;
      const visitor = await store.createVisitor({ name: 'Timed', email: null });
      expect(agent.createdAt).toBe(T0 + 123);
      expect((await store.getAgent(agent.id))?.createdAt).toBe(T0 + 123);
      expect(visitor.createdAt).toBe(T0 + 456);
      expect((await store.getVisitor(visitor.id))?.createdAt).toBe(T0 + 456);
    });

    it('[STORE-VISITOR] visitors: create, get, patch name and email', async () => {
      const v = await store.createVisitor({ name: 'Vic', email: 'vic@example.test' });
      expect(v).toMatchObject({ name: 'Vic', email: 'vic@example.test' });
      expect(await store.getVisitor(v.id)).toEqual(v);
      expect(await store.getVisitor('nobody')).toBeNull();
      expect(await store.updateVisitor(v.id, {})).toEqual(v);
      expect(await store.updateVisitor(v.id, { name: 'Victor' })).toEqual({ ...v, name: 'Victor' });
      expect(await store.updateVisitor(v.id, { email: null })).toEqual({ ...v, name: 'Victor', email: null });
      expect(await store.updateVisitor(v.id, { email: 'new@example.test' })).toEqual({ ...v, name: 'Victor', email: 'new@example.test' });
      expect(await store.getVisitor(v.id)).toEqual({ ...v, name: 'Victor', email: 'new@example.test' });
      expect(await store.updateVisitor('nobody', { name: 'X' })).toBeNull();
    });

    it('[STORE-VISITOR] renaming a visitor renames their open conversation, not closed ones', async () => {
      const v = await store.createVisitor({ name: 'Old', email: null });
      const closed = openOk(await store.openConversation(v, T0)).conversation;
      ok(await store.closeConversation(closed.id, null, T0 + 1));
      const open = openOk(await store.openConversation(v, T0 + 2)).conversation;
      ok(await store.claim(open.id, alice));
      await store.updateVisitor(v.id, { name: 'New' });
      expect((await store.getConversation(open.id))?.visitorName).toBe('New');
      expect((await store.getConversation(closed.id))?.visitorName).toBe('Old');
    });

    it('[STORE-ATT] attachments: bytes kept exactly, carried by messages (resend included), counted and pruned only while unsent', async () => {
      const c = await queued();
      const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
      const owner = { kind: 'visitor' as const, id: c.visitorId };
      const put = await store.putAttachment({ ownerKind: 'visitor', ownerId: c.visitorId, name: 'a.png', type: 'image/png', data: bytes, createdAt: T0 });
      expect(put).toEqual({ id: expect.any(String), ownerKind: 'visitor', ownerId: c.visitorId, name: 'a.png', type: 'image/png', size: 70_000, createdAt: T0 });
      expect(await store.getAttachment(put.id)).toEqual(put);
      expect(Buffer.from((await store.getAttachmentData(put.id))!).equals(Buffer.from(bytes))).toBe(true);
      expect(await store.getAttachment('nope')).toBeNull();
      expect(await store.getAttachmentData('nope')).toBeNull();
      const other = await store.putAttachment({ ownerKind: 'visitor', ownerId: c.visitorId, name: 'b.txt', type: 'text/plain', data: new Uint8Array([104, 105]), createdAt: T0 });
      expect(await store.countUnsentAttachments(owner, T0)).toBe(2);
      expect(await store.attachmentConversations(put.id, 10)).toEqual([]);

      const ref = { id: put.id, name: put.name, type: put.type, size: put.size };
      const input = { conversationId: c.id, clientId: 'file', authorKind: 'visitor' as const, authorId: c.visitorId, authorName: 'V', body: '', createdAt: T0 + 1, attachment: ref };
      const first = created(await store.appendMessage(input));
      expect(first.attachment).toEqual(ref);
      const again = await store.appendMessage(input);
      expect(again).toMatchObject({ kind: 'duplicate', message: first });
      expect((await store.getMessages(c.id, { limit: 10 }))[0]).toEqual(first);
      expect(await store.attachmentConversations(put.id, 10)).toEqual([c.id]);
      expect(await store.countUnsentAttachments(owner, T0)).toBe(1);
      // A message without a file has no attachment field at all.
      expect(created(await append(c, 'plain'))).not.toHaveProperty('attachment');

      // Pruning takes only what no message carries, and only what is old enough.
      expect(await store.pruneAttachments(T0)).toBe(0);
      expect(await store.pruneAttachments(T0 + 1)).toBe(1);
      expect(await store.getAttachment(other.id)).toBeNull();
      expect(await store.getAttachment(put.id)).toEqual(put);
    });
  });
}
