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
  // The waiting sends in admission order, each marked when it leaves: the first not yet left is the
  // oldest. Left ones are dropped from the front as full() passes them (O(1) amortised per send).
  let queue: Array<{ at: number; left: boolean }> = [];
  let head = 0;
  let waiting = 0;
  /** Drops the left sends at the front; the oldest still waiting is then queue[head] (when any waits). */
  function prune(): void {
    while (head < queue.length && queue[head].left) head++;
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }
  return {
    full() {
      if (maxWaiting === 0 || waiting === 0) return false;
      if (waiting >= maxWaiting) return true;
      if (maxAgeMs === 0) return false;
      prune();
      return now() - queue[head].at > maxAgeMs;
    },
    enter() {
      if (maxWaiting === 0) return noop;
      waiting++;
      const entry = { at: now(), left: false };
      // Without an age bound only the count matters: the entry is not queued.
      if (maxAgeMs > 0) {
        prune();
        queue.push(entry);
      }
      return () => {
        if (entry.left) return;
        entry.left = true;
        if (--waiting === 0) {
          queue = [];
          head = 0;
        }
      };
    },
    get waiting() {
      return waiting;
    },
  };
}

const noop = () => {};
