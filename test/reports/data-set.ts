// A hand-made day of ten conversations whose report figures are worked out by hand (below, in
// EXPECTED): written through the Store with chosen timestamps; the store's clock (what claim
// records) is moved to each moment first. Monday 2 March 2026, UTC.

import type { Store } from '../../server/store/store.ts';
import { agentOf, created, ok, openOk } from '../store/results.ts';

export const DAY = '2026-03-02';
const at = (hhmmss: string, day = DAY) => Date.parse(`${day}T${hhmmss}Z`);
export const REPORT_NOW = at('16:00:00');

export interface DataSet {
  alice: { id: string; name: string };
  bob: { id: string; name: string };
}

/** `clock.set(t)` moves the store's clock (claim reads it). */
export async function writeDataSet(store: Store, clock: { set(t: number): void }): Promise<DataSet> {
  const alice = agentOf(await store.createAgent({ email: 'alice@example.com', name: 'Alice', role: 'agent', passwordHash: 'x' }));
  const bob = agentOf(await store.createAgent({ email: 'bob@example.com', name: '=Bob', role: 'admin', passwordHash: 'x' }));
  let n = 0;
  const open = async (t: number) => {
    clock.set(t);
    const visitor = await store.createVisitor({ name: `V${++n}`, email: null });
    const c = openOk(await store.openConversation(visitor, t)).conversation;
    created(await store.appendMessage({ conversationId: c.id, clientId: `v-${n}-0`, authorKind: 'visitor', authorId: visitor.id, authorName: visitor.name, body: 'hello', createdAt: t }));
    return { id: c.id, visitorId: visitor.id, name: visitor.name, k: 0 };
  };
  type Conv = Awaited<ReturnType<typeof open>>;
  const claim = async (c: Conv, agent: { id: string; name: string }, t: number) => {
    clock.set(t);
    ok(await store.claim(c.id, agent));
  };
  const say = async (c: Conv, who: { id: string; name: string } | 'visitor', t: number) => {
    clock.set(t);
    const agent = who !== 'visitor';
    created(
      await store.appendMessage({
        conversationId: c.id,
        clientId: `m-${c.id}-${++c.k}`,
        authorKind: agent ? 'agent' : 'visitor',
        authorId: agent ? who.id : c.visitorId,
        authorName: agent ? who.name : c.name,
        body: 'text',
        createdAt: t,
        assignedTo: agent ? who.id : undefined,
      }),
    );
  };
  const close = async (c: Conv, agentId: string | null, t: number) => {
    clock.set(t);
    ok(await store.closeConversation(c.id, agentId, t));
  };

  // c10 first: opened the evening before, claimed, answered and closed on the day.
  const c10 = await open(at('23:50:00', '2026-03-01'));
  await claim(c10, alice, at('00:05:00'));
  await say(c10, alice, at('00:06:00'));
  await close(c10, alice.id, at('00:30:00'));

  const c1 = await open(at('09:00:00'));
  await claim(c1, alice, at('09:00:30'));
  await say(c1, alice, at('09:01:30'));
  await say(c1, 'visitor', at('09:02:00'));
  await close(c1, alice.id, at('09:10:00'));

  const c2 = await open(at('09:05:00'));
  await claim(c2, bob, at('09:07:00'));
  await say(c2, bob, at('09:07:20'));
  await close(c2, bob.id, at('09:30:00'));

  const c3 = await open(at('10:00:00'));
  await claim(c3, alice, at('10:01:00'));
  await say(c3, alice, at('10:04:00'));
  await say(c3, 'visitor', at('10:05:00'));
  await say(c3, alice, at('10:06:00'));
  await close(c3, alice.id, at('10:20:00'));

  // Closed from the queue: nobody answered.
  const c4 = await open(at('10:30:00'));
  await close(c4, null, at('10:40:00'));

  // Claimed and closed without a word.
  const c5 = await open(at('11:00:00'));
  await claim(c5, alice, at('11:05:00'));
  await close(c5, alice.id, at('11:15:00'));

  // Bob claims and answers, releases; Alice claims it again and closes: the first claim stays Bob's.
  const c6 = await open(at('11:30:00'));
  await claim(c6, bob, at('11:30:10'));
  await say(c6, bob, at('11:31:10'));
  clock.set(at('11:40:00'));
  ok(await store.release(c6.id, bob.id));
  await claim(c6, alice, at('11:45:00'));
  await say(c6, alice, at('11:50:00'));
  await close(c6, alice.id, at('12:00:00'));

  // Alice claims, transfers to Bob before answering; Bob answers and closes.
  const c7 = await open(at('12:00:00'));
  await claim(c7, alice, at('12:10:00'));
  clock.set(at('12:15:00'));
  ok(await store.transfer(c7.id, alice.id, bob));
  await say(c7, bob, at('12:20:00'));
  await close(c7, bob.id, at('12:30:00'));

  // Still queued at 16:00, three hours on: abandoned.
  await open(at('13:00:00'));

  // Claimed and answered, still going.
  const c9 = await open(at('15:30:00'));
  await claim(c9, bob, at('15:31:00'));
  await say(c9, bob, at('15:32:00'));

  clock.set(REPORT_NOW);
  return { alice, bob };
}

const s = 1000;
const min = 60 * s;

/** The answers, worked out by hand from the timeline above (nearest-rank percentiles). */
export const EXPECTED = {
  totals: {
    opened: 9,
    claimed: 8,
    closed: 8,
    missed: 3,
    // 10, 30, 60, 60, 120, 300, 600, 900 s
    queueWait: { count: 8, median: 60 * s, p90: 900 * s },
    // 20, 60, 60, 60, 60, 180, 600 s
    firstResponse: { count: 7, median: 60 * s, p90: 600 * s },
    // 10, 10, 15, 20, 25, 30, 30, 40 min
    duration: { count: 8, median: 20 * min, p90: 40 * min },
    // 1, 1, 2, 2, 2, 3, 3, 4
    messages: { count: 8, median: 2, p90: 4, mean: 2.3 },
  },
  alice: {
    opened: 4,
    claimed: 5,
    closed: 5,
    missed: 1,
    queueWait: { count: 5, median: 300 * s, p90: 900 * s },
    firstResponse: { count: 4, median: 60 * s, p90: 600 * s },
    duration: { count: 5, median: 20 * min, p90: 40 * min },
    messages: { count: 5, median: 3, p90: 4, mean: 2.6 },
  },
  bob: {
    opened: 3,
    claimed: 3,
    closed: 2,
    missed: 0,
    queueWait: { count: 3, median: 60 * s, p90: 120 * s },
    firstResponse: { count: 3, median: 60 * s, p90: 60 * s },
    duration: { count: 2, median: 25 * min, p90: 30 * min },
    messages: { count: 2, median: 2, p90: 2, mean: 2 },
  },
  /** Hour → opened on Monday (weekday 0). */
  openedByHour: { 9: 2, 10: 2, 11: 2, 12: 1, 13: 1, 15: 1 } as Record<number, number>,
  closedByHour: { 0: 1, 9: 2, 10: 2, 11: 1, 12: 2 } as Record<number, number>,
  missedByHour: { 10: 1, 11: 1, 13: 1 } as Record<number, number>,
  waitHistogram: [2, 2, 1, 1, 1, 1, 0, 0],
};
