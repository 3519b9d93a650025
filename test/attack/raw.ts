// Raw Engine.IO / Socket.IO / WebSocket / HTTP traffic for the attack suite: what a hostile
// client can put on the wire that socket.io-client never would. Only 127.0.0.1; every wait is
// bounded; nothing here retries.

import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import WebSocket from 'ws';

export type RawTransport = 'websocket' | 'polling';
export const RAW_TRANSPORTS: RawTransport[] = ['websocket', 'polling'];

/** Engine.IO's record separator between packets of one long-polling payload. */
const SEPARATOR = '\x1e';

export interface RawOptions {
  cookie?: string;
  origin?: string;
  headers?: Record<string, string>;
}

/**
 * One Engine.IO v4 connection driven packet by packet. `packets` are the server's Engine.IO
 * packets as text ('40/visitor,{…}', '43/agent,7[…]'); the server's pings are answered
 * (unless the case says otherwise) and not recorded.
 */
export interface RawConn {
  transport: RawTransport;
  sid: string;
  packets: string[];
  /** Sends Engine.IO packets: strings as text, byte arrays as binary (an attachment). */
  send(...packets: Array<string | Uint8Array>): Promise<void>;
  /** The first packet matching, already received or yet to come; rejects after `ms` or once closed. */
  waitFor(match: (packet: string) => boolean, ms?: number): Promise<string>;
  /** Resolves with a description once the server has closed the connection. */
  closed: Promise<string>;
  isClosed(): boolean;
  close(): void;
}

export function engineUrl(port: number, transport: RawTransport, sid?: string): string {
  const base = `${transport === 'websocket' ? 'ws' : 'http'}://127.0.0.1:${port}/socket.io/?EIO=4&transport=${transport}`;
  return sid ? `${base}&sid=${encodeURIComponent(sid)}` : base;
}

function headersOf(opts: RawOptions): Record<string, string> {
  const h: Record<string, string> = { ...opts.headers };
  if (opts.cookie) h.cookie = opts.cookie;
  if (opts.origin) h.origin = opts.origin;
  return h;
}

