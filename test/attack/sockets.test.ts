// [SEC5] one socket per namespace per connection, and [SEC6] sessions re-checked at every
// namespace handshake.

import { useArena } from './arena.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminClient, connect, eventually, ok } from '../helpers/clients.ts';
import { joinNamespace, rawWebSocket } from './raw.ts';
import { MEMORY_BUDGET_MIB, expectUnharmed, peakGrowth } from './target.ts';

describe('[SEC5] socket amplification', () => {
  let dashboard: AdminClient;
  const arena = useArena({ PRESENCE_GRACE_MS: '0' });
  beforeAll(async () => {
    dashboard = await connect(arena.target.url, '/admin', { transport: 'websocket', cookie: await arena.target.adminCookie(), origin: arena.target.url });
  });
  afterAll(async () => {
    dashboard?.close();
  });

  const connectionsOf = async (visitorId: string) => {
    const snapshot = await ok(dashboard, 'online:get');
    return snapshot.visitors.find((v) => v.id === visitorId)?.connections ?? 0;
  };
  const visitorIdOf = async (cookie: string) => {
    const me = (await (await fetch(`${arena.target.url}/api/me`, { headers: { cookie } })).json()) as { visitor: { id: string } };
    return me.visitor.id;
  };

  it('[SEC5-1] 1,000 CONNECTs to /visitor in one long-polling POST: the connection is closed, no second socket', async () => {
    const { cookie } = await arena.target.visitorSession({ address: '10.0.5.1' });
    const visitorId = await visitorIdOf(cookie!);
    const base = `${arena.target.url}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(base, { headers: { cookie: cookie! } })).text();
    const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
    const post = (body: string) => fetch(`${base}&sid=${sid}`, { method: 'POST', headers: { cookie: cookie!, 'content-type': 'text/plain' }, body });
    const growth = await peakGrowth(arena.target, async () => {
      await post(Array.from({ length: 1000 }, () => '40/visitor,').join('\x1e'));
      // A node that does not hold a session answers 503 (docs/deployment.md: a balancer passes it on).
      await eventually(async () => (await post('3')).status === 503, 10_000, 'the connection to be closed');
    });
    expect(growth).toBeLessThan(MEMORY_BUDGET_MIB);
    expect(await connectionsOf(visitorId)).toBeLessThanOrEqual(1);
    await expectUnharmed(arena.target, arena.control);
  });

  it('[SEC5-2] 1,000 CONNECTs to /visitor over one WebSocket: closed, no second socket', async () => {
    const { cookie } = await arena.target.visitorSession({ address: '10.0.5.2' });
    const visitorId = await visitorIdOf(cookie!);
    const attacker = await rawWebSocket(arena.target.port, { cookie: cookie! });
    void attacker.send(...Array.from({ length: 1000 }, () => '40/visitor,'));
    await attacker.closed;
    expect(await connectionsOf(visitorId)).toBeLessThanOrEqual(1);
    await expectUnharmed(arena.target, arena.control);
  });

  it('[SEC5-3] a CONNECT refused by the middleware can be tried again on the same connection (what socket.io-client does)', async () => {
    const attacker = await rawWebSocket(arena.target.port);
    expect(await joinNamespace(attacker, '/visitor')).toBe('unauthorized');
    attacker.packets.length = 0;
    expect(await joinNamespace(attacker, '/visitor')).toBe('unauthorized');
    expect(attacker.isClosed()).toBe(false);
    attacker.close();
  });
});

describe('[SEC6] a connection opened before a logout', () => {
  const arena = useArena();

  it('[SEC6-1] joins neither /agent nor /admin after the logout', async () => {
    const cookie = await arena.target.adminCookie();
    const early = await rawWebSocket(arena.target.port, { cookie, origin: arena.target.url });
    // The same cookie works before the logout:
    const before = await rawWebSocket(arena.target.port, { cookie, origin: arena.target.url });
    expect(await joinNamespace(before, '/admin')).toBe('connected');
    const out = await fetch(`${arena.target.url}/api/logout`, { method: 'POST', headers: { cookie, origin: arena.target.url } });
    expect(out.status).toBe(204);
    await before.closed;
    expect(await joinNamespace(early, '/agent')).toBe('unauthorized');
    expect(await joinNamespace(early, '/admin')).toBe('unauthorized');
    early.close();
  });

  it('[SEC6-2] nor does a visitor connection whose session ended', async () => {
    const { cookie } = await arena.target.visitorSession({ address: '10.0.6.1' });
    const early = await rawWebSocket(arena.target.port, { cookie: cookie! });
    const agentCookie = await arena.target.adminCookie();
    // Logging in on the visitor's session replaces it (a new session id); the old one is gone.
    const login = await arena.target.login('admin@example.com', 'correct horse battery staple', { cookie: cookie!, address: '10.0.6.1' });
    expect(login.status).toBe(200);
    expect(agentCookie).not.toBe(cookie);
    expect(await joinNamespace(early, '/visitor')).toBe('unauthorized');
    early.close();
  });
});
