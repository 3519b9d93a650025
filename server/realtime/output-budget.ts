// A per-connection output budget: what the server has queued for one client and the client has not
// taken yet (packets waiting in the engine, bytes waiting in the WebSocket's send buffer) is bounded.
// A client that stops reading — a dead network or an attacker asking for large answers and never
// reading them (40 history pages grew the server by 230 MB in 3 s) — is cut once it owes more than
// the budget; a real client reconnects and catches up by seq, as after any other disconnect.

import type { Server } from 'socket.io';
import type { Logger } from '../logger.ts';

/** The engine.io connection, as far as the budget reads it. */
interface EngineConnection {
  readyState: string;
  transport?: { name?: string; socket?: { bufferedAmount?: number; terminate?(): void } };
  writeBuffer: unknown[];
  on(event: 'packetCreate', listener: (this: EngineConnection, packet: { data?: unknown }) => void): void;
  close(discard?: boolean): void;
  [QUEUED]?: number;
}

const QUEUED = Symbol('parley.queuedOutput');

/**
 * Room for two of the largest answers the protocol has (a full history page of the longest
 * messages) and then some: a slow phone catching up fits, a client that stopped reading does not.
 */
export function outputBudgetBytes(maxMessageLength: number, historyMaxLimit: number): number {
  return Math.max(4 * 1024 * 1024, 2 * historyMaxLimit * (maxMessageLength + 512));
}

function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/** Installs the budget on every connection; returns how many connections it has cut so far. */
export function enforceOutputBudget(io: Server, budgetBytes: number, logger: Logger): () => number {
  let cuts = 0;
  // Listeners shared by every connection (called with the connection as `this`): no closure per connection.
  function onPacket(this: EngineConnection, packet: { data?: unknown }): void {
    // Emitted before the packet joins the buffer: an empty buffer means all before went to the transport.
    const queued = (this.writeBuffer.length === 0 ? 0 : (this[QUEUED] ?? 0)) + sizeOf(packet.data);
    this[QUEUED] = queued;
    const transport = this.transport;
    const inSocket = transport?.socket?.bufferedAmount ?? 0;
    if (queued + inSocket <= budgetBytes || this.readyState !== 'open') return;
    cuts++;
    logger.info({ event: 'connection.slow_consumer_cut', queuedBytes: queued + inSocket, transport: transport?.name }, 'client stopped reading; connection cut');
    this.close(true);
    // A closing handshake would wait (up to 30 s) behind the unread bytes; free them now.
    transport?.socket?.terminate?.();
  }
  io.engine.on('connection', (conn: EngineConnection) => {
    conn[QUEUED] = 0;
    conn.on('packetCreate', onPacket);
  });
  return () => cuts;
}
