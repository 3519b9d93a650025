// [MAL] Issue #11: malformed traffic on the wire, below socket.io-client — the proof-of-concept
// shapes of the Socket.IO / Engine.IO / socket.io-parser / ws advisories, oversized frames,
// header and fragment floods, bad UTF-8, a ping flood. Each case: the offending connection is
// closed or refused, the server stays up and within its memory budget, the control works.

import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useArena } from './arena.ts';
import {
  OPCODE,
  RAW_TRANSPORTS,
  type RawConn,
  ackOf,
  engineUrl,
  joinNamespace,
  rawConnect,
  rawHttp,
  rawPolling,
  rawUpgrade,
  serverCloseWithin,
  wsFrame,
} from './raw.ts';

const arena = useArena();

/** maxHttpBufferSize of the target (MAX_MESSAGE_LENGTH 4000: server/realtime/io.ts maxFrameBytes). */
const MAX_FRAME = 64 * 1024;

type Outcome = 'closed' | 'ignored' | `refused ${string}` | 'accepted' | 'connect_error';

let probeIds = 5000;

/**
 * Sends `packets` on a connection joined to /visitor, then a probe (history:get with an ack).
 * The server handles a connection's packets in order: if the probe is answered, the malformed
 * packets were either answered themselves (their ack id 1: refused/accepted) or ignored; if the
 * connection closes first, they closed it.
 */
async function outcomeOf(conn: RawConn, packets: Array<string | Uint8Array>): Promise<Outcome> {
  await conn.send(...packets);
  const probe = ++probeIds;
  await conn.send(`42/visitor,${probe}["history:get",{}]`);
  const answered = await Promise.race([
    ackOf(conn, '/visitor', probe, 10_000).then(
      () => true,
      () => false,
    ),
    conn.closed.then(() => false),
  ]);
  if (!answered) {
    expect(conn.isClosed(), 'the probe was neither answered nor the connection closed').toBe(true);
    return 'closed';
  }
  const own = conn.packets.find((p) => p.startsWith('43/visitor,1['));
  if (own) {
    const ack = (JSON.parse(own.slice('43/visitor,1'.length)) as Array<{ ok: boolean; error?: { code: string } }>)[0];
    return ack.ok ? 'accepted' : `refused ${ack.error?.code}`;
  }
  if (conn.packets.some((p) => p.startsWith('44/visitor,'))) return 'connect_error';
  return 'ignored';
}

const bin = (...bytes: number[]) => new Uint8Array(bytes);
const placeholder = (num: unknown) => JSON.stringify({ _placeholder: true, num });
const send = (payload: string, attachments = 1) => `45${attachments}-/visitor,1["message:send",${payload}]`;

interface PacketCase {
  title: string;
  packets: () => Array<string | Uint8Array>;
  expected: Outcome[];
}

