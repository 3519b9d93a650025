// A raw Engine.IO v4 / Socket.IO v5 client over WebSocket, for traffic a real client library
// would never send: requests from a client that then stops reading, duplicate CONNECTs, and so on.

import { WebSocket } from 'ws';

export interface RawClient {
  ws: WebSocket;
  /** Text frames received so far (Engine.IO packets). */
  received: string[];
  send(frame: string): void;
  /** Resolves with the first received frame for which `match` holds. */
  waitFor(match: (frame: string) => boolean, ms?: number): Promise<string>;
  /** Stops reading from the TCP socket: the server's output piles up. */
  stopReading(): void;
  resumeReading(): void;
  closed: Promise<void>;
  isOpen(): boolean;
}

export async function rawConnect(url: string, opts: { cookie?: string; origin?: string; headers?: Record<string, string> } = {}): Promise<RawClient> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.origin) headers.origin = opts.origin;
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers });
  const received: string[] = [];
  const waiters = new Set<{ match: (f: string) => boolean; resolve: (f: string) => void }>();
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const frame = data.toString();
    // Engine.IO heartbeats are answered, as any client would.
    if (frame === '2') ws.send('3');
    received.push(frame);
    for (const w of waiters) {
      if (w.match(frame)) {
        waiters.delete(w);
        w.resolve(frame);
      }
    }
  });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
  });
  const tcp = () => (ws as unknown as { _socket: import('node:net').Socket })._socket;
  const client: RawClient = {
    ws,
    received,
    send: (frame) => ws.send(frame),
    waitFor(match, ms = 5000) {
      const past = received.find(match);
      if (past !== undefined) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (f: string) => (clearTimeout(timer), resolve(f)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching frame in ${ms} ms; got ${received.slice(-5).join(' | ').slice(0, 500)}`));
        }, ms);
        waiters.add(waiter);
      });
    },
    stopReading: () => tcp().pause(),
    resumeReading: () => tcp().resume(),
    closed,
    isOpen: () => ws.readyState === WebSocket.OPEN,
  };
  await client.waitFor((f) => f.startsWith('0{'));
  return client;
}

/** CONNECT to a namespace and wait for its answer (the CONNECT ack, or CONNECT_ERROR). */
export async function rawJoin(client: RawClient, nsp: string): Promise<string> {
  client.send(`40${nsp},`);
  return client.waitFor((f) => f.startsWith(`40${nsp},{`) || f.startsWith(`44${nsp},`));
}
