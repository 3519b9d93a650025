// Emit-with-ack as a promise, typed by the socket's event maps (server/protocol/
// acked.ts): resolves with the ack's payload, rejects with AckFailure (the
// server's error) or a timeout/disconnect error.

import type { Socket } from 'socket.io-client';
import type { AckedEvents, AckOf, ArgsOf, ResultOf } from '../../server/protocol/acked.ts';
import type { Ack, ErrorBody } from '../../server/protocol/errors.ts';

export class AckFailure extends Error {
  readonly code: string;
  constructor(error: ErrorBody) {
    super(error.message);
    this.name = 'AckFailure';
    this.code = error.code;
  }
}

/** socket.io-client's own constraint on an event map (its `EventsMap`, which it does not export). */
type EventsMap = { [event: string]: any };

// socket.io-client types emitWithAck from the same maps, but through its own conditional types, which
// the compiler cannot equate with acked.ts's for a generic event: the signatures below carry the types.
type Loose = { timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<Ack> } };
const loose = (socket: Socket): Loose => socket as unknown as Loose;

const TIMEOUT_MS = 10_000;

/** The raw ack of acked event E (or a rejection on timeout/disconnect). */
export function emitAck<S extends EventsMap, C extends EventsMap, E extends AckedEvents<C>>(
  socket: Socket<S, C>,
  event: E,
  ...args: ArgsOf<C, E>
): Promise<AckOf<C, E>> {
  return loose(socket).timeout(TIMEOUT_MS).emitWithAck(event, ...args) as Promise<AckOf<C, E>>;
}

/** The result of acked event E (`{ok:true, …}`); AckFailure when the server said no. */
export async function call<S extends EventsMap, C extends EventsMap, E extends AckedEvents<C>>(
  socket: Socket<S, C>,
  event: E,
  ...args: ArgsOf<C, E>
): Promise<ResultOf<C, E>> {
  const ack = await loose(socket).timeout(TIMEOUT_MS).emitWithAck(event, ...args);
  if (!ack.ok) throw new AckFailure(ack.error);
  return ack as ResultOf<C, E>;
}
