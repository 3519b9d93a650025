// Time-ordered ids (UUID version 7 layout: 48-bit epoch ms, then random) for
// rows written at a high rate. A random UUID primary key puts every insert on
// a different B-tree leaf, so each commit rewrites one page per row; ordered
// ids keep new rows on the rightmost leaves. Still opaque to everyone else.
// One is made per stored message: the random part comes from a pooled buffer
// and the time part is formatted once per millisecond.

import { randomFillSync } from 'node:crypto';

const POOL_IDS = 512;
const BYTES_PER_ID = 10; // 2 bytes for the version nibble + rand_a, 8 for the variant + rand_b
const pool = Buffer.alloc(POOL_IDS * BYTES_PER_ID);
let poolHex = '';
let next = POOL_IDS;

let lastMs = -1;
let timeHex = '';

export function newOrderedId(now: number = Date.now()): string {
  if (now !== lastMs) {
    lastMs = now;
    const t = Math.max(0, Math.trunc(now)).toString(16).padStart(12, '0').slice(-12);
    timeHex = `${t.slice(0, 8)}-${t.slice(8, 12)}-`;
  }
  if (next === POOL_IDS) {
    randomFillSync(pool);
    poolHex = pool.toString('hex');
    next = 0;
  }
  const r = poolHex.slice(next * BYTES_PER_ID * 2, (next + 1) * BYTES_PER_ID * 2);
  next++;
  // Version 7 in the 13th hex digit, the RFC 9562 variant (10xx) in the 17th.
  const variant = ((Number.parseInt(r[4], 16) & 0x3) | 0x8).toString(16);
  return `${timeHex}7${r.slice(1, 4)}-${variant}${r.slice(5, 8)}-${r.slice(8, 20)}`;
}
