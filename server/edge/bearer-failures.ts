// Refused bearer tokens per client address (API_TOKEN_FAILURE_LIMIT per 10 minutes): past the
// limit, an address's bearer requests are refused before any lookup until its window ends.
// Counted in this process, in a map whose size is bounded (the oldest address forgotten first).

const MAX_ADDRESSES = 100_000;

export interface BearerFailures {
  /** Whether this address has used up its failures in the current window. */
  blocked(address: string): boolean;
  failed(address: string): void;
}

export function createBearerFailures(limit: number, windowMs: number, now: () => number): BearerFailures {
  if (limit === 0) return { blocked: () => false, failed: () => {} };
  const windows = new Map<string, { start: number; count: number }>();
  const current = (address: string) => {
    const w = windows.get(address);
    return w && now() - w.start < windowMs ? w : undefined;
  };
  return {
    blocked: (address) => (current(address)?.count ?? 0) >= limit,
    failed(address) {
      let w = current(address);
      if (!w) {
        windows.delete(address);
        if (windows.size >= MAX_ADDRESSES) windows.delete(windows.keys().next().value!);
        w = { start: now(), count: 0 };
        windows.set(address, w);
      }
      w.count++;
    },
  };
}
