// Password hashing with a concurrency cap. scrypt runs on libuv's thread pool, which the SQLite
// engine's fdatasync shares: 150 concurrent logins once held every thread and made each chat
// acknowledgement wait 4.5–6 s. Hashes here run a few at a time; a burst waits in a bounded
// queue and, past it, is refused (`unavailable`) instead of delaying everything else.

import { AppError, ErrorCode } from '../protocol/errors.ts';
import { dummyHash, hashPassword, verifyPassword } from './passwords.ts';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /** Verifies against a hash of a random password: the cost of a real check, for unknown accounts. */
  verifyDummy(password: string): Promise<false>;
}

export interface HasherLimits {
  /** Hashes computed at once: libuv's pool has 4 threads; the rest stay free for file I/O. */
  concurrency: number;
  /** Hashes that may wait; more are refused with `unavailable`. */
  maxWaiting: number;
}

export const DEFAULT_HASHER_LIMITS: HasherLimits = { concurrency: 1, maxWaiting: 64 };

export function createPasswordHasher(limits: HasherLimits = DEFAULT_HASHER_LIMITS): PasswordHasher {
  let running = 0;
  const waiting: Array<() => void> = [];
  let dummy: Promise<string> | null = null;

  async function capped<T>(work: () => Promise<T>): Promise<T> {
    if (running >= limits.concurrency) {
      if (waiting.length >= limits.maxWaiting) throw new AppError(ErrorCode.Unavailable, 'too many sign-ins at once; try again in a moment');
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter (running stays the same), or free it.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  }

  return {
    hash: (password) => capped(() => hashPassword(password)),
    verify: (password, stored) => capped(() => verifyPassword(password, stored)),
    async verifyDummy(password) {
      dummy ??= capped(() => dummyHash());
      const stored = await dummy;
      await capped(() => verifyPassword(password, stored));
      return false;
    },
  };
}
