// The shared conversation model (client/lib/conversation-model.ts): events in
// every order, duplicates, gaps and catch-up, reloads with the server's read
// positions, own sends, renames. Only the socket (history, send, read) is faked.

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ack } from '../../server/protocol/errors.ts';
import type { HistoryResult } from '../../server/protocol/events.ts';
import type { Conversation, HistoryQuery, Message } from '../../server/protocol/shapes.ts';
import { createConversationModel, TYPING_SHOWN_MS, type Side } from '../../client/lib/conversation-model.ts';
import { AckFailure } from '../../client/lib/ack.ts';
import { createPendingClaims } from '../../client/lib/pending-claims.ts';
import { createPendingStore, type PendingStore } from '../../client/lib/pending-store.ts';

const VISITOR = { id: 'v1', name: 'Visitor 5a96' };
const ADA = { id: 'a1', name: 'Ada Lovelace' };
const GRACE = { id: 'a2', name: 'Grace Hopper' };

function conv(over: Partial<Conversation> = {}): Conversation {
  return { id: 'c1', visitor: VISITOR, status: 'active', agent: ADA, queuePosition: null, lastSeq: 0, createdAt: '2026-03-01T10:00:00.000Z', reads: { visitor: 0, agent: 0 }, revision: 1, ...over };
}

/** Message `seq` of c1, by the visitor (v) or Ada (a) or Grace (g). */
function msg(seq: number, who: 'v' | 'a' | 'g' = 'a', over: Partial<Message> = {}): Message {
  const author = who === 'v' ? { kind: 'visitor' as const, ...VISITOR } : { kind: 'agent' as const, ...(who === 'a' ? ADA : GRACE) };
  return { id: `m${seq}`, conversationId: 'c1', seq, clientId: `k${seq}`, author, body: `body ${seq}`, createdAt: new Date(Date.UTC(2026, 2, 1, 10, seq)).toISOString(), ...over };
}

interface Call<I, R> {
  input: I;
  resolve(result: R): void;
  reject(err: Error): void;
}

function deferred<I, R>(calls: Call<I, R>[]) {
  return (input: I) =>
    new Promise<R>((resolve, reject) => {
      calls.push({ input, resolve, reject });
    });
}

/** A model whose socket is a script: the test answers each history/send call itself. */
function setup(opts: { side?: Side; conversation?: Conversation; online?: boolean; pause?: () => Promise<void>; persist?: PendingStore } = {}) {
  const history: Call<HistoryQuery, HistoryResult>[] = [];
  const sends: Call<{ clientId: string; body: string }, Ack<{ message: Message }>>[] = [];
  const reads: number[] = [];
  const net = { online: opts.online ?? true };
  const model = createConversationModel({
    side: opts.side ?? 'visitor',
    conversation: opts.conversation,
    history: deferred(history),
    send: deferred(sends),
    sendRead: (seq) => reads.push(seq),
    connected: () => net.online,
    // Catch-up pages follow each other at once unless a test holds them.
    pause: opts.pause ?? (async () => {}),
    persist: opts.persist,
  });
  return { model, history, sends, reads, net, state: () => model.getState() };
}

const settle = () => new Promise((r) => setImmediate(r));
const seqsOf = (s: { messages: readonly Message[] }) => s.messages.map((m) => m.seq);

afterEach(() => {
  vi.useRealTimers();
});

