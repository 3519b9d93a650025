// The numbers callers pass into the store, made safe for SQL the same way by
// every engine: row limits and read positions. Imports nothing.

/** listConversations without a limit returns at most this many. */
export const DEFAULT_LIST_LIMIT = 100;

/**
 * A LIMIT that means "at most `limit`" everywhere: SQLite reads a negative
 * LIMIT as "no limit" and PostgreSQL rejects it, so negatives and non-numbers are 0.
 */
export function rowLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.max(0, Math.trunc(limit)) : 0;
}

/** The whole seq a read position moves to, or null when `seq` is no number at all (nothing moves). */
export function readSeq(seq: number): number | null {
  const whole = Math.trunc(seq);
  return Number.isFinite(whole) ? whole : null;
}
