// Record ids for every store engine: random UUIDs, opaque to everyone else.

import { randomUUID } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}