// The advisories' shapes (socket.io-parser CVE-2020-36049, CVE-2022-2421, CVE-2023-32695 and the
// 2026 attachment-count memory exhaustion), and what socket.io-parser must make of them.
const PACKET_CASES: PacketCase[] = [
  // Attachment counts.
  { title: '[MAL1] binary event with 0 attachments (450-…)', packets: () => [`450-/visitor,1["message:send",{"clientId":"a","body":"b"}]`], expected: ['closed'] },
  {
    title: '[MAL2] binary event announcing 10,000 attachments (4510000-…), then 10,000 binary frames',
    packets: () => [`4510000-/visitor,1["message:send",${placeholder(0)}]`, ...Array.from({ length: 10_000 }, () => bin(1))],
    expected: ['closed'],
  },
  { title: '[MAL2b] 11 attachments, one over the parser limit', packets: () => [send(placeholder(0), 11), bin(1)], expected: ['closed'] },
  { title: '[MAL2c] attachment count as an exponent (451e4-…)', packets: () => [`451e4-/visitor,1["message:send",${placeholder(0)}]`, bin(1)], expected: ['closed'] },
  { title: '[MAL2d] a negative attachment count (45-1-…)', packets: () => [`45-1-/visitor,1["message:send",${placeholder(0)}]`, bin(1)], expected: ['closed'] },
  // Placeholders.
  { title: '[MAL3] placeholder num past the attachments (num 5 of 1)', packets: () => [send(placeholder(5)), bin(1, 2)], expected: ['closed'] },
  { title: '[MAL3b] placeholder num -1', packets: () => [send(placeholder(-1)), bin(1)], expected: ['closed'] },
  { title: '[MAL3c] placeholder num as a string', packets: () => [send(placeholder('0')), bin(1)], expected: ['closed'] },
  { title: '[MAL3d] placeholder num "__proto__"', packets: () => [send(placeholder('__proto__')), bin(1)], expected: ['closed'] },
  { title: '[MAL3e] placeholder num "toString"', packets: () => [send(placeholder('toString')), bin(1)], expected: ['closed'] },
  { title: '[MAL3f] placeholder num 1e308', packets: () => [send(placeholder(1e308)), bin(1)], expected: ['closed'] },
  { title: '[MAL3g] placeholder num null', packets: () => [send(placeholder(null)), bin(1)], expected: ['closed'] },
  { title: '[MAL3h] placeholder num 0.5', packets: () => [send(placeholder(0.5)), bin(1)], expected: ['closed', 'refused invalid_payload'] },
  {
    title: '[MAL4] placeholders nested inside the payload fields',
    packets: () => [send(`{"clientId":${placeholder(0)},"body":{"a":[${placeholder(0)},{"b":${placeholder(0)}}]}}`), bin(1, 2)],
    expected: ['closed', 'refused invalid_payload'],
  },
  { title: '[MAL4b] a placeholder as the num of a placeholder', packets: () => [send(placeholder({ _placeholder: true, num: 0 })), bin(1)], expected: ['closed'] },
  {
    title: '[MAL4c] a placeholder 30,000 arrays deep',
    packets: () => [send(`${'['.repeat(30_000)}${placeholder(0)}${']'.repeat(30_000)}`), bin(1)],
    expected: ['closed', 'refused invalid_payload'],
  },
  {
    title: '[MAL4d] an attachment that never comes (451-… alone), then a text packet',
    packets: () => [send(placeholder(0)), `42/visitor,1["history:get",{}]`],
    expected: ['closed'],
  },
  // Packets that are not JSON, or not the JSON a packet needs.
  { title: '[MAL6] event with truncated JSON', packets: () => [`42/visitor,1["message:send",{`], expected: ['closed'] },
  { title: '[MAL6b] event data an object, not an array', packets: () => [`42/visitor,1{"0":"message:send"}`], expected: ['closed'] },
  { title: '[MAL6c] event data an empty array', packets: () => [`42/visitor,1[]`], expected: ['closed'] },
  { title: '[MAL6d] event name null', packets: () => [`42/visitor,1[null,{}]`], expected: ['closed'] },
  { title: '[MAL6e] event data not JSON at all', packets: () => [`42/visitor,1[NaN]`], expected: ['closed'] },
  { title: '[MAL6f] CONNECT with a string auth payload', packets: () => [`40/agent,"x"`], expected: ['closed'] },
  { title: '[MAL6g] DISCONNECT with data', packets: () => [`41/visitor,{}`], expected: ['closed'] },
  { title: '[MAL6h] Socket.IO packet type 7', packets: () => [`47/visitor,[]`], expected: ['closed'] },
  // Reserved event names: the server's own EventEmitter events must not be reachable by clients.
  ...['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener', 'error'].map(
    (name): PacketCase => ({
      title: `[MAL7] reserved event name "${name}"`,
      packets: () => [`42/visitor,1[${JSON.stringify(name)},{"clientId":"x","body":"y"}]`],
      expected: ['closed', 'ignored'],
    }),
  ),
  { title: '[MAL7b] a numeric event name', packets: () => [`42/visitor,1[42,{}]`], expected: ['closed', 'ignored'] },
  // ACKs the server never asked for.
  { title: '[MAL8] ACK for an id the server never sent', packets: () => [`43/visitor,999["x"]`], expected: ['ignored'] },
  { title: '[MAL8b] 5,000 ACKs for ids never sent', packets: () => Array.from({ length: 5000 }, (_, i) => `43/visitor,${i + 10}[{"ok":true}]`), expected: ['ignored', 'closed'] },
  { title: '[MAL8c] ACK id beyond 2^53', packets: () => [`43/visitor,99999999999999999999[1]`], expected: ['ignored', 'closed'] },
  { title: '[MAL8d] ACK whose data is an object', packets: () => [`43/visitor,2{}`], expected: ['closed'] },
  { title: '[MAL8e] binary ACK for an id never sent', packets: () => [`461-/visitor,77[${placeholder(0)}]`, bin(9)], expected: ['ignored', 'closed'] },
  // Engine.IO packets that are not Engine.IO packets.
  { title: '[MAL9] Engine.IO packet type 9', packets: () => ['9'], expected: ['closed'] },
  { title: '[MAL9b] an empty Engine.IO packet', packets: () => [''], expected: ['closed'] },
  { title: '[MAL9c] an Engine.IO message with no Socket.IO packet (4)', packets: () => ['4'], expected: ['closed'] },
  { title: '[MAL9d] a binary frame when no binary event waits for it', packets: () => [bin(1, 2, 3)], expected: ['closed'] },
];

