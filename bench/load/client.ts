// socket.io-client connections for the load generators, the same way for both
// servers: Parley gets the seeded session cookie, the baseline an `auth.id`.

import { Agent } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import type { ServerKind } from '../topology/topology.ts';
import type { Transport } from './protocol.ts';

export type AckResult = { ok: true; [key: string]: unknown } | { ok: false; error: { code: string; message: string } };
export type AckCallback = (result: AckResult) => void;

// Long-polling opens a request per poll and per send; without keep-alive every one
// is a new TCP connection and the client's ephemeral ports run out in seconds.
const keepAlive = new Agent({ keepAlive: true, maxSockets: Infinity });

export interface ConnectOptions {
  kind: ServerKind;
  url: string;
  ns: '/visitor' | '/agent';
  /** Cookie header (Parley) or id (baseline). */
  credential: string;
  transport: Transport;
  /** Listeners attached before connecting (snapshots may arrive with the connect packet). */
  listen?: (socket: Socket) => void;
  timeoutMs?: number;
}

export function connect(opts: ConnectOptions): Promise<Socket> {
  const socket = io(opts.url + opts.ns, {
    transports: [opts.transport],
    upgrade: false,
    reconnection: false,
    forceNew: true,
    timeout: opts.timeoutMs ?? 30_000,
    ...(opts.kind === 'parley' ? { extraHeaders: { cookie: opts.credential } } : { auth: { id: opts.credential } }),
    ...(opts.transport === 'polling' ? { agent: keepAlive as unknown as string } : {}),
  });
  opts.listen?.(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error) => {
      socket.close();
      reject(new Error(`connect ${opts.ns}: ${err.message}`));
    });
  });
}

/** Emits with an ack; a missing ack within `ms` becomes `{ok:false, error:{code:'timeout'}}`. */
export function request(socket: Socket, event: string, payload: unknown, ms: number, cb: AckCallback): void {
  socket.timeout(ms).emit(event, payload, (err: Error | null, result: AckResult) => {
    cb(err ? { ok: false, error: { code: 'timeout', message: err.message } } : result);
  });
}

export function requestAsync(socket: Socket, event: string, payload: unknown, ms = 30_000): Promise<AckResult> {
  return new Promise((resolve) => request(socket, event, payload, ms, resolve));
}

/** Counts failures by error code. */
export function countError(errors: Record<string, number>, result: AckResult): void {
  if (result.ok) return;
  const code = result.error?.code ?? 'unknown';
  errors[code] = (errors[code] ?? 0) + 1;
}

export function closeAll(sockets: Iterable<Socket>): void {
  for (const s of sockets) s.close();
}