describe('conversation model: order and de-duplication', () => {
  it('[CM1] keeps messages in seq order, each id once, whatever order and how often they come', () => {
    const { model, state } = setup();
    model.messages([msg(3), msg(1, 'v')]);
    model.messages([msg(2, 'v'), msg(3)]);
    model.messages([msg(1, 'v')]);
    expect(seqsOf(state())).toEqual([1, 2, 3]);
    expect(state().messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(state().conversationId).toBe('c1');
  });

  it('[CM2] a duplicate changes nothing and wakes nobody', () => {
    const { model } = setup();
    model.messages([msg(1), msg(2)]);
    const before = model.getState();
    const listener = vi.fn();
    model.subscribe(listener);
    model.messages([msg(2), msg(1)]);
    expect(listener).not.toHaveBeenCalled();
    expect(model.getState()).toBe(before);
  });

  it('[CM3] a live message before the snapshot: the page fills in below it, unread and preview are right', async () => {
    const { model, history, state } = setup();
    model.messages([msg(5)]);
    expect(state().preview?.seq).toBe(5);
    const loading = model.load();
    expect(history[0].input).toEqual({ limit: 50 });
    history[0].resolve({ conversation: conv({ lastSeq: 5 }), messages: [msg(1, 'v'), msg(2), msg(3, 'v'), msg(4), msg(5)] });
    await loading;
    expect(seqsOf(state())).toEqual([1, 2, 3, 4, 5]);
    expect(state().unread).toBe(3);
    expect(state().preview).toMatchObject({ id: 'm5', author: { name: 'Ada Lovelace' } });
    expect(history).toHaveLength(1);
  });

  it('[CM4] a live message between the page asked and the page answered: the hole is caught up', async () => {
    const { model, history, state } = setup();
    const loading = model.load();
    model.messages([msg(8)]);
    history[0].resolve({ conversation: conv({ lastSeq: 6 }), messages: [msg(5), msg(6)] });
    await settle();
    // The page is shown at once; the load goes on to fetch what lies between it and seq 8.
    expect(seqsOf(state())).toEqual([5, 6, 8]);
    expect(history).toHaveLength(2);
    expect(history[1].input).toMatchObject({ afterSeq: 6 });
    history[1].resolve({ conversation: conv({ lastSeq: 8 }), messages: [msg(7), msg(8)] });
    await loading;
    expect(seqsOf(state())).toEqual([5, 6, 7, 8]);
    expect(state().contiguousSeq).toBe(8);
    expect(history).toHaveLength(2);
  });

  it('[CM5] a snapshot after the messages keeps them, and one announcing more asks for them', async () => {
    const { model, history, state } = setup();
    const loading = model.load();
    history[0].resolve({ conversation: conv({ lastSeq: 2 }), messages: [msg(1, 'v'), msg(2)] });
    await loading;
    model.conversation(conv({ lastSeq: 2, status: 'active' }));
    expect(seqsOf(state())).toEqual([1, 2]);
    expect(history).toHaveLength(1);
    model.conversation(conv({ lastSeq: 4 }));
    expect(history).toHaveLength(2);
    expect(history[1].input).toMatchObject({ afterSeq: 2 });
  });
});

describe('conversation model: gaps and catch-up', () => {
  async function loaded(messages: Message[], side: Side = 'visitor') {
    const t = setup({ side });
    const loading = t.model.load();
    t.history[0].resolve({ conversation: conv({ lastSeq: messages.at(-1)?.seq ?? 0 }), messages });
    await loading;
    return t;
  }

  it('[CM6] a seq jump asks once for everything after the contiguous seq, never twice at once', async () => {
    const { model, history, state } = await loaded([msg(1), msg(2), msg(3)]);
    model.messages([msg(6)]);
    model.messages([msg(7)]);
    model.conversation(conv({ lastSeq: 7 }));
    void model.catchUp();
    expect(history).toHaveLength(2);
    expect(history[1].input).toEqual({ afterSeq: 3, limit: 200 });
    history[1].resolve({ conversation: conv({ lastSeq: 7 }), messages: [msg(4), msg(5), msg(6), msg(7)] });
    await settle();
    expect(seqsOf(state())).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(state().contiguousSeq).toBe(7);
    expect(history).toHaveLength(2);
  });

  it('[CM7] more arriving during a catch-up: it goes on from where it got', async () => {
    const { model, history, state } = await loaded([msg(1), msg(2)]);
    model.messages([msg(5)]);
    model.messages([msg(9)]);
    history[1].resolve({ conversation: conv({ lastSeq: 5 }), messages: [msg(3), msg(4), msg(5)] });
    await settle();
    expect(history).toHaveLength(3);
    expect(history[2].input).toMatchObject({ afterSeq: 5 });
    history[2].resolve({ conversation: conv({ lastSeq: 9 }), messages: [msg(6), msg(7), msg(8), msg(9)] });
    await settle();
    expect(state().contiguousSeq).toBe(9);
    expect(history).toHaveLength(3);
  });

  it('[CM8] a catch-up that timed out is asked again after a pause (a gap meanwhile waits for it), and a catch-up with no progress stops', async () => {
    vi.useFakeTimers();
    const { model, history, state } = await loaded([msg(1)]);
    model.messages([msg(3)]);
    history[1].reject(new Error('timeout'));
    await vi.advanceTimersByTimeAsync(100);
    expect(history).toHaveLength(2);
    model.messages([msg(4)]);
    expect(history).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(400);
    expect(history).toHaveLength(3);
    history[2].resolve({ conversation: conv({ lastSeq: 4 }), messages: [] });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(history).toHaveLength(3);
    expect(state().contiguousSeq).toBe(1);
  });

  it('[CM9] the conversation changed while away: the transcript starts over from the new one\'s latest page', async () => {
    const { model, history, state } = await loaded([msg(1, 'v'), msg(2)]);
    const done = model.catchUp();
    history[1].resolve({ conversation: conv({ id: 'c2', lastSeq: 1, agent: null, status: 'queued' }), messages: [] });
    await settle();
    expect(history[2].input).toEqual({ limit: 50 });
    history[2].resolve({ conversation: conv({ id: 'c2', lastSeq: 1, agent: null, status: 'queued' }), messages: [msg(1, 'v', { id: 'n1', conversationId: 'c2' })] });
    await done;
    expect(state().conversationId).toBe('c2');
    expect(state().messages.map((m) => m.id)).toEqual(['n1']);
  });

  it('[CM9b] a page asked for before a live snapshot came does not undo it (a claim answered while the preview loads); its reads count', async () => {
    const { model, history, state } = setup({ side: 'agent', conversation: conv({ status: 'queued', agent: null, lastSeq: 1 }) });
    const loading = model.load();
    model.conversation(conv({ lastSeq: 1 })); // the claim's answer: active, Ada's
    history[0].resolve({ conversation: conv({ status: 'queued', agent: null, lastSeq: 1, reads: { visitor: 1, agent: 0 } }), messages: [msg(1, 'v')] });
    await loading;
    expect(state().conversation).toMatchObject({ status: 'active', agent: ADA });
    expect(seqsOf(state())).toEqual([1]);
    expect(state().peerReadSeq).toBe(1);
    // A page asked for after the last snapshot is the newer one: it applies.
    const again = model.catchUp();
    history[1].resolve({ conversation: conv({ status: 'closed', lastSeq: 1 }), messages: [] });
    await again;
    expect(state().conversation?.status).toBe('closed');
  });

  it('[CM9c] a live snapshot of an older revision (a queue position read before the claim, sent after it) does not undo the claim', () => {
    const { model, state } = setup({ side: 'visitor', conversation: conv({ status: 'queued', agent: null, queuePosition: 6, revision: 0 }) });
    model.conversation(conv({ status: 'queued', agent: null, queuePosition: 4, revision: 0 }));
    model.conversation(conv({ status: 'active', agent: ADA, revision: 1 }));
    // From another node, through Redis: the position update read the queue before the claim committed.
    model.conversation(conv({ status: 'queued', agent: null, queuePosition: 4, revision: 0, reads: { visitor: 0, agent: 2 } }));
    expect(state().conversation).toMatchObject({ status: 'active', agent: ADA, queuePosition: null, revision: 1 });
    expect(state().peerReadSeq).toBe(2);
    // Released: a newer revision, back in the queue, and its later position updates apply.
    model.conversation(conv({ status: 'queued', agent: null, queuePosition: 2, revision: 2 }));
    model.conversation(conv({ status: 'queued', agent: null, queuePosition: 1, revision: 2 }));
    expect(state().conversation).toMatchObject({ status: 'queued', agent: null, queuePosition: 1 });
  });

  it('[CM10] scroll-back: older pages go above, are not gaps, and hasOlder says when to stop', async () => {
    const { model, history, state } = await loaded([msg(51), msg(52)]);
    expect(state().hasOlder).toBe(true);
    const older = model.loadOlder();
    expect(history[1].input).toEqual({ beforeSeq: 51, limit: 50 });
    history[1].resolve({ conversation: conv({ lastSeq: 52 }), messages: Array.from({ length: 50 }, (_, i) => msg(i + 1)) });
    await older;
    expect(seqsOf(state())).toEqual(Array.from({ length: 52 }, (_, i) => i + 1));
    expect(state().hasOlder).toBe(false);
    expect(state().preview?.seq).toBe(52);
    expect(history).toHaveLength(2);
  });
});

describe('conversation model: read positions, unread, Seen', () => {
  it('[CM11] unread counts the other side after my read position; my own messages never', async () => {
    const { model, state } = setup({ side: 'agent', conversation: conv() });
    model.messages([msg(1, 'v'), msg(2, 'a'), msg(3, 'v'), msg(4, 'g'), msg(5, 'v')]);
    expect(state().unread).toBe(3);
    model.markRead(3);
    expect(state().unread).toBe(1);
    model.markRead();
    expect(state().unread).toBe(0);
    model.messages([msg(6, 'a')]);
    expect(state().unread).toBe(0);
  });

  it('[CM12] a reload is a new model from a snapshot with reads: unread and Seen survive', async () => {
    const { model, history, state } = setup({ conversation: conv({ lastSeq: 5, reads: { visitor: 4, agent: 3 } }) });
    const loading = model.load();
    history[0].resolve({ conversation: conv({ lastSeq: 5, reads: { visitor: 4, agent: 3 } }), messages: [msg(1, 'v'), msg(2), msg(3, 'v'), msg(4), msg(5)] });
    await loading;
    expect(state().unread).toBe(1);
    expect(state().readSeq).toBe(4);
    expect(state().peerReadSeq).toBe(3);
    expect(state().receipt).toEqual({ id: 'm3', status: 'seen' });
  });

  it('[CM13] with nothing read on the server, a reload counts every reply as unread', async () => {
    const { model, history, state } = setup();
    const loading = model.load();
    history[0].resolve({ conversation: conv({ lastSeq: 4 }), messages: [msg(1, 'v'), msg(2), msg(3), msg(4)] });
    await loading;
    expect(state().unread).toBe(3);
    expect(state().receipt).toEqual({ id: 'm1', status: 'sent' });
  });

  it('[CM14] read positions never go backwards: max of local, live and the server\'s', () => {
    const { model, state } = setup({ conversation: conv() });
    model.messages([msg(1), msg(2), msg(3), msg(4, 'v')]);
    model.markRead(3);
    model.conversation(conv({ lastSeq: 4, reads: { visitor: 1, agent: 4 } }));
    expect(state().readSeq).toBe(3);
    expect(state().peerReadSeq).toBe(4);
    model.read({ conversationId: 'c1', participant: { kind: 'agent', ...ADA }, seq: 2 });
    expect(state().peerReadSeq).toBe(4);
    expect(state().receipt).toEqual({ id: 'm4', status: 'seen' });
    model.conversation(conv({ lastSeq: 4, reads: { visitor: 1, agent: 0 } }));
    expect(state().receipt).toEqual({ id: 'm4', status: 'seen' });
  });

  it('[CM15] another tab reading: the read event for my own side lowers unread here, and is not sent back', () => {
    const { model, state, reads } = setup({ conversation: conv() });
    model.messages([msg(1, 'v'), msg(2), msg(3), msg(4)]);
    expect(state().unread).toBe(3);
    model.read({ conversationId: 'c1', participant: { kind: 'visitor', ...VISITOR }, seq: 3 });
    expect(state().unread).toBe(1);
    model.markRead(3);
    expect(reads).toEqual([]);
    model.markRead();
    expect(reads).toEqual([4]);
    model.read({ conversationId: 'other', participant: { kind: 'visitor', ...VISITOR }, seq: 9 });
    expect(state().readSeq).toBe(4);
  });

  it('[CM16] my read position is sent once per higher seq, only when connected, and on resume', async () => {
    const { model, reads, net, history } = setup({ conversation: conv() });
    model.messages([msg(1), msg(2)]);
    model.markRead();
    model.markRead();
    expect(reads).toEqual([2]);
    net.online = false;
    model.messages([msg(3)]);
    model.markRead();
    expect(reads).toEqual([2]);
    net.online = true;
    void model.resume();
    expect(reads).toEqual([2, 3]);
    expect(history).toHaveLength(1);
  });

  it('[CM17] markRead cannot claim messages not held yet', () => {
    const { model, state } = setup({ conversation: conv() });
    model.messages([msg(1), msg(2)]);
    model.markRead(10);
    model.messages([msg(3)]);
    expect(state().readSeq).toBe(2);
    expect(state().unread).toBe(1);
  });
});

describe('conversation model: catch-up in pages', () => {
  it('[CM29] 1,000 missed: pages of 200 after the contiguous seq, each shown 50 at a time with a pause between slices and pages, no gap', async () => {
    const pauses: Array<() => void> = [];
    const t = setup({ pause: () => new Promise<void>((resolve) => pauses.push(resolve)) });
    const loading = t.model.load();
    t.history[0].resolve({ conversation: conv({ lastSeq: 1 }), messages: [msg(1)] });
    await loading;
    const shown: number[] = [];
    t.model.subscribe(() => shown.push(t.state().messages.length));
    // Back after a long time away: 1,000 more, announced by the snapshot.
    t.model.conversation(conv({ lastSeq: 1001 }));
    const page = (from: number) => Array.from({ length: 200 }, (_, i) => msg(from + i));
    for (let n = 0; n < 5; n++) {
      expect(t.history).toHaveLength(2 + n);
      expect(t.history[1 + n].input).toEqual({ afterSeq: 1 + 200 * n, limit: 200 });
      t.history[1 + n].resolve({ conversation: conv({ lastSeq: 1001 }), messages: page(2 + 200 * n) });
      await settle();
      for (let slice = 1; slice <= 4; slice++) {
        // 50 more on screen; nothing more is shown, nor the next page asked, until the pause has passed.
        expect(t.state().contiguousSeq).toBe(1 + 200 * n + 50 * slice);
        expect(t.history).toHaveLength(2 + n);
        pauses.shift()!();
        await settle();
      }
    }
    // The fifth page was full: one more ask finds nothing, and the catch-up ends.
    t.history[6].resolve({ conversation: conv({ lastSeq: 1001 }), messages: [] });
    await settle();
    expect(t.history).toHaveLength(7);
    expect(pauses).toHaveLength(0);
    expect(seqsOf(t.state())).toEqual(Array.from({ length: 1001 }, (_, i) => i + 1));
    expect(shown.filter((n, i) => shown.indexOf(n) === i)).toEqual(Array.from({ length: 21 }, (_, i) => 1 + 50 * i));
  });
});

/** sessionStorage as the browser gives it (a process boundary): strings by key. */
function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('conversation model: unsent messages across reloads', () => {
  const KEY = 'parley:outbox:visitor';
  /** A page of one tab: its model keeps what is unsent in `storage`, alone in the browser (no other page to ask). */
  const page = (storage: ReturnType<typeof memoryStorage>, online = true) =>
    setup({ conversation: conv(), online, persist: createPendingStore({ storage, key: KEY, claims: createPendingClaims({ channel: null }) }) });
  const kept = (storage: ReturnType<typeof memoryStorage>) => JSON.parse(storage.items.get(KEY) ?? '[]') as Array<{ clientId: string; body: string; failed: string | null }>;

  it('[CM30] written offline, the page reloaded: shown as sending in order, sent first with the same clientIds, kept until acked', async () => {
    const storage = memoryStorage();
    const before = page(storage, false);
    await settle();
    const first = before.model.send('first');
    const second = before.model.send('second');
    expect(kept(storage).map((k) => [k.clientId, k.body])).toEqual([
      [first, 'first'],
      [second, 'second'],
    ]);

    // Reload: a new page of the same tab, online; it writes a third message before the restore is done.
    const after = page(storage);
    const third = after.model.send('third');
    expect(after.sends).toHaveLength(0);
    await settle();
    expect(after.state().pending.map((p) => [p.body, p.state])).toEqual([
      ['first', 'sending'],
      ['second', 'sending'],
      ['third', 'sending'],
    ]);
    expect(after.state().pending.map((p) => p.clientId)).toEqual([first, second, third]);
    // One at a time, in the order written, each with its clientId.
    for (const [i, clientId] of [first, second, third].entries()) {
      expect(after.sends[i].input.clientId).toBe(clientId);
      after.sends[i].resolve({ ok: true, message: msg(i + 1, 'v', { clientId, body: after.sends[i].input.body }) });
      await settle();
      expect(kept(storage).map((k) => k.clientId)).toEqual([first, second, third].slice(i + 1));
    }
    expect(after.state().messages.map((m) => m.body)).toEqual(['first', 'second', 'third']);
    expect(after.state().pending).toEqual([]);
    expect(storage.items.has(KEY)).toBe(false);
  });

  it('[CM31] stored before the reload (the ack was lost with the page): the resend returns the original and nothing doubles', async () => {
    const storage = memoryStorage();
    const before = page(storage);
    await settle();
    const clientId = before.model.send('did this arrive?');
    expect(before.sends).toHaveLength(1); // the server stores it; the page reloads before the ack

    const after = page(storage);
    await settle();
    expect(after.state().pending.map((p) => p.clientId)).toEqual([clientId]);
    const original = msg(1, 'v', { clientId, body: 'did this arrive?' });
    // The history page and the resend's ack both carry the stored message.
    after.model.messages([original]);
    after.sends[0].resolve({ ok: true, message: original });
    await settle();
    expect(after.state().messages.map((m) => m.id)).toEqual(['m1']);
    expect(after.state().pending).toEqual([]);
    expect(storage.items.has(KEY)).toBe(false);
  });

  it('[CM32] refused for good before the reload: back as failed with its reason, not sent again; Edit still gives the text back', async () => {
    const storage = memoryStorage();
    const before = page(storage);
    await settle();
    const clientId = before.model.send('x'.repeat(10));
    before.sends[0].resolve({ ok: false, error: { code: 'conversation_closed', message: 'closed' } });
    await settle();
    expect(kept(storage)).toEqual([expect.objectContaining({ clientId, failed: 'conversation_closed' })]);

    const after = page(storage);
    await settle();
    expect(after.state().pending).toEqual([expect.objectContaining({ clientId, state: 'failed', retryable: false, reason: 'the conversation has ended' })]);
    expect(after.sends).toHaveLength(0);
    expect(after.model.discard(clientId)).toBe('x'.repeat(10));
    expect(storage.items.has(KEY)).toBe(false);
  });
});

describe('conversation model: own sends', () => {
  it('[CM18] pending by clientId, confirmed by the ack in place, the echo and a duplicate ack add nothing', async () => {
    const { model, sends, state } = setup({ conversation: conv() });
    model.messages([msg(1)]);
    const clientId = model.send('Do you ship to Norway?');
    expect(state().pending).toEqual([expect.objectContaining({ clientId, body: 'Do you ship to Norway?', state: 'sending', error: null, reason: null })]);
    expect(sends[0].input).toEqual({ clientId, body: 'Do you ship to Norway?' });
    const stored = msg(2, 'v', { clientId, body: 'Do you ship to Norway?' });
    sends[0].resolve({ ok: true, message: stored });
    await settle();
    model.messages([stored]);
    model.messages([stored]);
    expect(state().pending).toEqual([]);
    expect(state().messages.map((m) => [m.seq, m.mine])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(state().preview).toMatchObject({ id: 'm2', mine: true });
    expect(state().unread).toBe(1);
  });

  it('[CM19] the echo before the ack confirms too; the late ack does not duplicate', async () => {
    const { model, sends, state } = setup({ conversation: conv() });
    const clientId = model.send('hello');
    const stored = msg(1, 'v', { clientId, body: 'hello' });
    model.messages([stored]);
    expect(state().pending).toEqual([]);
    sends[0].resolve({ ok: true, message: stored });
    await settle();
    expect(state().messages.map((m) => m.id)).toEqual(['m1']);
  });

  it('[CM20] refused for good: failed with its error code (and a reason in words), not retryable; discard gives the text back to edit', async () => {
    const { model, sends, state } = setup({ conversation: conv() });
    const clientId = model.send('my order #123');
    sends[0].resolve({ ok: false, error: { code: 'invalid_payload', message: 'body: too long' } });
    await settle();
    expect(state().pending).toEqual([
      expect.objectContaining({ clientId, state: 'failed', retryable: false, error: 'invalid_payload', reason: expect.stringContaining('refused this text') }),
    ]);
    expect(model.discard('no-such-id')).toBeNull();
    expect(model.discard(clientId)).toBe('my order #123');
    expect(state().pending).toEqual([]);
    expect(sends).toHaveLength(1);
  });

  it('[CM20b] failed while the server was busy: retryable; retry sends the same clientId and text', async () => {
    vi.useFakeTimers();
    const { model, sends, state } = setup({ conversation: conv() });
    const clientId = model.send('my order #123');
    // The outbox tries a busy server six times, backing off, before it gives up.
    for (let attempt = 0; attempt < 6; attempt++) {
      sends[attempt].resolve({ ok: false, error: { code: 'unavailable', message: 'busy' } });
      await vi.advanceTimersByTimeAsync(10_000);
    }
    expect(sends).toHaveLength(6);
    expect(state().pending).toEqual([expect.objectContaining({ clientId, state: 'failed', retryable: true })]);
    model.retry(clientId);
    expect(state().pending[0]).toMatchObject({ clientId, state: 'sending', reason: null });
    expect(sends[6].input).toEqual({ clientId, body: 'my order #123' });
    sends[6].resolve({ ok: true, message: msg(1, 'v', { clientId, body: 'my order #123' }) });
    await vi.advanceTimersByTimeAsync(0);
    expect(state().pending).toEqual([]);
    expect(state().messages.map((m) => m.body)).toEqual(['my order #123']);
  });

  it('[CM33] a first load refused for a passing reason (rate_limited, a timeout) is asked again, backing off, until it lands; a refusal for good or a disconnect is not', async () => {
    vi.useFakeTimers();
    const { model, history, net, state } = setup({ side: 'agent', conversation: conv({ lastSeq: 1 }) });
    const loading = model.load();
    history[0].reject(new AckFailure({ code: 'rate_limited', message: 'too many requests' }));
    await vi.advanceTimersByTimeAsync(499);
    expect(history).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(history).toHaveLength(2);
    history[1].reject(new Error('operation has timed out'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(history).toHaveLength(3);
    history[2].resolve({ conversation: conv({ lastSeq: 1 }), messages: [msg(1, 'v')] });
    await loading;
    expect(state().loaded).toBe(true);
    // The visitor's first message is the start of the transcript, not scroll-back above the next live one.
    model.messages([msg(2, 'v')]);
    expect(seqsOf(state())).toEqual([1, 2]);
    expect(state().hasOlder).toBe(false);

    const other = setup({ side: 'agent', conversation: conv({ id: 'c2', lastSeq: 1 }) });
    const refused = other.model.load();
    other.history[0].reject(new AckFailure({ code: 'not_found', message: 'no such conversation' }));
    await expect(refused).rejects.toThrow('no such conversation');
    const offline = other.model.load();
    other.net.online = false;
    other.history[1].reject(new AckFailure({ code: 'unavailable', message: 'restarting' }));
    await expect(offline).rejects.toThrow('restarting');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(other.history).toHaveLength(2);
    void net;
  });

  it('[CM21] offline: the message waits as sending and goes out on resume', async () => {
    const { model, sends, net, state } = setup({ conversation: conv(), online: false });
    model.send('anyone there?');
    expect(sends).toHaveLength(0);
    expect(state().pending[0].state).toBe('sending');
    net.online = true;
    void model.resume();
    await settle();
    expect(sends).toHaveLength(1);
  });

  it('[CM22] writing after a close: the new conversation replaces the transcript, the message in flight survives', async () => {
    const { model, sends, state } = setup({ conversation: conv({ status: 'closed', lastSeq: 2 }) });
    model.messages([msg(1, 'v'), msg(2)]);
    const clientId = model.send('one more question');
    model.conversation(conv({ id: 'c2', status: 'queued', agent: null, queuePosition: 1, lastSeq: 0 }));
    expect(state().messages).toEqual([]);
    expect(state().pending.map((p) => p.clientId)).toEqual([clientId]);
    sends[0].resolve({ ok: true, message: msg(1, 'v', { id: 'n1', conversationId: 'c2', clientId, body: 'one more question' }) });
    await settle();
    expect(state().conversationId).toBe('c2');
    expect(state().messages.map((m) => m.id)).toEqual(['n1']);
    expect(state().pending).toEqual([]);
  });

  it('[CM23] the new conversation\'s first message before its snapshot: the closed one gives way, stale ones are dropped', () => {
    const { model, state } = setup({ conversation: conv({ status: 'closed', lastSeq: 1 }) });
    model.messages([msg(1)]);
    model.messages([msg(1, 'v', { id: 'n1', conversationId: 'c2' })]);
    expect(state().conversationId).toBe('c2');
    model.messages([msg(2, 'a', { id: 'late', conversationId: 'c1' })]);
    expect(state().messages.map((m) => m.id)).toEqual(['n1']);
  });
});

describe('conversation model: names, preview, typing, presence', () => {
  it('[CM24] a renamed visitor shows the new name on old messages; other agents keep theirs', () => {
    const { model, state } = setup({ side: 'agent', conversation: conv({ agent: GRACE }) });
    model.messages([msg(1, 'v'), msg(2, 'a'), msg(3, 'v')]);
    const adas = state().messages[1];
    model.conversation(conv({ agent: GRACE, visitor: { id: 'v1', name: 'Maya Chen' } }));
    expect(state().messages.map((m) => m.author.name)).toEqual(['Maya Chen', 'Ada Lovelace', 'Maya Chen']);
    expect(state().preview?.author.name).toBe('Maya Chen');
    // Unchanged rows keep their identity: a keyed view skips them.
    expect(state().messages[1]).toBe(adas);
  });

  it('[CM25] the preview is the newest by seq: after a snapshot, a reload and a transfer', async () => {
    const t = setup({ side: 'agent', conversation: conv({ lastSeq: 3 }) });
    expect(t.state().preview).toBeNull();
    const loading = t.model.load();
    t.history[0].resolve({ conversation: conv({ lastSeq: 3 }), messages: [msg(1, 'v'), msg(2), msg(3, 'v')] });
    await loading;
    expect(t.state().preview).toMatchObject({ seq: 3, body: 'body 3', author: { kind: 'visitor', name: 'Visitor 5a96' } });
    // Transferred to Grace: her console builds a model from the snapshot and loads it.
    const g = setup({ side: 'agent', conversation: conv({ agent: GRACE, lastSeq: 3 }) });
    const gLoading = g.model.load();
    g.history[0].resolve({ conversation: conv({ agent: GRACE, lastSeq: 3 }), messages: [msg(1, 'v'), msg(2), msg(3, 'v')] });
    await gLoading;
    expect(g.state().preview?.id).toBe('m3');
    g.model.conversation(conv({ agent: GRACE, lastSeq: 3 }));
    expect(g.state().preview?.id).toBe('m3');
  });

  it('[CM26] typing from the other side shows until their message, their stop, or the timeout', () => {
    vi.useFakeTimers();
    const { model, state } = setup({ conversation: conv() });
    const ada = { kind: 'agent' as const, ...ADA };
    model.typing({ conversationId: 'c1', participant: { kind: 'visitor', ...VISITOR }, typing: true });
    expect(state().typing).toBeNull();
    model.typing({ conversationId: 'c1', participant: ada, typing: true });
    const first = state().typing;
    expect(first?.participant.name).toBe('Ada Lovelace');
    model.messages([msg(1)]);
    expect(state().typing).toBeNull();
    model.typing({ conversationId: 'c1', participant: ada, typing: true });
    vi.advanceTimersByTime(TYPING_SHOWN_MS - 100);
    model.typing({ conversationId: 'c1', participant: ada, typing: true });
    expect(state().typing).not.toBe(first);
    vi.advanceTimersByTime(TYPING_SHOWN_MS - 100);
    expect(state().typing).not.toBeNull();
    vi.advanceTimersByTime(200);
    expect(state().typing).toBeNull();
    model.typing({ conversationId: 'c1', participant: ada, typing: true });
    model.typing({ conversationId: 'c1', participant: ada, typing: false });
    expect(state().typing).toBeNull();
  });

  it('[CM27] peerOnline: the visitor sees the assigned agent, the agents see the visitor', () => {
    const v = setup({ conversation: conv({ agent: null, status: 'queued' }) });
    v.model.presence({ conversationId: 'c1', action: 'join', participant: { kind: 'agent', ...ADA } });
    expect(v.state().peerOnline).toBe(false);
    v.model.conversation(conv());
    expect(v.state().peerOnline).toBe(true);
    v.model.presence({ conversationId: 'c1', action: 'leave', participant: { kind: 'agent', ...ADA } });
    expect(v.state().peerOnline).toBe(false);

    const a = setup({ side: 'agent', conversation: conv() });
    a.model.presence({ conversationId: 'c1', action: 'join', participant: { kind: 'agent', ...ADA } });
    expect(a.state().peerOnline).toBe(false);
    a.model.presence({ conversationId: 'c1', action: 'join', participant: { kind: 'visitor', ...VISITOR } });
    expect(a.state().peerOnline).toBe(true);
  });

  it('[CM28] subscribers see every change, in order, never re-entered, and can leave', () => {
    const { model } = setup({ conversation: conv() });
    const seen: number[] = [];
    let depth = 0;
    const off = model.subscribe(() => {
      depth++;
      expect(depth).toBe(1);
      const s = model.getState();
      seen.push(s.unread);
      if (s.unread > 0) model.markRead(); // a visible view reads what arrives
      depth--;
    });
    model.messages([msg(1), msg(2)]);
    expect(seen).toEqual([2, 0]);
    off();
    model.messages([msg(3)]);
    expect(seen).toEqual([2, 0]);
    expect(model.getState().version).toBeGreaterThan(0);
  });
});
