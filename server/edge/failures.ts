// The one place that tells an outage from a bug. An error a handler did not expect is either a
// dependency that cannot serve now — the database or Redis unreachable, shutting down, out of
// connections, busy or out of space — or a fault of ours. An outage is answered `unavailable`
// (acks; HTTP 503 with Retry-After), which tells the client to retry (docs/protocol.md), and is
// logged at warn: nothing is wrong with the request, and it clears when the dependency returns.
// Anything else stays `internal`, logged at error. Recognised by the errors' own codes; imports
// no driver.

import type { Logger } from '../logger.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';

export interface Outage {
  /** What cannot serve, as far as the error tells. */
  dependency: 'database' | 'redis' | 'network' | 'disk';
  /** The error's code or message: safe to log (no data). */
  reason: string;
}

/**
 * PostgreSQL SQLSTATEs of a server that cannot serve now (the transaction did not commit, or
 * never began): a retry later succeeds. Class 08: connection exceptions; class 53: insufficient
 * resources (53300 too_many_connections, 53100 disk_full); class 57P: operator intervention
 * (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now "the database system is
 * shutting down / starting up"); 57014 query_canceled (statement_timeout); 25006 a read-only
 * transaction (connected to a standby after a failover); 40001, 40P01: a transaction rolled back
 * by the server to resolve a conflict.
 */
const PG_OUTAGE = /^(08...|53...|57P0[1-3]|57014|25006|40001|40P01)$/;

/** node-postgres' own failures, which carry no code. */
const PG_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
];

/** SQLite primary result codes (the low byte of an extended code): busy, locked, I/O error, full. */
const SQLITE_OUTAGE = new Set([5, 6, 10, 13]);

/** System errors of a peer that is gone or unreachable. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** System errors of a disk that cannot take more (the WAL's fdatasync, a file open). */
const DISK = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS']);

/** Redis replies and ioredis failures of a server that cannot serve now. */
const REDIS_REPLY = /^(LOADING|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|BUSY) /;
const REDIS_MESSAGES = ['Connection is closed.', "Stream isn't writeable"];

function classify(err: unknown): Outage | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown; name?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : '';
  if (code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number' && SQLITE_OUTAGE.has(e.errcode & 0xff)) {
    return { dependency: 'database', reason: `SQLITE ${e.errcode}: ${message}` };
  }
  if (code && PG_OUTAGE.test(code)) return { dependency: 'database', reason: `${code}: ${message}` };
  if (code && NETWORK.has(code)) return { dependency: 'network', reason: code };
  if (code && DISK.has(code)) return { dependency: 'disk', reason: code };
  if (PG_MESSAGES.some((m) => message.startsWith(m))) return { dependency: 'database', reason: message };
  if (e.name === 'MaxRetriesPerRequestError' || REDIS_REPLY.test(message) || REDIS_MESSAGES.some((m) => message.startsWith(m))) {
    return { dependency: 'redis', reason: message.split(' ')[0] };
  }
  return null;
}

/** The outage `err` reports, looking through `cause` and AggregateError's `errors` (a few levels), or null. */
export function outageOf(err: unknown, depth = 0): Outage | null {
  const found = classify(err);
  if (found || depth >= 3 || typeof err !== 'object' || err === null) return found;
  const { cause, errors } = err as { cause?: unknown; errors?: unknown };
  if (cause !== undefined) {
    const inner = outageOf(cause, depth + 1);
    if (inner) return inner;
  }
  if (Array.isArray(errors)) {
    for (const e of errors) {
      const inner = outageOf(e, depth + 1);
      if (inner) return inner;
    }
  }
  return null;
}

/** The message every outage is answered with. */
const UNAVAILABLE_MESSAGE = 'temporarily unavailable; retry shortly';

/**
 * What a client is told about `err`: an AppError as it is, an outage as `unavailable` (with the
 * outage, for the log line), anything else null (a fault of ours: answer `internal`, log at error).
 */
export function knownFailure(err: unknown): { error: AppError; outage: Outage | null } | null {
  if (err instanceof AppError) return { error: err, outage: null };
  const outage = outageOf(err);
  return outage ? { error: new AppError(ErrorCode.Unavailable, UNAVAILABLE_MESSAGE, { cause: err }), outage } : null;
}

/** A failure in the background (no one to answer): at warn when it is an outage, at error otherwise. */
export function logFailure(logger: Pick<Logger, 'warn' | 'error'>, event: string, err: unknown): void {
  const outage = outageOf(err);
  if (outage) logger.warn({ event, dependency: outage.dependency, reason: outage.reason }, 'dependency unavailable');
  else logger.error({ event, err }, event);
}
