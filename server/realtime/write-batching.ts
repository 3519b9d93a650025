// One system call per connection per burst, instead of one per frame. When a
// group commit lands, its acks and deliveries go out in one burst of
// microtasks: a busy conversation's socket gets several frames at once, and
// each WebSocket frame would be its own write() to the kernel. The TCP socket
// under a WebSocket transport is corked when the engine starts flushing to it
// and uncorked once the current tick's work is done, so the kernel gets them
// in one writev. Long-polling needs nothing: a poll response carries every
// packet buffered at that moment already. The corking itself: edge/cork.ts.

import type { Socket as TcpSocket } from 'node:net';
import type { Server } from 'socket.io';
import { corkUntilBurstEnds } from '../edge/cork.ts';

/** The engine.io connection's transport, and under a WebSocket one the `ws` socket and its TCP socket. */
interface EngineConnection {
  transport?: { name?: string; socket?: { _socket?: TcpSocket } };
  on(event: 'flush', listener: (this: EngineConnection) => void): void;
}

export function batchWebSocketWrites(io: Server): void {
  // One listener shared by every connection (called with the connection as `this`): no closure per connection.
  function onFlush(this: EngineConnection): void {
    const transport = this.transport;
    if (transport?.name !== 'websocket') return;
    const tcp = transport.socket?._socket;
    if (tcp) corkUntilBurstEnds(tcp);
  }
  io.engine.on('connection', (conn: EngineConnection) => conn.on('flush', onFlush));
}
