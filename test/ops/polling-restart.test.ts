// [GHOST] Behind the shipped nginx configuration, a long-polling client whose node restarts moves
// to the other node; once its node is back, the proxy's hash sends that session's requests to the
// node that came back, which does not know it. Answered 400 "Session ID unknown", the client opened
// a second session while the first one lived on, unseen, until its ping timeout (pingInterval +
// pingTimeout, 45 s): online:get counted the visitor twice meanwhile. A node that does not hold a
// session now answers 503 without reading the request, and the proxy passes it on to the next node
// (the one holding it): the session goes on, and online:get counts what is connected.

import { describe, expect, it } from 'vitest';
import { connect, eventually, ok } from '../helpers/clients.ts';
import { cookieOf } from '../helpers/start-app.ts';
import { ADMIN, reconnectingVisitor, twoNodesBehindNginx } from './behind-nginx.ts';

describe('[GHOST] a long-polling client and a node restart behind nginx', () => {
  it('[GHOST1] once its node is back, the client keeps the session it moved to, and online:get counts its one connection', { timeout: 90_000 }, async () => {
    const t = await twoNodesBehindNginx();
    const v = await reconnectingVisitor(t.nginx, 'polling');
    const me = ((await (await fetch(`${t.nginx.url}/api/me`, { headers: { cookie: v.cookie } })).json()) as { visitor: { id: string } }).visitor.id;
    await ok(v.socket, 'message:send', { clientId: 'hello', body: 'hello' });

    // The node holding the client's session: the one that accepts a no-op packet for it (asked directly).
    const sessionOn = async (sid: string) => {
      const holders: number[] = [];
      for (const [i, node] of t.nodes.entries()) {
        const res = await fetch(`${node.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: 'POST', body: '6' });
        await res.text();
        if (res.status === 200) holders.push(i);
      }
      return holders;
    };
    const [home] = await sessionOn(v.manager.engine.id);
    const other = 1 - home;
    const adminCookie = cookieOf(
      await fetch(`${t.nodes[other].url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) }),
    );
    const admin = await connect(t.nodes[other].url, '/admin', { transport: 'websocket', cookie: adminCookie });
    const counted = async () => (await ok(admin, 'online:get')).visitors.find((x) => x.id === me)?.connections ?? 0;
    await eventually(async () => (await counted()) === 1, 5000, 'the visitor counted once');

    await t.restart(home, 'SIGTERM');
    await eventually(() => v.outages.length > 0 && !v.down(), 10_000, 'the client reconnected by itself');
    const moved = v.manager.engine.id;
    expect(await sessionOn(moved), 'the client moved to the node that stayed up').toEqual([other]);

    // Its node is back and ready: the proxy's hash sends this session's requests to it again. Round
    // trips on the session (each a POST and a GET through the proxy) take whatever route it takes now.
    for (let i = 0; i < 5; i++) await ok(v.socket, 'history:get', {});
    await ok(v.socket, 'message:send', { clientId: 'after', body: 'after the restart' });
    expect(v.manager.engine.id, 'the same session, not a new one').toBe(moved);
    expect(v.outages.length, 'one reconnection: the restart').toBe(1);
    expect(await counted(), 'online:get counts the one connection the client has').toBe(1);
    admin.close();
  });
});
