// Emit-with-ack as a promise: resolves with the ack's payload, rejects with
// AckFailure (the server's error) or a timeout/disconnect error.

import type { Ack, ErrorBody } from '../../server/protocol/errors.ts';

export class AckFailure extends Error {
  readonly code: string;
  constructor(error: ErrorBody) {
    super(error.message);
    this.name = 'AckFailure';
    this.code = error.code;
  }
}

type Loose = { timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> } };

/** The raw ack (or a rejection on timeout/disconnect). */
export function emitAck<T extends object>(socket: object, event: string, args: unknown[], ms = 10_000): Promise<Ack<T>> {
  return (socket as unknown as Loose).timeout(ms).emitWithAck(event, ...args) as Promise<Ack<T>>;
}

/** The ack's payload; AckFailure when the server said no. */
export async function call<T extends object>(socket: object, event: string, ...args: unknown[]): Promise<T> {
  const ack = await emitAck<T>(socket, event, args);
  if (!ack.ok) throw new AckFailure(ack.error);
  return ack;
}