/** Waiters over a growing list: resolved by a matching item, or rejected by a timeout or the end. */
function createInbox() {
  const packets: string[] = [];
  const waiters = new Set<{ match: (p: string) => boolean; resolve: (p: string) => void; reject: (e: Error) => void }>();
  let ended: string | null = null;
  let onEnd: (why: string) => void = () => {};
  const closed = new Promise<string>((resolve) => (onEnd = resolve));
  return {
    packets,
    closed,
    isClosed: () => ended !== null,
    push(p: string) {
      packets.push(p);
      for (const w of [...waiters]) {
        if (w.match(p)) {
          waiters.delete(w);
          w.resolve(p);
        }
      }
    },
    end(why: string) {
      if (ended !== null) return;
      ended = why;
      for (const w of waiters) w.reject(new Error(`connection closed (${why}) while waiting`));
      waiters.clear();
      onEnd(why);
    },
    waitFor(match: (p: string) => boolean, ms = 5000): Promise<string> {
      const past = packets.find(match);
      if (past !== undefined) return Promise.resolve(past);
      if (ended !== null) return Promise.reject(new Error(`connection closed (${ended})`));
      return new Promise((resolve, reject) => {
        const w = {
          match,
          resolve: (p: string) => {
            clearTimeout(timer);
            resolve(p);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out after ${ms} ms; got ${JSON.stringify(packets.map((x) => x.slice(0, 120)))}`));
        }, ms);
        waiters.add(w);
      });
    },
  };
}

/** Opens an Engine.IO connection over a raw WebSocket (no polling first). */
export async function rawWebSocket(port: number, opts: RawOptions & { answerPings?: boolean } = {}): Promise<RawConn & { setReading(on: boolean): void }> {
  const ws = new WebSocket(engineUrl(port, 'websocket'), { headers: headersOf(opts), perMessageDeflate: false });
  const inbox = createInbox();
  let sid = '';
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.on('error', (err) => {
      inbox.end(`error ${err.message}`);
      reject(err);
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return inbox.push('<binary>');
      const text = data.toString();
      if (text.startsWith('0')) {
        sid = (JSON.parse(text.slice(1)) as { sid: string }).sid;
        return resolve();
      }
      if (text === '2' && opts.answerPings !== false) return ws.send('3');
      inbox.push(text);
    });
    ws.on('close', (code, reason) => {
      inbox.end(`close ${code} ${reason.toString()}`.trim());
      reject(new Error(`closed before open: ${code}`));
    });
  });
  await opened;
  return {
    transport: 'websocket',
    sid,
    packets: inbox.packets,
    async send(...packets) {
      for (const p of packets) {
        if (ws.readyState !== WebSocket.OPEN) return;
        await new Promise<void>((resolve) => ws.send(p, { binary: typeof p !== 'string' }, () => resolve()));
      }
    },
    waitFor: inbox.waitFor,
    closed: inbox.closed,
    isClosed: inbox.isClosed,
    close: () => ws.terminate(),
    // A client that stops reading: the TCP socket is paused and the server's output piles up.
    setReading(on) {
      const tcp = (ws as unknown as { _socket: TcpSocket })._socket;
      if (on) tcp.resume();
      else tcp.pause();
    },
  };
}

/** Opens an Engine.IO connection over raw HTTP long-polling, polling in the background until closed. */
export async function rawPolling(port: number, opts: RawOptions = {}): Promise<RawConn> {
  const headers = headersOf(opts);
  const res = await fetch(engineUrl(port, 'polling'), { headers });
  const text = await res.text();
  if (res.status !== 200 || !text.startsWith('0')) throw new Error(`polling handshake refused: ${res.status} ${text.slice(0, 200)}`);
  const sid = (JSON.parse(text.slice(1)) as { sid: string }).sid;
  const url = engineUrl(port, 'polling', sid);
  const inbox = createInbox();
  const abort = new AbortController();
  // Only the handshake carries the cookie (the server ignores it afterwards); Origin stays on every request.
  const later: Record<string, string> = opts.origin ? { origin: opts.origin } : {};

  const post = async (body: string): Promise<void> => {
    if (inbox.isClosed()) return;
    const r = await fetch(url, { method: 'POST', body, headers: { ...later, 'content-type': 'text/plain;charset=UTF-8' }, signal: abort.signal }).catch(
      () => null,
    );
    if (!r) return;
    await r.arrayBuffer().catch(() => null);
    if (r.status !== 200) inbox.end(`POST ${r.status}`);
  };

  void (async () => {
    while (!inbox.isClosed()) {
      const r = await fetch(url, { headers: later, signal: abort.signal }).catch((err: Error) => err);
      if (r instanceof Error) return inbox.end(`GET failed: ${r.message}`);
      const body = await r.text().catch(() => '');
      if (r.status !== 200) return inbox.end(`GET ${r.status} ${body.slice(0, 100)}`);
      for (const p of body.split(SEPARATOR)) {
        if (p === '1') return inbox.end('close packet');
        if (p === '2') void post('3');
        else if (p !== '6' && p !== '') inbox.push(p);
      }
    }
  })();

  return {
    transport: 'polling',
    sid,
    packets: inbox.packets,
    async send(...packets) {
      const encoded = packets.map((p) => (typeof p === 'string' ? p : `b${Buffer.from(p).toString('base64')}`));
      await post(encoded.join(SEPARATOR));
    },
    waitFor: inbox.waitFor,
    closed: inbox.closed,
    isClosed: inbox.isClosed,
    close() {
      inbox.end('closed by client');
      abort.abort();
    },
  };
}

export function rawConnect(port: number, transport: RawTransport, opts: RawOptions = {}): Promise<RawConn> {
  return transport === 'websocket' ? rawWebSocket(port, opts) : rawPolling(port, opts);
}

/** CONNECTs to a namespace; resolves with 'connected' or the CONNECT_ERROR's message. */
export async function joinNamespace(conn: RawConn, nsp: string, ms = 5000): Promise<string> {
  const prefix = nsp === '/' ? '' : `${nsp},`;
  await conn.send(`40${prefix}`);
  // The reply to this CONNECT: `40<nsp>,{…}` or `44<nsp>,{…}` ('/' has no prefix, so its '{' must follow).
  const reply = await conn.waitFor((p) => (p.startsWith(`40${prefix}{`) || p.startsWith(`44${prefix}{`)), ms);
  if (reply.startsWith('40')) return 'connected';
  return (JSON.parse(reply.slice(2 + prefix.length)) as { message: string }).message;
}

/** The ack with this id in this namespace, parsed. */
export async function ackOf<T = unknown>(conn: RawConn, nsp: string, id: number, ms = 5000): Promise<T> {
  const prefix = `43${nsp},${id}`;
  const p = await conn.waitFor((x) => x.startsWith(prefix) && x.charAt(prefix.length) === '[', ms);
  return (JSON.parse(p.slice(prefix.length)) as T[])[0];
}

/** Whether the connection was closed by the server within `ms`. */
export function closedWithin(conn: RawConn, ms: number): Promise<boolean> {
  if (conn.isClosed()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void conn.closed.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

// ---- below Engine.IO: WebSocket frames and HTTP requests written by hand

/** One WebSocket frame as a client sends it (masked). */
export function wsFrame(opcode: number, payload: Uint8Array = new Uint8Array(0), opts: { fin?: boolean; declaredLength?: number } = {}): Buffer {
  const length = opts.declaredLength ?? payload.length;
  const head: number[] = [(opts.fin === false ? 0 : 0x80) | opcode];
  if (length < 126) head.push(0x80 | length);
  else if (length < 65536) head.push(0x80 | 126, length >> 8, length & 0xff);
  else {
    head.push(0x80 | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i % 4];
  return Buffer.concat([Buffer.from(head), mask, body]);
}

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/**
 * A WebSocket upgrade to the Engine.IO endpoint on a bare TCP socket, for frames `ws` would
 * never send. Resolves once the 101 is read; `rest` is what came after the headers.
 */
export async function rawUpgrade(port: number, opts: RawOptions = {}): Promise<{ socket: TcpSocket; rest: Buffer }> {
  const socket = tcpConnect(port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const lines = [
    `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headersOf(opts)).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  let buf = Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no upgrade answer')), 5000);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      clearTimeout(timer);
      const head = buf.subarray(0, end).toString();
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      socket.pause();
      resolve({ socket, rest: buf.subarray(end + 4) });
    };
    socket.on('data', onData);
  });
}

/** Resolves when the TCP socket is closed by the peer (reading and discarding), or false after `ms`. */
export function tcpClosedWithin(socket: TcpSocket, ms: number): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (v: boolean) => {
      clearTimeout(timer);
      socket.off('close', onClose);
      socket.off('end', onClose);
      resolve(v);
    };
    const onClose = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    socket.on('close', onClose);
    socket.on('end', onClose);
    socket.on('data', () => {});
    socket.resume();
  });
}

/**
 * Writes `head` (and `body`) on a fresh TCP connection and reads until the server closes it or
 * `ms` pass. Returns the status line's code (0 if none came) and whether the server closed.
 */
export async function rawHttp(port: number, head: string | Buffer, opts: { body?: Buffer; ms?: number } = {}): Promise<{ status: number; text: string; closed: boolean; reset: boolean }> {
  const socket = tcpConnect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let closed = false;
  let reset = false;
  const done = new Promise<void>((resolve) => {
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', () => {
      closed = true;
      resolve();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') reset = true;
    });
  });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  // The server may answer (and close) before it has read everything: a failed write is expected.
  socket.write(head, () => {});
  if (opts.body) socket.write(opts.body, () => {});
  await Promise.race([done, new Promise((r) => setTimeout(r, opts.ms ?? 5000))]);
  socket.destroy();
  const text = Buffer.concat(chunks).toString('latin1');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  return { status, text, closed, reset };
}

/**
 * Reads the server's (unmasked) frames on a raw upgraded socket until it closes the connection
 * or `ms` pass. Returns whether it closed and the code of its close frame, if it sent one.
 */
export function serverCloseWithin(socket: TcpSocket, rest: Buffer, ms: number): Promise<{ closed: boolean; code: number | null }> {
  let buf = rest;
  let code: number | null = null;
  const parse = () => {
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        offset = 10;
      }
      if (buf.length < offset + len) return;
      if (opcode === OPCODE.close && len >= 2) code = buf.readUInt16BE(offset);
      buf = buf.subarray(offset + len);
    }
  };
  parse();
  return new Promise((resolve) => {
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve({ closed, code });
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      parse();
    };
    const onClose = () => finish(true);
    const timer = setTimeout(() => finish(false), ms);
    if (socket.destroyed) return finish(true);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.resume();
  });
}
