// [ROLL] The shipped nginx configuration (docs/nginx.conf) in front of two real nodes while they are
// restarted one after the other (docs/deployment.md, "Rolling restarts") or die: no new connection
// is refused at any moment, over WebSocket or long-polling, and every client reconnects by itself.
// The restarts come less than nginx's old fail_timeout (10 s) apart: the case that locked every
// client out while a node that failed once was marked down.

import { describe, expect, it } from 'vitest';
import { CLOSED_BEFORE_CONNECT, TRANSPORTS, connect, eventually, ok, sleep, within } from '../helpers/clients.ts';
import type { Nginx } from '../helpers/nginx.ts';
import { reconnectingVisitor, twoNodesBehindNginx, visitorCookie } from './behind-nginx.ts';

type Visitor = Awaited<ReturnType<typeof reconnectingVisitor>>;

/**
 * nginx's "no live upstreams" lines for handshakes (no `sid`): none may have found no node. A
 * request of a session whose node died does exhaust the nodes (none else holds it), and is logged so.
 */
function handshakesWithNoNode(nginx: Nginx): string[] {
  return nginx
    .errorLog()
    .split('\n')
    .filter((line) => line.includes('no live upstreams') && !/[?&]sid=/.test(line));
}

/**
 * The proxy's answers to handshakes (Socket.IO requests without `sid`) that were neither a
 * long-polling open (200) nor a WebSocket upgrade (101): each one a client refused.
 */
function refusedHandshakes(nginx: Nginx): string[] {
  return nginx
    .accessLog()
    .split('\n')
    .filter((line) => line.includes(' /socket.io/ ') && line.endsWith(' ""') && !/^\S+ (200|101) /.test(line));
}

/** The proxy's log lines within `ms` of `at` (epoch ms): what a failure is read with. */
function accessLogAround(nginx: Nginx, at: number, ms = 3000): string {
  return nginx
    .accessLog()
    .split('\n')
    .filter((line) => Math.abs(Number(line.split(' ')[0]) * 1000 - at) <= ms)
    .join('\n');
}

/**
 * New clients, one after another for as long as it runs, alternating WebSocket and long-polling
 * (each a fresh handshake through the proxy), plus an API read: every failure is kept. A handshake
 * that reached a node just before its drain began has its connection closed by the drain
 * (drain.ts) — before the namespace connected, or with a request of that connection answered by
 * no node once the drained node is gone: the widget's reconnection then connects at once through
 * the proxy, and so does the probe, once, counting it `held` (that the proxy refused no handshake
 * itself is checked on its log, refusedHandshakes); only a second failure is a failure.
 */
