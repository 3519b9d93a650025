// Draining this node (SIGTERM; docs/deployment.md): nothing new is accepted, every handler already
// running finishes and its ack is written, then each connection is closed. The close is Engine.IO's
// (the transport's), never a Socket.IO DISCONNECT: socket.io-client reconnects by itself after
// "transport close" but not after "io server disconnect", and a balancer sends that reconnection to
// another node. Imports no http/ module; app.ts decides when to drain.

import type { IncomingMessage } from 'node:http';
import type { Socket as EngineConnection } from 'engine.io';
import { engineConnections, refuse } from './engine-refusals.ts';
import type { ConnectionState, ConnectionStates } from './context.ts';
import type { Namespaces } from './types.ts';

/**
 * Answers an Engine.IO handshake (polling GET or WebSocket upgrade, no `sid`) that arrives while
 * draining: 503, which a balancer may retry on another node (docs/nginx.conf).
 */
export function refuseHandshake(req: IncomingMessage, res: unknown): void {
  refuse(req, res, 'this node is shutting down; connect again');
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

/** How long a long-polling connection may take to poll again before it is taken for gone. */
const GONE_AFTER_MS = 2000;

/**
 * Whether the connection can be written to now, or becomes so within GONE_AFTER_MS. engine.io
 * writes a long-polling client's close on its next poll, and waits for it (30 s) otherwise; a
 * client gone between polls (a closed laptop, a killed tab) never makes one, and would hold the
 * exit to the deadline, a forced stop. Such a connection is dropped instead (one upgrading to
 * WebSocket is not taken for gone: engine.io's upgrade has its own timeout): nothing of it runs
 * (untilIdle), and whatever it was not sent, its client asks for again on reconnecting (clientIds,
 * catch-up by seq).
 */
async function untilPolled(conn: EngineConnection): Promise<boolean> {
  let deadline = Date.now() + GONE_AFTER_MS;
  while (!conn.transport.writable && conn.readyState === 'open') {
    // Mid-upgrade the client has stopped polling on purpose: it is there, on its WebSocket.
    if (conn.upgrading) deadline = Date.now() + GONE_AFTER_MS;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
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
      void untilIdle(of)
        .then(() => untilPolled(conn))
        .then((polled) => conn.close(!polled));
    }
    const timer = setTimeout(() => {
      const left = [...open];
      finish(left.length);
      for (const conn of left) conn.close(true);
    }, ms);
    engine.on('connection', close);
    const byConnection = statesByConnection(ns, states);
    const all = engineConnections(engine);
    if (all.length === 0) return finish(0);
    for (const conn of all) close(conn, byConnection.get(conn));
  });
}
