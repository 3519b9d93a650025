// Per-connection flood control: a fixed 10 s window counter, cheap enough to
// run on every event. A limit of 0 disables it.

import { AppError, ErrorCode } from '../protocol/errors.ts';

export interface RateLimiter {
  /** Throws AppError(rate_limited) when over the limit. */
  take(): void;
  /** Like take() but returns false instead of throwing. */
  tryTake(): boolean;
}

export function createRateLimiter(limit: number, windowMs = 10_000, now: () => number = Date.now): RateLimiter {
  let windowStart = 0;
  let count = 0;
  const tryTake = (): boolean => {
    if (limit === 0) return true;
    const t = now();
    if (t - windowStart >= windowMs) {
      windowStart = t;
      count = 0;
    }
    count++;
    return count <= limit;
  };
  return {
    tryTake,
    take() {
      if (!tryTake()) throw new AppError(ErrorCode.RateLimited, `more than ${limit} per ${windowMs / 1000} s; slow down`);
    },
  };
}