function probe(nginx: Nginx, cookies: string[]) {
  let running = true;
  const failures: string[] = [];
  let attempts = 0;
  const held: string[] = [];
  const loop = (async () => {
    while (running) {
      const cookie = cookies[attempts % cookies.length];
      const transport = TRANSPORTS[attempts % TRANSPORTS.length];
      attempts++;
      const at = Date.now();
      try {
        const socket = await within(
          connect(nginx.url, '/visitor', { transport, cookie }).catch((err: Error) => {
            const closed = err.message.startsWith(CLOSED_BEFORE_CONNECT);
            held.push(`${new Date(at).toISOString()} ${transport}: ${closed ? 'closed before connect' : `${err.message}, proxy log around it:\n${accessLogAround(nginx, at)}\n`}`);
            return connect(nginx.url, '/visitor', { transport, cookie });
          }),
          10_000,
          'no answer',
        );
        socket.close();
      } catch (err) {
        failures.push(`${new Date(at).toISOString()} ${transport} handshake: ${(err as Error).message}\nproxy log around it:\n${accessLogAround(nginx, at)}`);
      }
      try {
        const res = await fetch(`${nginx.url}/api/me`, { headers: { cookie }, signal: AbortSignal.timeout(10_000) });
        if (res.status !== 200) failures.push(`${new Date(at).toISOString()} GET /api/me: ${res.status}`);
      } catch (err) {
        failures.push(`${new Date(at).toISOString()} GET /api/me: ${(err as Error).message}`);
      }
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { attempts, held, failures };
    },
  };
}

describe('[ROLL] rolling restarts and node deaths behind nginx', () => {
  it('[ROLL1] restarting both nodes in turn (SIGTERM, start, /readyz, next): no refused connection, every client back by itself within seconds', { timeout: 120_000 }, async () => {
    const t = await twoNodesBehindNginx();
    const cookies = await Promise.all(Array.from({ length: 16 }, () => visitorCookie(t.nginx.url)));
    const clients: Visitor[] = [];
    for (let i = 0; i < 12; i++) clients.push(await reconnectingVisitor(t.nginx, TRANSPORTS[i % 2]));
    const perNode = t.nodes.map((n) => n.port);
    expect(perNode.length).toBe(2);

    const running = probe(t.nginx, cookies);
    const steps = [];
    for (const i of [0, 1]) steps.push(await t.restart(i, 'SIGTERM'));
    // Every client was on one of the two nodes: each lost its connection at least once and is back.
    await eventually(() => clients.every((c) => c.outages.length > 0 && !c.down()), 15_000, () => `every client back; outages ${JSON.stringify(clients.map((c) => c.outages))}`);
    const { attempts, held, failures } = await running.stop();

    for (const [i, c] of clients.entries()) {
      const { message } = await ok(c.socket, 'message:send', { clientId: `after-${i}`, body: 'still here' });
      expect(message.seq).toBe(1);
    }
    const outages = clients.flatMap((c) => c.outages);
    console.log(
      `[ROLL1] drains ${steps.map((s) => s.exitedAfterMs).join(', ')} ms; down→ready ${steps.map((s) => s.readyAfterMs).join(', ')} ms; ` +
        `${attempts} probes, ${held.length} held by a draining node and made again (${held.join('; ')}), ${failures.length} failed; client outages max ${Math.max(...outages)} ms, mean ${Math.round(outages.reduce((a, b) => a + b, 0) / outages.length)} ms`,
    );
    expect(failures, `new connections refused during the rolling restart (of ${attempts})`).toEqual([]);
    // Each reconnection got through at its first attempt: what a client waits is its reconnection delay
    // plus one handshake (seconds on this 2-core machine while a node starts beside it).
    expect(clients.flatMap((c) => c.failedAttempts), 'failed reconnection attempts').toEqual([]);
    expect(Math.max(...outages), 'the longest time a client was without a connection').toBeLessThan(10_000);
    expect(handshakesWithNoNode(t.nginx)).toEqual([]);
    expect(refusedHandshakes(t.nginx), 'handshakes the proxy answered with neither 200 nor 101').toEqual([]);
  });

  it('[ROLL2] kill -9 of one node, then of the other right after it came back: every WebSocket upgrade and long-polling handshake gets through', { timeout: 120_000 }, async () => {
    const t = await twoNodesBehindNginx();
    const cookies = await Promise.all(Array.from({ length: 30 }, () => visitorCookie(t.nginx.url)));
    const clients: Visitor[] = [];
    for (let i = 0; i < 8; i++) clients.push(await reconnectingVisitor(t.nginx, TRANSPORTS[i % 2]));

    await t.restart(0, 'SIGKILL');
    t.nodes[1].signal('SIGKILL');
    await t.nodes[1].exited;
    const refused: string[] = [];
    for (const transport of TRANSPORTS) {
      for (const cookie of cookies) {
        try {
          (await connect(t.nginx.url, '/visitor', { transport, cookie })).close();
        } catch (err) {
          refused.push(`${transport}: ${(err as Error).message}`);
        }
      }
    }
    expect(refused, `of ${cookies.length} per transport, with one node dead`).toEqual([]);
    await eventually(() => clients.every((c) => c.outages.length > 0 && !c.down()), 15_000, 'every client back on the live node');
    expect(clients.flatMap((c) => c.failedAttempts), 'failed reconnection attempts').toEqual([]);
    for (const [i, c] of clients.entries()) await ok(c.socket, 'message:send', { clientId: `alive-${i}`, body: 'on the survivor' });
    expect(handshakesWithNoNode(t.nginx)).toEqual([]);
  });

  it('[ROLL3] a request of a session reaches the node holding it whichever node the proxy tries first; once that node is gone, the others refuse it unread (503)', { timeout: 60_000 }, async () => {
    const t = await twoNodesBehindNginx();
    const cookie = await visitorCookie(t.nginx.url);
    const open = await fetch(`${t.nginx.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie } });
    expect(open.status).toBe(200);
    const { sid } = JSON.parse((await open.text()).slice(1)) as { sid: string };
    const session = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    // Asked directly, the node holding the session takes a no-op packet; the other refuses it without reading it.
    const direct = [];
    for (const node of t.nodes) {
      const res = await fetch(node.url + session, { method: 'POST', body: '6' });
      direct.push({ status: res.status, body: await res.text() });
    }
    expect(direct.map((d) => d.status).sort()).toEqual([200, 503]);
    expect(JSON.parse(direct.find((d) => d.status === 503)!.body)).toMatchObject({ error: { code: 'unavailable' } });
    // Through the proxy, the hash key (here: other browsers' cookies) picks the first node to try: every one gets there.
    for (let i = 0; i < 12; i++) {
      const res = await fetch(t.nginx.url + session, { method: 'POST', headers: { cookie: `parley.sid=other-browser-${i}` }, body: '6' });
      expect(`${i}: ${res.status} ${await res.text()}`).toBe(`${i}: 200 ok`);
    }
    const holder = t.nodes[direct.findIndex((d) => d.status === 200)];
    holder.signal('SIGKILL');
    await holder.exited;
    const gone = await fetch(t.nginx.url + session, { method: 'POST', headers: { cookie }, body: '6' });
    expect(gone.status).toBe(503);
    expect(await gone.json()).toMatchObject({ error: { code: 'unavailable' } });
    // A new handshake from the same browser reaches the live node.
    expect((await fetch(`${t.nginx.url}/socket.io/?EIO=4&transport=polling`, { headers: { cookie } })).status).toBe(200);
  });
});
