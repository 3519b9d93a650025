// One system call per connection per burst, instead of one per frame. When a
// group commit lands, its acks and deliveries go out in one burst of
// microtasks: a busy conversation's socket gets several frames at once, and
// each WebSocket frame would be its own write() to the kernel. The TCP socket
// under a WebSocket transport is corked when the engine starts flushing to it
// and uncorked once the current tick's work is done, so the kernel gets them
// in one writev. Long-polling needs nothing: a poll response carries every
// packet buffered at that moment already.

import type { Socket as TcpSocket } from 'node:net';
import type { Server } from 'socket.io';

/** The engine.io connection's transport, and under a WebSocket one the `ws` socket and its TCP socket. */
interface EngineConnection {
  transport?: { name?: string; socket?: { _socket?: TcpSocket } };
  on(event: 'flush', listener: (this: EngineConnection) => void): void;
}

export function batchWebSocketWrites(io: Server): void {
  // Corked in this tick, uncorked together at its end: one nextTick per burst, no stream getters per flush.
  const corked = new Set<TcpSocket>();
  const uncorkAll = () => {
    for (const tcp of corked) tcp.uncork();
    corked.clear();
  };
  // One listener shared by every connection (called with the connection as `this`): no closure per connection.
  function onFlush(this: EngineConnection): void {
    const transport = this.transport;
    if (transport?.name !== 'websocket') return;
    const tcp = transport.socket?._socket;
    if (!tcp || corked.has(tcp)) return;
    // process.nextTick from a microtask runs after the whole microtask queue: the end of the burst.
    if (corked.size === 0) process.nextTick(uncorkAll);
    corked.add(tcp);
    tcp.cork();
  }
  io.engine.on('connection', (conn: EngineConnection) => conn.on('flush', onFlush));
}
