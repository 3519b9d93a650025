// [LB] The shipped nginx configuration in front of two nodes: sticky enough for
// long-polling, WebSocket upgrades pass, clients spread over both nodes.

import { describe, expect, it, onTestFinished } from 'vitest';
import { TRANSPORTS, type VisitorClient, connect, next, ok } from '../helpers/clients.ts';
import { startNginx } from '../helpers/nginx.ts';
import { cookieOf } from '../helpers/start-app.ts';
import { startCluster } from '../helpers/topology.ts';

async function post(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe.each(TRANSPORTS)('[LB] nginx in front of two nodes, %s', (transport) => {
  it('[LB1] the full flow works through the proxy and clients land on both nodes', async () => {
    const c = await startCluster({ env: { TRUST_PROXY: 'loopback' } });
    const nginx = await startNginx(c.nodes.map((n) => Number(new URL(n.url).port)));
    onTestFinished(() => nginx.stop());
    await c.nodes[1].login('lb@example.com');
    const login = await post(nginx.url, '/api/login', { email: 'lb@example.com', password: 'pw-lb@example.com-secret' });
    expect(login.status).toBe(200);
    // A browser on the proxy's origin: the Origin check must see the proxy's host, port included.
    const agent = await connect(nginx.url, '/agent', { transport, cookie: cookieOf(login), origin: nginx.url });

    const visitors: VisitorClient[] = [];
    for (let i = 0; i < 12; i++) {
      const cookie = cookieOf(await post(nginx.url, '/api/visitor/session', {}));
      visitors.push(await connect(nginx.url, '/visitor', { transport, cookie }));
    }
    const perNode = c.nodes.map((n) => n.app.ns.visitor.sockets.size);
    expect(perNode.reduce((x, y) => x + y)).toBe(12);
    expect(perNode.filter((n) => n === 0), `nodes without a visitor (visitors per node: ${perNode.join(', ')})`).toEqual([]);

    const visitor = visitors[0];
    const { message } = await ok(visitor, 'message:send', { clientId: 'v1', body: 'hello through the proxy' });
    await ok(agent, 'conversation:claim', { conversationId: message.conversationId });
    const atVisitor = next(visitor, 'message');
    await ok(agent, 'message:send', { conversationId: message.conversationId, clientId: 'a1', body: 'hi!' });
    expect((await atVisitor).body).toBe('hi!');
    const atAgent = next(agent, 'message');
    await ok(visitor, 'message:send', { clientId: 'v2', body: 'thanks' });
    expect((await atAgent).seq).toBe(3);
    const closed = next(visitor, 'conversation', (x) => x.status === 'closed');
    await ok(agent, 'conversation:close', { conversationId: message.conversationId });
    await closed;
    for (const v of visitors) v.close();
    agent.close();
  });
});
