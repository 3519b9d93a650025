// Continuous traffic: each writer writes at its rate (with jitter) while it has few messages on
// their way, as a person typing would (nobody types 50 messages into a chat that is offline),
// and presses "retry" on messages that failed for a passing reason. Bounded in time and count.

export interface Writer {
  id: string;
  /** Writes one message; null when it cannot write now (no conversation yet). */
  write(n: number): string | null;
  /** Own messages on their way. */
  sending(): number;
  /** Presses retry on failed messages worth retrying; returns how many. */
  retryFailed(): number;
}

export interface TrafficOptions {
  /** Messages per second per writer. */
  rate: number;
  /** Stop writing (skip) while this many are on their way. */
  maxInFlight?: number;
  /** Hard bounds: the traffic stops by itself after this long or this many messages per writer. */
  maxMs: number;
  maxPerWriter?: number;
}

export interface Traffic {
  /** Stops writing; resolves once every writer's loop has ended. */
  stop(): Promise<void>;
  written(): number;
  /** Ticks skipped because the writer had too many on their way. */
  skipped(): number;
  retried(): number;
  /** Written per second since the start, over all writers. */
  rate(): number;
}

export function startTraffic(writers: Writer[], opts: TrafficOptions): Traffic {
  const { rate, maxInFlight = 5, maxMs } = opts;
  const maxPerWriter = opts.maxPerWriter ?? Math.ceil((rate * maxMs) / 1000) + 10;
  const interval = 1000 / rate;
  const started = performance.now();
  let stopped = false;
  let written = 0;
  let skipped = 0;
  let retried = 0;
  const loops = writers.map(async (w, i) => {
    // Spread the writers' first ticks over one interval.
    await sleep((interval * i) / writers.length);
    for (let n = 0; n < maxPerWriter && !stopped && performance.now() - started < maxMs; ) {
      retried += w.retryFailed();
      if (w.sending() >= maxInFlight) skipped++;
      else if (w.write(n) !== null) {
        written++;
        n++;
      }
      await sleep(interval * (0.8 + 0.4 * Math.random()));
    }
  });
  const done = Promise.all(loops).then(() => {});
  return {
    async stop() {
      stopped = true;
      await done;
    },
    written: () => written,
    skipped: () => skipped,
    retried: () => retried,
    rate: () => (written * 1000) / Math.max(1, performance.now() - started),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
