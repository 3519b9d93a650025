// Time-ordered ids (UUID version 7 layout: 48-bit epoch ms, then random) for
// rows written at a high rate. A random UUID primary key puts every insert on
// a different B-tree leaf, so each commit rewrites one page per row; ordered
// ids keep new rows on the rightmost leaves. Still opaque to everyone else.

import { randomUUID } from 'node:crypto';

export function newOrderedId(now: number = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: keep its variant and random bits
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}
