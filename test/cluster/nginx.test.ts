// [LB] The shipped nginx configuration in front of two nodes: sticky enough for
// long-polling, WebSocket upgrades pass, clients spread over both nodes; TLS with one HSTS header.
// Restarts and node deaths behind it: test/ops/rolling-restart.test.ts.

import { io } from 'socket.io-client';
import { describe, expect, it, onTestFailed, onTestFinished } from 'vitest';
import { TRANSPORTS, type VisitorClient, connect, next, ok } from '../helpers/clients.ts';
import { headerValues, insecureRequest, shippedServerParameters, startNginx } from '../helpers/nginx.ts';
import { cookieOf } from '../helpers/start-app.ts';
import { startCluster } from '../helpers/topology.ts';

async function post(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe.each(TRANSPORTS)('[LB] nginx in front of two nodes, %s', (transport) => {
  it('[LB1] the full flow works through the proxy and clients land on both nodes', async () => {
    const c = await startCluster({ env: { TRUST_PROXY: 'loopback' } });
    const nginx = await startNginx(c.nodes.map((n) => Number(new URL(n.url).port)), { accessLog: true });
    onTestFinished(() => nginx.stop());
    // A failure says what the proxy and the clients saw: nginx's error and access logs (status and
    // upstream of every request) and every client's disconnect, with its reason.
    const disconnects: string[] = [];
    onTestFailed(() => {
      console.error(`[LB1 ${transport}] disconnects:\n${disconnects.join('\n') || '(none)'}\nnginx error log:\n${nginx.errorLog() || '(empty)'}\nnginx access log:\n${nginx.accessLog()}`);
    });
    const watch = (name: string, s: { on(ev: 'disconnect', f: (reason: string, d?: unknown) => void): unknown }) =>
      s.on('disconnect', (reason, d) => disconnects.push(`${new Date().toISOString()} ${name}: ${reason} ${d instanceof Error ? d.message : JSON.stringify(d ?? null)}`));
    await c.nodes[1].login('lb@example.com');
    const login = await post(nginx.url, '/api/login', { email: 'lb@example.com', password: 'pw-lb@example.com-secret' });
    expect(login.status).toBe(200);
    // A browser on the proxy's origin: the Origin check must see the proxy's host, port included.
    const agent = await connect(nginx.url, '/agent', { transport, cookie: cookieOf(login), origin: nginx.url });
    watch('agent', agent);

    const visitors: VisitorClient[] = [];
    for (let i = 0; i < 12; i++) {
      const cookie = cookieOf(await post(nginx.url, '/api/visitor/session', {}));
      visitors.push(await connect(nginx.url, '/visitor', { transport, cookie }));
      watch(`visitor ${i}`, visitors[i]);
    }
    const perNode = c.nodes.map((n) => n.app.ns.visitor.sockets.size);
    expect(perNode.reduce((x, y) => x + y)).toBe(12);
    expect(perNode.filter((n) => n === 0), `nodes without a visitor (visitors per node: ${perNode.join(', ')})`).toEqual([]);

    const visitor = visitors[0];
    const { message } = await ok(visitor, 'message:send', { clientId: 'v1', body: 'hello through the proxy' });
    await ok(agent, 'conversation:claim', { conversationId: message.conversationId });
    // Bounds that detect a message that never comes, not a speed: CI runs this beside other suites.
    const atVisitor = next(visitor, 'message', () => true, 15_000);
    await ok(agent, 'message:send', { conversationId: message.conversationId, clientId: 'a1', body: 'hi!' });
    expect((await atVisitor).body).toBe('hi!');
    const atAgent = next(agent, 'message', () => true, 15_000);
    await ok(visitor, 'message:send', { clientId: 'v2', body: 'thanks' });
    expect((await atAgent).seq).toBe(3);
    const closed = next(visitor, 'conversation', (x) => x.status === 'closed', 15_000);
    await ok(agent, 'conversation:close', { conversationId: message.conversationId });
    await closed;
    for (const v of visitors) v.close();
    agent.close();
  });
});

describe('[LB] the shipped configuration as a whole', () => {
  it('[LB2] the upstream never marks a node down by itself (max_fails=0 on every server line: the test runs with those lines)', () => {
    const params = shippedServerParameters();
    expect(params.length).toBeGreaterThan(1);
    for (const p of params) expect(p).toMatch(/(^|\s)max_fails=0(\s|$)/);
  });

  it.each(TRANSPORTS)('[LB3] over TLS (%s): one Strict-Transport-Security header, Parley\'s; port 80 only redirects, without it', async (transport) => {
    const c = await startCluster({ env: { TRUST_PROXY: 'loopback' } });
    const nginx = await startNginx(c.nodes.map((n) => Number(new URL(n.url).port)), { tls: true });
    onTestFinished(() => nginx.stop());
    for (const path of ['/', '/api/me', '/readyz']) {
      const res = await insecureRequest(nginx.url + path);
      expect(`${path}: ${JSON.stringify(headerValues(res.headers, 'strict-transport-security'))}`).toBe(`${path}: ["max-age=31536000"]`);
    }
    const plain = await fetch(`${nginx.redirectUrl}/chat?x=1`, { redirect: 'manual' });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toMatch(/^https:\/\/127\.0\.0\.1(:\d+)?\/chat\?x=1$/);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    // Socket.IO through the TLS server.
    const created = await insecureRequest(`${nginx.url}/api/visitor/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const session = headerValues(created.headers, 'set-cookie')
      .find((c) => c.startsWith('parley.sid='))!
      .split(';')[0];
    const socket = io(`${nginx.url}/visitor`, { transports: [transport], extraHeaders: { cookie: session }, rejectUnauthorized: false, reconnection: false, forceNew: true });
    onTestFinished(() => void socket.close());
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = (await socket.timeout(5000).emitWithAck('message:send', { clientId: 'tls', body: 'over TLS' })) as { ok: boolean };
    expect(ack.ok).toBe(true);
  });
});
