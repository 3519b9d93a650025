// Draining this node (SIGTERM; docs/deployment.md): nothing new is accepted, every handler already
// running finishes and its ack is written, then each connection is closed. The close is Engine.IO's
// (the transport's), never a Socket.IO DISCONNECT: socket.io-client reconnects by itself after
// "transport close" but not after "io server disconnect", and a balancer sends that reconnection to
// another node. Imports no http/ module; app.ts decides when to drain.

import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket as EngineConnection } from 'engine.io';
import type { ConnectionState, ConnectionStates } from './context.ts';
import type { Namespaces } from './types.ts';

/** Seconds a refused client is told to wait (Retry-After): about one reconnection delay. */
const RETRY_AFTER_S = '1';
const REFUSAL = JSON.stringify({ error: { code: 'unavailable', message: 'this node is shutting down; connect again' } });

/**
 * Answers an Engine.IO handshake (polling GET or WebSocket upgrade, no `sid`) that arrives while
 * draining: 503, which a balancer may retry on another node (no session exists yet; docs/nginx.conf).
 */
export function refuseHandshake(req: IncomingMessage, res: unknown): void {
  const headers = { 'Content-Type': 'application/json', 'Retry-After': RETRY_AFTER_S, 'Content-Length': String(Buffer.byteLength(REFUSAL)) };
  if (res instanceof ServerResponse) {
    res.writeHead(503, headers).end(REFUSAL);
    return;
  }
  // An upgrade has no ServerResponse (engine.io's stand-in writes nothing): answer on the raw socket.
  const socket = req.socket;
  const head = Object.entries({ ...headers, Connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 503 Service Unavailable\r\n${head}\r\n${REFUSAL}`, () => socket.destroy());
}

/**
 * Namespace middleware, first in every namespace: while draining, a CONNECT is left unanswered.
 * A `connect_error` would make socket.io-client give that namespace up; unanswered, it is made
 * again, on another node, when this connection closes (which the drain does once it is idle).
 */
export function holdWhileDraining(draining: () => boolean): (socket: unknown, next: (err?: Error) => void) => void {
  return (_socket, next) => {
    if (!draining()) next();
  };
}

/** engine.io keeps every open connection in `clients` (protected in its typings; its own close() walks it). */
function engineConnections(ns: Namespaces): EngineConnection[] {
  return Object.values((ns.io.engine as unknown as { clients: Record<string, EngineConnection> }).clients);
}

/** Every namespace socket's state, by the Engine.IO connection carrying it (one socket per namespace). */
function statesByConnection(ns: Namespaces, states: ConnectionStates): Map<EngineConnection, ConnectionState[]> {
  const out = new Map<EngineConnection, ConnectionState[]>();
  for (const nsp of [ns.visitor, ns.agent, ns.admin]) {
    for (const socket of nsp.sockets.values()) {
      const state = states.get(socket);
      if (!state) continue;
      const list = out.get(socket.conn);
      if (list) list.push(state);
      else out.set(socket.conn, [state]);
    }
  }
  return out;
}

/** Resolves at a moment when none of `states` runs a handler: checked and closed in the same turn by the caller. */
async function untilIdle(states: ConnectionState[]): Promise<void> {
  while (states.some((s) => s.busy)) await Promise.all(states.map((s) => s.idle()));
}

export interface DrainOutcome {
  /** Connections closed after their handlers finished. */
  closed: number;
  /** Connections cut at the deadline, with handlers still running (their acks are lost; clients resend). */
  forced: number;
}

/**
 * Closes every connection of this node once nothing runs on it: the acks already written are
 * flushed first (engine.io's close() waits for its buffer to drain), then the transport closes.
 * Connections made meanwhile (a handshake that passed before the drain began) are closed too.
 * After `ms`, what is left is cut. Handshakes must already be refused (refuseHandshake, holdWhileDraining).
 */
export function drainConnections(ns: Namespaces, states: ConnectionStates, ms: number): Promise<DrainOutcome> {
  const engine = ns.io.engine;
  return new Promise((resolve) => {
    const open = new Set<EngineConnection>();
    let closed = 0;
    let finished = false;
    const finish = (forced: number) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      engine.off('connection', close);
      resolve({ closed, forced });
    };
    function close(conn: EngineConnection, of: ConnectionState[] = []) {
      if (open.has(conn)) return;
      open.add(conn);
      conn.once('close', () => {
        open.delete(conn);
        if (!finished) closed++;
        if (open.size === 0) finish(0);
      });
      void untilIdle(of).then(() => conn.close());
    }
    const timer = setTimeout(() => {
      const left = [...open];
      finish(left.length);
      for (const conn of left) conn.close(true);
    }, ms);
    engine.on('connection', close);
    const byConnection = statesByConnection(ns, states);
    const all = engineConnections(ns);
    if (all.length === 0) return finish(0);
    for (const conn of all) close(conn, byConnection.get(conn));
  });
}
