// What a node answers, before Engine.IO reads a request, to what it will not take: a handshake
// while it drains, and a request of a session it does not hold. Both are 503 with the protocol's
// error body, which a balancer may retry on another node without anything being done twice
// (docs/nginx.conf): a refused handshake created nothing, and only the node holding a session
// ever takes that session's requests.

import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Server as Engine, Socket as EngineConnection } from 'engine.io';

/** Seconds a refused client is told to wait (Retry-After): about one reconnection delay. */
const RETRY_AFTER_S = '1';

/** Answers 503 `unavailable`: on the response, or on the raw socket of a WebSocket upgrade (which has none). */
export function refuse(req: IncomingMessage, res: unknown, message: string): void {
  const body = JSON.stringify({ error: { code: 'unavailable', message } });
  const headers = { 'Content-Type': 'application/json', 'Retry-After': RETRY_AFTER_S, 'Content-Length': String(Buffer.byteLength(body)) };
  if (res instanceof ServerResponse) {
    res.writeHead(503, headers).end(body);
    return;
  }
  // engine.io's stand-in response for an upgrade writes nothing: answer on the socket itself.
  const socket = req.socket;
  if (!socket.writable) return void socket.destroy();
  const head = Object.entries({ ...headers, Connection: 'close' })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 503 Service Unavailable\r\n${head}\r\n${body}`, () => socket.destroy());
}

/** engine.io keeps every open connection in `clients` by id (protected in its typings; its own close() walks it). */
function clients(engine: Engine): Record<string, EngineConnection> {
  return (engine as unknown as { clients: Record<string, EngineConnection> }).clients;
}

export function engineConnections(engine: Engine): EngineConnection[] {
  return Object.values(clients(engine));
}

/** Whether this node holds the Engine.IO session `sid`. */
export function holdsSession(engine: Engine, sid: string): boolean {
  return Object.hasOwn(clients(engine), sid);
}
