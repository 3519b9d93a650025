// The waiting queue as the console shows it: in the server's queue order,
// each with its position counted from that order. Agents are told when a
// conversation joins or leaves the queue, not when the others move up, so a
// position from a `queue:add` goes stale; the order does not (a release keeps
// a visitor's place, and the queue is ordered by when it was opened, then id).

import type { Conversation } from '../../server/protocol/shapes.ts';

const openedAt = (c: Conversation) => Date.parse(c.createdAt) || 0;

/** Queue order: opened first, then id (the store's `ORDER BY queued_at, id`; queued_at is createdAt). */
export function byQueueOrder(a: Conversation, b: Conversation): number {
  return openedAt(a) - openedAt(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The waiting conversations in order, each with `queuePosition` = its place in that order. */
export function queueWithPositions(waiting: Iterable<Conversation>): Conversation[] {
  return [...waiting].sort(byQueueOrder).map((c, i) => (c.queuePosition === i + 1 ? c : { ...c, queuePosition: i + 1 }));
}
