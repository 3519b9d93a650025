// [CQ] The console's queue: server order, positions counted from it (agents are
// not told when the conversations ahead of one leave).

import { describe, expect, it } from 'vitest';
import { queueWithPositions } from '../../client/agent/queue-order.ts';
import type { Conversation } from '../../server/protocol/shapes.ts';

const waiting = (id: string, createdAt: string, queuePosition: number | null): Conversation => ({
  id,
  visitor: { id: `v-${id}`, name: id },
  status: 'queued',
  agent: null,
  queuePosition,
  lastSeq: 1,
  createdAt,
  reads: { visitor: 0, agent: 0 },
  revision: 0,
});

describe('[CQ] queue order', () => {
  it('[CQ1] positions follow the order when one ahead leaves, whatever the stale positions said', () => {
    const b = waiting('b', '2026-01-01T10:00:02.000Z', 2);
    const c = waiting('c', '2026-01-01T10:00:03.000Z', 3);
    expect(queueWithPositions([c, b]).map((q) => [q.id, q.queuePosition])).toEqual([
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('[CQ2] a released conversation goes back to its place (opened earlier, then by id on a tie)', () => {
    const a = waiting('a', '2026-01-01T10:00:01.000Z', 1);
    const z = waiting('z', '2026-01-01T10:00:05.000Z', 1);
    const y = waiting('y', '2026-01-01T10:00:05.000Z', 2);
    expect(queueWithPositions([z, y, a]).map((q) => [q.id, q.queuePosition])).toEqual([
      ['a', 1],
      ['y', 2],
      ['z', 3],
    ]);
  });
});
