// Type-level views of an event map (events.ts), for typed emit-with-ack and
// listen helpers: which events are acked, what a caller passes, what comes back.
// Types only; imports only sibling protocol files.

import type { AckError } from './errors.ts';

type Params<F> = F extends (...args: infer A) => void ? A : never;

/** Every ack callback of the protocol (`AckFn<T>` for any T): each `Ack<T>` admits an `AckError`. */
type AnyAckFn = (result: AckError) => void;

/** The names of M's events whose last argument is an ack: the ones emit-with-ack applies to. */
export type AckedEvents<M> = {
  [E in keyof M]: Params<M[E]> extends [...unknown[], AnyAckFn] ? E : never;
}[keyof M] &
  string;

/** The arguments of event E before its ack (all of them if it has none): `[payload]`, or `[]` (`online:get`). */
export type ArgsOf<M, E extends keyof M> = Params<M[E]> extends [...infer A, AnyAckFn] ? A : Params<M[E]>;

/** The payload of event E: its one argument before the ack; `undefined` for an event without one. */
export type PayloadOf<M, E extends keyof M> = ArgsOf<M, E> extends [infer P, ...unknown[]] ? P : undefined;

/** The whole ack of an acked event: `{ok:true, …result}` or an `AckError`. */
export type AckOf<M, E extends AckedEvents<M>> = Params<M[E]> extends [...unknown[], (result: infer R) => void] ? R : never;

/** The success half of an acked event's ack: `{ok:true} & {…result}`. */
export type ResultOf<M, E extends AckedEvents<M>> = Extract<AckOf<M, E>, { ok: true }>;