describe.each(RAW_TRANSPORTS)('[MAL] Socket.IO packets over raw %s', (transport) => {
  it.each(PACKET_CASES)('$title', async ({ packets, expected }) => {
    const { cookie } = await arena.target.visitorSession();
    const conn = await rawConnect(arena.target.port, transport, { cookie: cookie! });
    try {
      expect(await joinNamespace(conn, '/visitor')).toBe('connected');
      const outcome = await arena.underAttack(() => outcomeOf(conn, packets()));
      expect(expected).toContain(outcome);
    } finally {
      conn.close();
    }
  });

  it('[MAL5] CONNECT to unknown, main and look-alike namespaces is refused with CONNECT_ERROR', async () => {
    const { cookie } = await arena.target.visitorSession();
    const conn = await rawConnect(arena.target.port, transport, { cookie: cookie! });
    try {
      const refusals = await arena.underAttack(async () => ({
        unknown: await joinNamespace(conn, '/nope'),
        main: await joinNamespace(conn, '/'),
        dotted: await joinNamespace(conn, '/visitor/../admin'),
        upper: await joinNamespace(conn, '/ADMIN'),
        encoded: await joinNamespace(conn, '/%61dmin'),
        long: await joinNamespace(conn, `/${'x'.repeat(50_000)}`),
        admin: await joinNamespace(conn, '/admin'),
        agent: await joinNamespace(conn, '/agent'),
      }));
      expect(refusals).toEqual({
        unknown: 'Invalid namespace',
        main: 'not_found',
        dotted: 'Invalid namespace',
        upper: 'Invalid namespace',
        encoded: 'Invalid namespace',
        long: 'Invalid namespace',
        admin: 'forbidden',
        agent: 'forbidden',
      });
      // Refused, not cut: the visitor's own namespace on this connection still works.
      expect(await joinNamespace(conn, '/visitor')).toBe('connected');
      await conn.send('42/visitor,3["history:get",{}]');
      expect(await ackOf(conn, '/visitor', 3)).toMatchObject({ ok: true });
    } finally {
      conn.close();
    }
  });

  it('[MAL5b] 3,000 CONNECTs to distinct unknown namespaces on one connection: each refused, nothing kept', async () => {
    const { cookie } = await arena.target.visitorSession();
    const conn = await rawConnect(arena.target.port, transport, { cookie: cookie! });
    try {
      await arena.underAttack(async () => {
        for (let batch = 0; batch < 30; batch++) {
          const names = Array.from({ length: 100 }, (_, i) => `/flood-${batch}-${i}-${'n'.repeat(200)}`);
          await conn.send(...names.map((n) => `40${n},`));
          await conn.waitFor((p) => p.startsWith(`44${names[names.length - 1]},`), 10_000);
        }
      });
      const refused = conn.packets.filter((p) => p.startsWith('44/flood-'));
      expect(refused).toHaveLength(3000);
      expect(refused.filter((p) => !p.endsWith('{"message":"Invalid namespace"}')).map((p) => p.slice(-80)), 'refusals other than "Invalid namespace"').toEqual([]);
      expect(await joinNamespace(conn, '/visitor')).toBe('connected');
    } finally {
      conn.close();
    }
  });
});

