// socket.io-client connections for the load generators, the same way for both
// servers: Parley gets the seeded session cookie, the baseline an `auth.id`.

import { Agent, type ClientRequestArgs } from 'node:http';
import { connect as netConnect, type Socket as NetSocket } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import type { AckedEvents, AckOf, PayloadOf } from '../../server/protocol/acked.ts';
import type { Ack } from '../../server/protocol/errors.ts';
import type { AgentClientEvents, AgentServerEvents, VisitorClientEvents, VisitorServerEvents } from '../../server/protocol/events.ts';
import type { ServerKind } from '../topology/topology.ts';
import type { Transport } from './protocol.ts';

export type VisitorSocket = Socket<VisitorServerEvents, VisitorClientEvents>;
export type AgentSocket = Socket<AgentServerEvents, AgentClientEvents>;
/** The typed client of each namespace the load generators use (the baseline speaks the same subset). */
export interface Clients {
  '/visitor': VisitorSocket;
  '/agent': AgentSocket;
}

/** No ack within the deadline: counted like a refusal, under its own code. */
export interface TimedOut {
  ok: false;
  error: { code: 'timeout'; message: string };
}
/** What a request ends with: the event's own ack, or a timeout. */
export type Answer<C, E extends AckedEvents<C>> = AckOf<C, E> | TimedOut;

/** socket.io-client's own constraint on an event map (its `EventsMap`, which it does not export). */
type EventsMap = { [event: string]: any };

// socket.io-client types emit from the same maps, but through its own conditional types, which the
// compiler cannot equate with acked.ts's for a generic event: request()'s signature carries the types.
interface Loose {
  emit(event: string, payload: unknown, ack: (result: Ack) => void): unknown;
  timeout(ms: number): { emit(event: string, payload: unknown, ack: (err: Error | null, result: Ack) => void): unknown };
}
const loose = (socket: Socket): Loose => socket as unknown as Loose;

// Long-polling opens a request per poll and per send; without keep-alive every one
// is a new TCP connection and the client's ephemeral ports run out in seconds.
const keepAlive = new Agent({ keepAlive: true, maxSockets: Infinity });

/**
 * An HTTP agent whose connections come from `address` (any 127.x.y.z: all of 127/8 is loopback on
 * Linux), each from a port of our choosing, counted up from `firstPort`. From 127.0.0.1 alone, one
 * server port can be reached from only ≈ 28,000 ephemeral ports (net.ipv4.ip_local_port_range), so
 * 50,000 connections need several source addresses. Binding a source address with port 0 (what
 * `localAddress` alone does) makes the kernel search for a free port on every bind: measured here,
 * it falls from ≈ 1,400 to ≈ 100–150 binds/s after a few thousand connections. An explicit port is
 * one lookup; a port someone else holds (a listener on 0.0.0.0, say) is skipped.
 */
export function sourceAddressAgent(address: string, firstPort = 1024): Agent {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  let next = firstPort;
  const create = (options: ClientRequestArgs, done: (err: Error | null, socket?: NetSocket) => void) => {
    const attempt = (skipped: number): void => {
      if (next > 65_535) return done(new Error(`no local port left on ${address}`));
      const socket = netConnect({ host: options.host ?? undefined, port: Number(options.port), localAddress: address, localPort: next++ });
      const failed = (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE' && skipped < 1000) attempt(skipped + 1);
        else done(err);
      };
      socket.once('error', failed);
      socket.once('connect', () => {
        socket.off('error', failed);
        done(null, socket);
      });
    };
    attempt(0);
    return undefined;
  };
  (agent as unknown as { createConnection: typeof create }).createConnection = create;
  return agent;
}

export interface ConnectOptions<N extends keyof Clients> {
  kind: ServerKind;
  url: string;
  ns: N;
  /** Cookie header (Parley) or id (baseline). */
  credential: string;
  transport: Transport;
  /** Listeners attached before connecting (snapshots may arrive with the connect packet). */
  listen?: (socket: Clients[N]) => void;
  timeoutMs?: number;
  /** The HTTP agent the connection is made through (WebSocket: see sourceAddressAgent). */
  agent?: Agent;
}

export function connect<N extends keyof Clients>(opts: ConnectOptions<N>): Promise<Clients[N]> {
  const socket = io(opts.url + opts.ns, {
    transports: [opts.transport],
    upgrade: false,
    reconnection: false,
    forceNew: true,
    timeout: opts.timeoutMs ?? 30_000,
    ...(opts.kind === 'parley' ? { extraHeaders: { cookie: opts.credential } } : { auth: { id: opts.credential } }),
    ...(opts.transport === 'polling' ? { agent: keepAlive as unknown as string } : {}),
    // engine.io-client hands `agent` to ws, which hands it to http.request.
    ...(opts.agent ? { agent: opts.agent as unknown as string } : {}),
  });
  // The namespace decides the maps: `Clients` is the one place where a path meets its types.
  const typed = socket as Socket as Clients[N];
  opts.listen?.(typed);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(typed));
    socket.once('connect_error', (err: Error) => {
      socket.close();
      reject(new Error(`connect ${opts.ns}: ${err.message}`));
    });
  });
}

/**
 * Emits acked event E with its payload; a missing ack within `ms` becomes `{ok:false, error:{code:'timeout'}}`.
 * `ms: null` waits for the ack however long it takes (no timer per call).
 */
export function request<S extends EventsMap, C extends EventsMap, E extends AckedEvents<C>>(
  socket: Socket<S, C>,
  event: E,
  payload: PayloadOf<C, E>,
  ms: number | null,
  cb: (result: Answer<C, E>) => void,
): void {
  const answer = cb as (result: Ack | TimedOut) => void;
  if (ms === null) {
    loose(socket).emit(event, payload, answer);
    return;
  }
  loose(socket)
    .timeout(ms)
    .emit(event, payload, (err, result) => answer(err ? { ok: false, error: { code: 'timeout', message: err.message } } : result));
}

export function requestAsync<S extends EventsMap, C extends EventsMap, E extends AckedEvents<C>>(
  socket: Socket<S, C>,
  event: E,
  payload: PayloadOf<C, E>,
  ms = 30_000,
): Promise<Answer<C, E>> {
  return new Promise((resolve) => request(socket, event, payload, ms, resolve));
}

/** Counts failures by error code. */
export function countError(errors: Record<string, number>, result: Ack | TimedOut): void {
  if (result.ok) return;
  const code = result.error?.code ?? 'unknown';
  errors[code] = (errors[code] ?? 0) + 1;
}

export function closeAll(sockets: Iterable<Socket>): void {
  for (const s of sockets) s.close();
}
