// One system call per socket per burst, instead of one per write. A group commit's acks and
// deliveries go out in one burst of microtasks, and each frame or command written to a socket
// would be its own write() to the kernel. A socket corked here is uncorked, with every other one
// corked in the same burst, once the current tick's work is done: the kernel gets one writev.
// Used for WebSocket connections (realtime/write-batching.ts) and the publishing connection to
// Redis (cluster/redis-clients.ts).

import type { Writable } from 'node:stream';

const corked = new Set<Writable>();

function uncorkAll(): void {
  for (const stream of corked) stream.uncork();
  corked.clear();
}

/** Corks `stream` until the end of the current burst, unless it is corked for it already. */
export function corkUntilBurstEnds(stream: Writable): void {
  if (corked.has(stream)) return;
  // process.nextTick from a microtask runs after the whole microtask queue: the end of the burst.
  if (corked.size === 0) process.nextTick(uncorkAll);
  corked.add(stream);
  stream.cork();
}
