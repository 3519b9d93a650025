// Per-connection flood control: a fixed 10 s window counter, cheap enough to
// run on every event. A limit of 0 disables it.

import { AppError, ErrorCode } from '../protocol/errors.ts';

export interface RateLimiter {
  /** Throws AppError(rate_limited) when over the limit. */
  take(): void;
  /** Like take() but returns false instead of throwing. */
  tryTake(): boolean;
}

// A class, not closures: two of these live per connection, and tens of thousands of
// connections each holding a closure context and two functions add up.
class WindowCounter implements RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart = 0;
  #count = 0;

  constructor(limit: number, windowMs: number, now: () => number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  tryTake(): boolean {
    const t = this.#now();
    if (t - this.#windowStart >= this.#windowMs) {
      this.#windowStart = t;
      this.#count = 0;
    }
    this.#count++;
    return this.#count <= this.#limit;
  }

  take(): void {
    if (!this.tryTake()) throw new AppError(ErrorCode.RateLimited, `more than ${this.#limit} per ${this.#windowMs / 1000} s; slow down`);
  }
}

const UNLIMITED: RateLimiter = { take() {}, tryTake: () => true };

export function createRateLimiter(limit: number, windowMs = 10_000, now: () => number = Date.now): RateLimiter {
  return limit === 0 ? UNLIMITED : new WindowCounter(limit, windowMs, now);
}
