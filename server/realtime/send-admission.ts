// Admission control for message:send, node-wide. Every accepted send waits for the store (its
// group commit and the WAL sync, or PostgreSQL's batch) until it is acked. Under overload that
// wait grows without bound: acks come later and later, clients time out and retry, memory grows.
// So the sends waiting here are bounded by count (SEND_QUEUE_MAX) and by the age of the oldest
// (SEND_QUEUE_MAX_AGE_MS): past either bound a new send is answered `unavailable` at once and
// changes nothing (the client retries with the same clientId, docs/protocol.md), while the sends
// already admitted are committed and acked as usual. The node recovers by itself: as the store
// catches up, the queue falls under the bounds and sends are admitted again.

export interface SendAdmission {
  /** True while a new send must be refused: too many waiting, or the oldest has waited too long. */
  full(): boolean;
  /** Counts a send as waiting from now until the returned function is called (once). */
  enter(): () => void;
  /** Sends waiting now (for tests and metrics). */
  readonly waiting: number;
}

export function createSendAdmission(opts: {
  /** Sends waiting at most; 0 disables both bounds. */
  maxWaiting: number;
  /** Age of the oldest waiting send at most (ms); 0 disables the age bound. */
  maxAgeMs: number;
  now: () => number;
}): SendAdmission {
  const { maxWaiting, maxAgeMs, now } = opts;
  // Start times by ticket, in admission order: the first entry is the oldest still waiting.
  const started = new Map<number, number>();
  let next = 0;
  return {
    full() {
      if (maxWaiting === 0 || started.size === 0) return false;
      if (started.size >= maxWaiting) return true;
      if (maxAgeMs === 0) return false;
      const oldest = started.values().next().value!;
      return now() - oldest > maxAgeMs;
    },
    enter() {
      if (maxWaiting === 0) return noop;
      const ticket = next++;
      started.set(ticket, now());
      return () => void started.delete(ticket);
    },
    get waiting() {
      return started.size;
    },
  };
}

const noop = () => {};
