// One handler pattern for every namespace: a table, typed by the namespace's event map, says for
// each client→server event how its payload is validated, which per-connection budget it spends,
// whether it is a heavy read, and which core call it makes. bindHandlers() turns the table into one
// listener per event, shared by every connection (`this` is the socket; its own state is a
// ConnectionState): the transport rules — ack from the last argument, presence settled first,
// rate limits, errors to acks — live here once.

import type { z } from 'zod';
import { parse, parseNone } from '../edge/schemas.ts';
import type { AckedEvents, PayloadOf, ResultOf } from '../protocol/acked.ts';
import type { ConnectionState, ConnectionStates } from './context.ts';
import { acked, fireAndForget, respond } from './respond.ts';

/** What an acked event's handler returns: its ack without the `ok` (respond() adds it); nothing for the others. */
type Answer<M, E extends keyof M> = E extends AckedEvents<M> ? Omit<ResultOf<M, E>, 'ok'> : void;

export interface Handler<S, M, E extends keyof M> {
  /** The payload's schema (edge/schemas.ts); omitted for events that take no payload. */
  schema?: z.ZodType<PayloadOf<M, E>>;
  /** Acked events answer; the others are fire-and-forget (failures dropped, never thrown). */
  acked: E extends AckedEvents<M> ? true : false;
  /** The per-connection budget the event spends: `messages` (MESSAGE_RATE_LIMIT) or `events`. */
  budget: 'messages' | 'events';
  /** Runs after the connection's previous heavy read (ConnectionState.heavy). */
  heavy?: boolean;
  run(socket: S, input: PayloadOf<M, E>, conn: ConnectionState): Promise<Answer<M, E>>;
}

/** A handler for every client→server event of the namespace: a missing or misnamed one is a compile error. */
export type HandlerTable<S, Events> = { [E in keyof Events]: Handler<S, Events, E> };

/**
 * One listener per event for the whole namespace; `attach(socket)` adds them to a connection whose
 * ConnectionState is in `states`. Events wait until the connection's presence is settled.
 */
export function bindHandlers<S extends object, Events>(table: HandlerTable<S, Events>, states: ConnectionStates): (socket: S) => void {
  const listeners: Array<[string, (this: S, ...args: unknown[]) => void]> = [];
  for (const [event, h] of Object.entries(table) as Array<[string, Handler<S, Events, keyof Events>]>) {
    const payloads = h.schema ? 1 : 0;
    const work = async (socket: S, conn: ConnectionState, input: unknown) => {
      await conn.ready;
      const budget = h.budget === 'messages' ? conn.messages : conn.events;
      if (h.acked) budget.take();
      else if (!budget.tryTake()) return undefined;
      const payload = (h.schema ? parse(h.schema, input) : parseNone(input)) as PayloadOf<Events, keyof Events>;
      return h.heavy ? conn.heavy(() => h.run(socket, payload, conn)) : h.run(socket, payload, conn);
    };
    listeners.push([
      event,
      h.acked
        ? function (this: S, ...args: unknown[]) {
            const conn = states.get(this)!;
            const { input, ack } = acked(args, payloads);
            conn.track(respond(ack, () => conn.log(), event, async () => ((await work(this, conn, input)) ?? {}) as object));
          }
        : function (this: S, ...args: unknown[]) {
            const conn = states.get(this)!;
            conn.track(fireAndForget(() => conn.log(), event, async () => void (await work(this, conn, args[0]))));
          },
    ]);
  }
  return (socket) => {
    // Socket.IO's typed `on` fixes each event's argument positions; these listeners find the ack
    // wherever the client put it (acked()), so they are registered untyped.
    const emitter = socket as unknown as { on(event: string, fn: (...args: unknown[]) => void): void };
    for (const [event, fn] of listeners) emitter.on(event, fn);
  };
}
