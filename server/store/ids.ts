// Record ids for every store engine, opaque to everyone else. Rows written
// rarely (agents, visitors, conversations) get random UUIDs; messages get
// time-ordered ones from a generator the engine owns. No module-level state:
// a generator's pool and time cache live in the object createOrderedIds() returns.

import { randomFillSync, randomUUID } from 'node:crypto';
import { type Clock, systemClock } from '../clock.ts';

export function newId(): string {
  return randomUUID();
}

/**
 * Time-ordered ids (UUID version 7 layout: 48-bit epoch ms, then random) for
 * rows written at a high rate. A random UUID primary key puts every insert on
 * a different B-tree leaf, so each commit rewrites one page per row; ordered
 * ids keep new rows on the rightmost leaves. Not monotonic within a millisecond:
 * nothing relies on their order beyond the time.
 */
export interface OrderedIds {
  next(now?: number): string;
}

const POOL_IDS = 512;
const BYTES_PER_ID = 10; // 2 bytes for the version nibble + rand_a, 8 for the variant + rand_b

/**
 * One is made per store (the engine's constructor takes it, so a test can
 * inject one, or its randomness and clock). Cheap per id: the random part comes
 * from a pooled buffer refilled every 512 ids, and the time part is formatted
 * once per millisecond.
 */
export function createOrderedIds({ fill = randomFillSync, clock = systemClock }: { fill?: (buffer: Buffer) => void; clock?: Clock } = {}): OrderedIds {
  const pool = Buffer.alloc(POOL_IDS * BYTES_PER_ID);
  let poolHex = '';
  let next = POOL_IDS;
  let lastMs = -1;
  let timeHex = '';
  return {
    next(now = clock.now()) {
      if (now !== lastMs) {
        lastMs = now;
        const t = Math.max(0, Math.trunc(now)).toString(16).padStart(12, '0').slice(-12);
        timeHex = `${t.slice(0, 8)}-${t.slice(8, 12)}-`;
      }
      if (next === POOL_IDS) {
        fill(pool);
        poolHex = pool.toString('hex');
        next = 0;
      }
      const r = poolHex.slice(next * BYTES_PER_ID * 2, (next + 1) * BYTES_PER_ID * 2);
      next++;
      // Version 7 in the 13th hex digit, the RFC 9562 variant (10xx) in the 17th.
      const variant = ((Number.parseInt(r[4], 16) & 0x3) | 0x8).toString(16);
      return `${timeHex}7${r.slice(1, 4)}-${variant}${r.slice(5, 8)}-${r.slice(8, 20)}`;
    },
  };
}
