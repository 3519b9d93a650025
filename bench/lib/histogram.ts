// A latency histogram with logarithmic buckets (≈1% wide), small enough to
// send from each load generator to the runner and merge there. Exact count,
// sum, min and max; percentiles to within one bucket.

export interface Histogram {
  /** [bucket index, count] pairs. */
  buckets: Array<[number, number]>;
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
}

const GROWTH = Math.log(1.01);
/** Values are bucketed in µs; everything below 1 µs shares bucket 0. */
const indexOf = (ms: number) => (ms <= 0.001 ? 0 : Math.ceil(Math.log(ms * 1000) / GROWTH));
const upperMs = (index: number) => Math.exp(index * GROWTH) / 1000;

export interface Recorder {
  record(ms: number): void;
  reset(): void;
  snapshot(): Histogram;
}

export function createRecorder(): Recorder {
  let counts = new Map<number, number>();
  let count = 0;
  let sumMs = 0;
  let minMs = Infinity;
  let maxMs = 0;
  return {
    record(ms) {
      const i = indexOf(ms);
      counts.set(i, (counts.get(i) ?? 0) + 1);
      count++;
      sumMs += ms;
      if (ms < minMs) minMs = ms;
      if (ms > maxMs) maxMs = ms;
    },
    reset() {
      counts = new Map();
      count = 0;
      sumMs = 0;
      minMs = Infinity;
      maxMs = 0;
    },
    snapshot() {
      return { buckets: [...counts], count, sumMs, minMs: count ? minMs : 0, maxMs };
    },
  };
}

export function mergeHistograms(list: Histogram[]): Histogram {
  const counts = new Map<number, number>();
  for (const h of list) for (const [i, n] of h.buckets) counts.set(i, (counts.get(i) ?? 0) + n);
  const nonEmpty = list.filter((h) => h.count > 0);
  return {
    buckets: [...counts],
    count: list.reduce((a, h) => a + h.count, 0),
    sumMs: list.reduce((a, h) => a + h.sumMs, 0),
    minMs: nonEmpty.length ? Math.min(...nonEmpty.map((h) => h.minMs)) : 0,
    maxMs: Math.max(0, ...list.map((h) => h.maxMs)),
  };
}

/** The p-th percentile (0–100) in ms; the bucket's upper edge, capped at the exact max. */
export function percentile(h: Histogram, p: number): number | null {
  if (h.count === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * h.count));
  let seen = 0;
  for (const [i, n] of [...h.buckets].sort((a, b) => a[0] - b[0])) {
    seen += n;
    if (seen >= rank) return Math.min(upperMs(i), h.maxMs);
  }
  return h.maxMs;
}