describe('[MAL] oversized frames and bodies', () => {
  it('[MAL10] a WebSocket text frame one byte over maxHttpBufferSize closes that connection (1009)', async () => {
    const { cookie } = await arena.target.visitorSession();
    const { socket, rest } = await rawUpgrade(arena.target.port, { cookie: cookie! });
    const result = await arena.underAttack(async () => {
      socket.write(wsFrame(OPCODE.text, Buffer.from(`42/visitor,["message:send","${'x'.repeat(MAX_FRAME)}"]`)));
      return serverCloseWithin(socket, rest, 5000);
    });
    socket.destroy();
    expect(result).toEqual({ closed: true, code: 1009 });
  });

  it('[MAL10b] a WebSocket frame header announcing 2^40 bytes is refused before any payload', async () => {
    const { cookie } = await arena.target.visitorSession();
    const { socket, rest } = await rawUpgrade(arena.target.port, { cookie: cookie! });
    const result = await arena.underAttack(async () => {
      socket.write(wsFrame(OPCODE.binary, new Uint8Array(0), { declaredLength: 2 ** 40 }));
      return serverCloseWithin(socket, rest, 5000);
    });
    socket.destroy();
    expect(result).toEqual({ closed: true, code: 1009 });
  });

  it('[MAL10c] 8 MiB of binary frame over WebSocket: cut at the limit, never buffered', async () => {
    const { cookie } = await arena.target.visitorSession();
    const { socket, rest } = await rawUpgrade(arena.target.port, { cookie: cookie! });
    const result = await arena.underAttack(async () => {
      socket.write(wsFrame(OPCODE.binary, Buffer.alloc(8 << 20, 1)), () => {});
      return serverCloseWithin(socket, rest, 5000);
    });
    socket.destroy();
    expect(result.closed).toBe(true);
  });

  it('[MAL11] a long-polling POST over maxHttpBufferSize is refused with 413', async () => {
    const { cookie } = await arena.target.visitorSession();
    const conn = await rawPolling(arena.target.port, { cookie: cookie! });
    try {
      const answer = await arena.underAttack(() => {
        const body = Buffer.from(`42/visitor,["message:send",{"clientId":"big","body":"${'x'.repeat(MAX_FRAME)}"}]`);
        const path = new URL(engineUrl(arena.target.port, 'polling', conn.sid));
        const head = `POST ${path.pathname}${path.search} HTTP/1.1\r\nHost: 127.0.0.1:${arena.target.port}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`;
        return rawHttp(arena.target.port, head, { body });
      });
      expect(answer.status).toBe(413);
    } finally {
      conn.close();
    }
  });

  it('[MAL11b] a chunked long-polling POST streaming 16 MiB is cut at the limit, never buffered', async () => {
    const { cookie } = await arena.target.visitorSession();
    const conn = await rawPolling(arena.target.port, { cookie: cookie! });
    try {
      const outcome = await arena.underAttack(
        () =>
          new Promise<{ status: number | null; cut: boolean; sent: number }>((resolve) => {
            const url = new URL(engineUrl(arena.target.port, 'polling', conn.sid));
            let status: number | null = null;
            let sent = 0;
            let settled = false;
            const finish = (cut: boolean) => {
              if (settled) return;
              settled = true;
              resolve({ status, cut, sent });
            };
            const req = httpRequest(
              { host: '127.0.0.1', port: arena.target.port, method: 'POST', path: url.pathname + url.search, headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' } },
              (res) => {
                status = res.statusCode ?? null;
                res.resume();
              },
            );
            req.on('error', () => finish(true));
            req.on('close', () => finish(status !== null));
            const chunk = Buffer.alloc(64 * 1024, 0x61);
            const pump = () => {
              while (sent < 16 << 20) {
                if (status !== null || req.destroyed) return finish(true);
                sent += chunk.length;
                if (!req.write(chunk)) return void req.once('drain', pump);
              }
              req.end();
            };
            pump();
          }),
      );
      // Refused (413) or cut mid-stream, and long before the 16 MiB were taken in.
      expect(outcome.status === 413 || (outcome.cut && outcome.status === null), JSON.stringify(outcome)).toBe(true);
      expect(outcome.sent).toBeLessThan(16 << 20);
    } finally {
      conn.close();
    }
  });
});

describe('[MAL] header floods on the handshake', () => {
  const port = () => arena.target.port;
  const pollingHandshake = (headers: string) =>
    `GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\n${headers}\r\n\r\n`;
  const upgradeHandshake = (headers: string) =>
    `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n\r\n`;
  const floods: Array<[string, () => string]> = [
    ['10,000 headers', () => Array.from({ length: 10_000 }, (_, i) => `X-Flood-${i}: v`).join('\r\n')],
    ['one 1 MiB header', () => `X-Big: ${'a'.repeat(1 << 20)}`],
    ['a 256 KiB cookie', () => `Cookie: parley.sid=${'s'.repeat(256 << 10)}`],
    ['10,000 Cookie headers', () => Array.from({ length: 10_000 }, (_, i) => `Cookie: c${i}=v`).join('\r\n')],
  ];
  const cases = floods.flatMap(([what, headers]) => [
    { title: `[MAL12] ${what} on a polling handshake`, head: () => pollingHandshake(headers()) },
    { title: `[MAL12] ${what} on a WebSocket upgrade`, head: () => upgradeHandshake(headers()) },
  ]);
  cases.push({
    title: '[MAL12] a 1 MiB query string on a polling handshake',
    head: () => `GET /socket.io/?EIO=4&transport=polling&x=${'q'.repeat(1 << 20)} HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\n\r\n`,
  });

  it.each(cases)('$title: 431 and the connection closed', async ({ head }) => {
    const answer = await arena.underAttack(() => rawHttp(port(), head()));
    // The server answers 431 and closes while the client is still writing; with request bytes
    // unread, the kernel may reset the connection and discard the 431 before it is read.
    expect(answer.status === 431 || (answer.status === 0 && answer.reset), answer.text.slice(0, 80)).toBe(true);
    expect(answer.closed).toBe(true);
  });
});

describe('[MAL] WebSocket framing abuse', () => {
  it('[MAL13] 40,000 empty continuation frames (fragment flood) close the connection', async () => {
    const { cookie } = await arena.target.visitorSession();
    const { socket, rest } = await rawUpgrade(arena.target.port, { cookie: cookie! });
    const result = await arena.underAttack(async () => {
      socket.write(wsFrame(OPCODE.text, Buffer.from('4'), { fin: false }));
      const batch = Buffer.concat(Array.from({ length: 1000 }, () => wsFrame(OPCODE.continuation, new Uint8Array(0), { fin: false })));
      for (let i = 0; i < 40 && !socket.destroyed; i++) socket.write(batch, () => {});
      return serverCloseWithin(socket, rest, 10_000);
    });
    socket.destroy();
    expect(result.closed).toBe(true);
    expect(result.code).toBe(1008);
  });

  it('[MAL13b] 40,000 one-byte continuation frames close the connection', async () => {
    const { cookie } = await arena.target.visitorSession();
    const { socket, rest } = await rawUpgrade(arena.target.port, { cookie: cookie! });
    const result = await arena.underAttack(async () => {
      socket.write(wsFrame(OPCODE.text, Buffer.from('4'), { fin: false }));
      const batch = Buffer.concat(Array.from({ length: 1000 }, () => wsFrame(OPCODE.continuation, Buffer.from('2'), { fin: false })));
      for (let i = 0; i < 40 && !socket.destroyed; i++) socket.write(batch, () => {});
      return serverCloseWithin(socket, rest, 10_000);
    });
    socket.destroy();
    expect(result.closed).toBe(true);
  });

  it('[MAL14] invalid UTF-8 in a text frame closes the connection (1007)', async () => {
    const { cookie } = await arena.target.visitorSession();
    const { socket, rest } = await rawUpgrade(arena.target.port, { cookie: cookie! });
    const result = await arena.underAttack(async () => {
      socket.write(wsFrame(OPCODE.text, Buffer.concat([Buffer.from('42/visitor,["typing",{"typing":"'), bin(0xff, 0xfe, 0xc0, 0x80), Buffer.from('"}]')])));
      return serverCloseWithin(socket, rest, 5000);
    });
    socket.destroy();
    expect(result).toEqual({ closed: true, code: 1007 });
  });

  it('[MAL14b] a lone continuation frame, a fragmented ping and a reserved opcode each close the connection', async () => {
    const { cookie } = await arena.target.visitorSession();
    const bad = [
      wsFrame(OPCODE.continuation, Buffer.from('42')),
      wsFrame(OPCODE.ping, Buffer.from('x'), { fin: false }),
      wsFrame(0x3, Buffer.from('x')),
      wsFrame(OPCODE.ping, Buffer.alloc(126, 1)),
    ];
    const results = await arena.underAttack(async () => {
      const out = [];
      for (const frame of bad) {
        const { socket, rest } = await rawUpgrade(arena.target.port, { cookie: cookie! });
        socket.write(frame);
        out.push(await serverCloseWithin(socket, rest, 5000));
        socket.destroy();
      }
      return out;
    });
    expect(results.map((r) => r.closed)).toEqual([true, true, true, true]);
  });

  it('[MAL15] a ping flood from a client that never reads is cut (ws caps pending automatic pongs)', async () => {
    const { cookie } = await arena.target.visitorSession();
    const { socket } = await rawUpgrade(arena.target.port, { cookie: cookie! });
    let closed = false;
    socket.on('close', () => (closed = true));
    const sent = await arena.underAttack(async () => {
      // The socket stays paused: the pongs pile up in the kernel's buffers, then in the server.
      const batch = Buffer.concat(Array.from({ length: 1000 }, () => wsFrame(OPCODE.ping, Buffer.alloc(125, 0x70))));
      let batches = 0;
      // Bounded: 400,000 pings (52 MB) is far more than the kernel buffers of a loopback pair hold.
      while (!closed && batches < 400) {
        batches++;
        if (!socket.write(batch, () => {})) {
          await new Promise<void>((resolve) => {
            socket.once('drain', resolve);
            socket.once('close', resolve);
          });
        }
      }
      return batches;
    });
    expect(closed, `still open after ${sent} thousand pings`).toBe(true);
    socket.destroy();
  });
});
