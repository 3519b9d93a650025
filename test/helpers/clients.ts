// Typed socket.io-client helpers shared by protocol, cluster and browser-less tests.
// Event names, payloads and results come from the socket's event maps
// (server/protocol/events.ts): a call the protocol does not allow does not
// compile. Tests that send malformed input on purpose use `untyped()`.

import { io, type Socket } from 'socket.io-client';
import type {
  AdminClientEvents,
  AdminServerEvents,
  AgentClientEvents,
  AgentServerEvents,
  VisitorClientEvents,
  VisitorServerEvents,
} from '../../server/protocol/events.ts';
import type { AckedEvents, AckOf, ArgsOf, PayloadOf, ResultOf } from '../../server/protocol/acked.ts';
import type { Ack } from '../../server/protocol/errors.ts';

export type Transport = 'websocket' | 'polling';
export type VisitorClient = Socket<VisitorServerEvents, VisitorClientEvents>;
export type AgentClient = Socket<AgentServerEvents, AgentClientEvents>;
export type AdminClient = Socket<AdminServerEvents, AdminClientEvents>;

/** The typed client of each namespace. */
export interface Clients {
  '/visitor': VisitorClient;
  '/agent': AgentClient;
  '/admin': AdminClient;
}
export type NamespacePath = keyof Clients;

/** socket.io-client's own constraint on an event map (its `EventsMap`, which it does not export). */
type EventsMap = { [event: string]: any };

export const TRANSPORTS: Transport[] = ['websocket', 'polling'];

/**
 * The untyped view of a socket, for the tests that send what the event maps forbid (bad input,
 * fuzzing, access control): any event name, any arguments. Every such call names `untyped()`.
 */
export interface Untyped {
  readonly connected: boolean;
  emit(event: string, ...args: unknown[]): unknown;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
}
export function untyped(socket: Clients[NamespacePath]): Untyped {
  return socket as Socket as Untyped;
}

/**
 * Emits an acked event with any arguments through `untyped()` and resolves with the answer: every
 * acked call is answered with an ack whatever it carried (SPEC §5), typed by the socket's map when
 * the event is one of its acked events.
 */
export function requestUntyped<S extends EventsMap, C extends EventsMap, E extends AckedEvents<C>>(
  socket: Socket<S, C>,
  event: E,
  ...args: unknown[]
): Promise<AckOf<C, E>>;
export function requestUntyped(socket: Clients[NamespacePath], event: string, ...args: unknown[]): Promise<Ack>;
export function requestUntyped(socket: Clients[NamespacePath], event: string, ...args: unknown[]): Promise<unknown> {
  return untyped(socket).timeout(5000).emitWithAck(event, ...args);
}

/** What the typed helpers below do with a socket, by event name; they alone bridge to it. */
interface Loose {
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<Ack> };
  on(event: string, fn: (payload: never) => void): unknown;
  off(event: string, fn: (payload: never) => void): unknown;
  onAny(fn: (event: string, payload: unknown) => void): unknown;
}
// socket.io-client types its methods from the same maps, but through its own conditional types,
// which the compiler cannot equate with acked.ts's for a generic event: the helpers' signatures
// carry the types, this view carries the calls.
const loose = (socket: Socket): Loose => socket as unknown as Loose;

/** The rejection of connect() when the connection closed before the namespace answered (see connect). */
export const CLOSED_BEFORE_CONNECT = 'closed before the namespace connected';

/**
 * Connects to namespace `ns` of the server at `base` and resolves once connected, typed by the
 * namespace; rejects with the connect_error message, or with CLOSED_BEFORE_CONNECT when the
 * connection closed unanswered (a draining node holds a CONNECT and closes the connection: a
 * reconnecting client connects again elsewhere, this one has no reconnection).
 */
export function connect<N extends NamespacePath>(
  base: string,
  ns: N,
  opts: { transport: Transport; cookie?: string; origin?: string },
): Promise<Clients[N]> {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin) headers.origin = opts.origin;
  const socket = io(base + ns, {
    transports: [opts.transport],
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
    timeout: 5000,
  });
  const log: Array<[string, unknown]> = [];
  received.set(socket, log);
  socket.onAny((ev: string, p: unknown) => log.push([ev, p]));
  return new Promise((resolve, reject) => {
    // The namespace decides the maps: `Clients` is the one place where a path meets its types.
    const closedFirst = (reason: string) => {
      socket.close();
      reject(new Error(`${CLOSED_BEFORE_CONNECT} (${reason})`));
    };
    socket.once('disconnect', closedFirst);
    socket.once('connect', () => {
      socket.off('disconnect', closedFirst);
      resolve(socket as Socket as Clients[N]);
    });
    socket.once('connect_error', (err: Error) => {
      socket.close();
      reject(err);
    });
  });
}

