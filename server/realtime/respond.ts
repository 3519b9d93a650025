// Turns a handler's result or error into an ack (SPEC §5): `{ok:true,…}` or
// `{ok:false,error}`. A dependency outage becomes `unavailable` (edge/failures.ts decides), logged
// at warn; other unknown errors become `internal`, logged at error, never leaked.

import type { Logger } from '../logger.ts';
import { type Ack, ErrorCode } from '../protocol/errors.ts';
import { knownFailure, type Outage } from '../edge/failures.ts';
import { WRONG_ARITY } from '../edge/schemas.ts';

/** A logger, or a function making one when first needed (a connection's child logger). */
export type LogSource = Logger | (() => Logger);
const resolve = (log: LogSource): Logger => (typeof log === 'function' ? log() : log);


/**
 * An acked event's payload and ack. Socket.IO appends the ack as the last argument, so it is taken
 * from the end: `emit(ev, ack)` or `emit(ev, payload, extra, ack)` is answered `invalid_payload`,
 * not left hanging because the ack sat where the payload was expected.
 */
export function acked(args: unknown[], payloads: 0 | 1 = 1): { input: unknown; ack: unknown } {
  const ack = args[args.length - 1];
  if (typeof ack !== 'function') return { input: args[0], ack: undefined };
  if (args.length - 1 !== payloads) return { input: WRONG_ARITY, ack };
  return { input: payloads === 1 ? args[0] : undefined, ack };
}

export function toAckError(err: unknown, log: LogSource, event: string): Ack<never> {
  const known = knownFailure(err);
  if (known?.outage) logOutage(log, event, known.outage);
  if (known) return { ok: false, error: { code: known.error.code, message: known.error.message } };
  resolve(log).error({ event: 'handler.failed', handler: event, err }, 'handler failed');
  return { ok: false, error: { code: ErrorCode.Internal, message: 'internal error' } };
}

/** A dependency outage met by a handler: warn, not error (the client is told to retry; edge/failures.ts). */
function logOutage(log: LogSource, event: string, outage: Outage): void {
  resolve(log).warn({ event: 'handler.unavailable', handler: event, dependency: outage.dependency, reason: outage.reason }, 'dependency unavailable');
}

/**
 * Runs `work` and acks its result. An event that needs an ack but came without
 * one is dropped before any work is done: nothing changes. Settles (never rejects)
 * once the ack is written.
 */
export function respond<T extends object>(
  ack: unknown,
  log: LogSource,
  event: string,
  work: () => Promise<T>,
): Promise<void> {
  if (typeof ack !== 'function') {
    resolve(log).debug({ event: 'handler.no_ack', handler: event }, 'event without ack dropped');
    return Promise.resolve();
  }
  const reply = ack as (result: Ack<T>) => void;
  return work().then(
    (result) => reply({ ok: true, ...result }),
    (err: unknown) => reply(toAckError(err, log, event)),
  );
}

/** For events without an ack: run, log failures at debug (they are the client's), never throw. Settles when done. */
export function fireAndForget(log: LogSource, event: string, work: () => Promise<void>): Promise<void> {
  return work().catch((err: unknown) => {
    const known = knownFailure(err);
    if (known?.outage) logOutage(log, event, known.outage);
    else if (known) resolve(log).debug({ event: 'handler.rejected', handler: event, code: known.error.code }, 'event rejected');
    else resolve(log).error({ event: 'handler.failed', handler: event, err }, 'handler failed');
  });
}