const received = new WeakMap<object, Array<[string, unknown]>>();

/** `p`, or a rejection ("<what> within <ms> ms") once `ms` passed without it. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Emits acked event E with its payload and resolves with the ack, success or error (rejects after 5 s without one). */
export function request<S extends EventsMap, C extends EventsMap, E extends AckedEvents<C>>(
  socket: Socket<S, C>,
  event: E,
  ...args: ArgsOf<C, E>
): Promise<AckOf<C, E>> {
  return loose(socket).timeout(5000).emitWithAck(event, ...args) as Promise<AckOf<C, E>>;
}

/** Emits acked event E, asserts success and resolves with the result (`{ok:true, …}`). */
export async function ok<S extends EventsMap, C extends EventsMap, E extends AckedEvents<C>>(
  socket: Socket<S, C>,
  event: E,
  ...args: ArgsOf<C, E>
): Promise<ResultOf<C, E>> {
  const ack = await loose(socket).timeout(5000).emitWithAck(event, ...args);
  if (!ack.ok) throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack as ResultOf<C, E>;
}

/** Resolves with the next payload of server event E matching `match`. */
export function next<S extends EventsMap, C extends EventsMap, E extends keyof S & string>(
  socket: Socket<S, C>,
  event: E,
  match: (payload: PayloadOf<S, E>) => boolean = () => true,
  ms = 5000,
): Promise<PayloadOf<S, E>> {
  const s = loose(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, handler);
      reject(new Error(`timed out waiting for "${event}"`));
    }, ms);
    const handler = (payload: PayloadOf<S, E>) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      s.off(event, handler);
      resolve(payload);
    };
    s.on(event, handler);
  });
}

/**
 * Like next(), but also matches events that already arrived since connect. For
 * snapshots sent right on connect: over long-polling they can arrive in the
 * same HTTP response as the connect packet, before a listener could be added.
 */
export function arrived<S extends EventsMap, C extends EventsMap, E extends keyof S & string>(
  socket: Socket<S, C>,
  event: E,
  match: (payload: PayloadOf<S, E>) => boolean = () => true,
  ms = 5000,
): Promise<PayloadOf<S, E>> {
  // The log holds what the server sent for this event name: the map's payload type.
  const past = received.get(socket)?.find(([ev, p]) => ev === event && match(p as PayloadOf<S, E>));
  return past ? Promise.resolve(past[1] as PayloadOf<S, E>) : next(socket, event, match, ms);
}

/** Records every payload of server event E from now on. */
export function record<S extends EventsMap, C extends EventsMap, E extends keyof S & string>(socket: Socket<S, C>, event: E): Array<PayloadOf<S, E>> {
  const list: Array<PayloadOf<S, E>> = [];
  loose(socket).on(event, (p: PayloadOf<S, E>) => list.push(p));
  return list;
}

/**
 * Polls `check` until it returns truthy (or throws after `ms`). For eventual effects with no event to wait on.
 * `what` names the condition; as a function it is asked at the timeout, so the failure can say what was seen
 * (counts, which ones are missing) and not only what was not.
 */
export async function eventually<T>(check: () => T | Promise<T>, ms = 5000, what: string | (() => string) = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Barriers for "no presence event came". A tab's presence (its join) is sent before the server
 * handles any event of that tab, and its typing goes to the same conversation room from the same
 * node (locally, or through that node's one Redis publisher, which keeps order): once the observer
 * sees the tab typing, a join or leave that tab's node sent before it has already arrived.
 */
export async function visitorTyped(observer: AgentClient, tab: VisitorClient, visitorId: string): Promise<void> {
  const seen = next(observer, 'typing', (e) => e.participant.id === visitorId);
  tab.emit('typing', { typing: true });
  await seen;
}

export async function agentTyped(observer: VisitorClient, tab: AgentClient, conversationId: string, agentId: string): Promise<void> {
  const seen = next(observer, 'typing', (e) => e.participant.id === agentId);
  tab.emit('typing', { conversationId, typing: true });
  await seen;
}

/**
 * Waits until the presence registry (every node's, as the admin's `online:get` reads it) counts
 * `n` connections for the person: the server has handled a connect or a close. A leave is only
 * ever due when the count is 0, and a person counted at all is still announced (not left).
 */
export async function untilCounted(admin: AdminClient, kind: 'visitor' | 'agent', id: string, n: number): Promise<void> {
  let last: number | undefined;
  await eventually(
    async () => {
      const s = await ok(admin, 'online:get');
      last = (kind === 'visitor' ? s.visitors : s.agents).find((p) => p.id === id)?.connections;
      return last === n;
    },
    5000,
    () => `${kind} ${id} counted with ${n} connection(s); last counted: ${last ?? 'not announced'}`,
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
