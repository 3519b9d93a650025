// [SEC10] Hardening: HSTS behind TLS, nosniff on every engine answer, oversized polling bodies end
// the connection, /metrics only for a direct local scraper or an admin, no JSONP.
// [SEC7] New visitor identities are limited per address.

import { request as httpRequest } from 'node:http';
import { useArena } from './arena.ts';
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/clients.ts';
import { rawWebSocket } from './raw.ts';
import { expectUnharmed } from './target.ts';

function statusOf(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('[SEC10] hardening', () => {
  const arena = useArena();

  it('[SEC10-1] HSTS on pages and API answers behind a TLS proxy, not over plain HTTP', async () => {
    for (const path of ['/', '/login', '/api/me']) {
      const tls = await fetch(`${arena.target.url}${path}`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(tls.headers.get('strict-transport-security'), path).toBe('max-age=31536000');
      const plain = await fetch(`${arena.target.url}${path}`);
      expect(plain.headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('[SEC10-2] Engine.IO answers, its handshake, polls and errors, carry nosniff', async () => {
    const base = `${arena.target.url}/socket.io/?EIO=4&transport=polling`;
    const { cookie } = await arena.target.visitorSession({ address: '10.0.10.1' });
    const open = await fetch(base, { headers: { cookie: cookie! } });
    expect(open.headers.get('x-content-type-options')).toBe('nosniff');
    const sid = (JSON.parse((await open.text()).slice(1)) as { sid: string }).sid;
    const post = await fetch(`${base}&sid=${sid}`, { method: 'POST', body: '40/visitor,', headers: { cookie: cookie!, 'content-type': 'text/plain' } });
    expect(post.headers.get('x-content-type-options')).toBe('nosniff');
    const poll = await fetch(`${base}&sid=${sid}`, { headers: { cookie: cookie! } });
    expect(poll.status).toBe(200);
    expect(poll.headers.get('x-content-type-options')).toBe('nosniff');
    // Not a session this node holds: 503, which a balancer passes on to the node that does (docs/deployment.md).
    const unknown = await fetch(`${base}&sid=nonexistent`);
    expect(unknown.status).toBe(503);
    expect(unknown.headers.get('x-content-type-options')).toBe('nosniff');
    const badTransport = await fetch(`${arena.target.url}/socket.io/?EIO=4&transport=carrier-pigeon`);
    expect(badTransport.status).toBe(400);
    expect(badTransport.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('[SEC10-3] an oversized long-polling POST gets 413 and ends that connection', async () => {
    const base = `${arena.target.url}/socket.io/?EIO=4&transport=polling`;
    const { cookie } = await arena.target.visitorSession({ address: '10.0.10.2' });
    const sid = (JSON.parse((await (await fetch(base, { headers: { cookie: cookie! } })).text()).slice(1)) as { sid: string }).sid;
    const post = (body: string) => fetch(`${base}&sid=${sid}`, { method: 'POST', headers: { cookie: cookie!, 'content-type': 'text/plain' }, body });
    expect((await post('40/visitor,')).status).toBe(200);
    const big = await post(`42/visitor,["typing",{"typing":true,"pad":"${'x'.repeat(2 * 1024 * 1024)}"}]`).catch(() => null);
    if (big) expect(big.status).toBe(413);
    await eventually(async () => (await post('3')).status === 503, 10_000, 'the connection to end');
    await expectUnharmed(arena.target, arena.control);
  });

  it('[SEC10-4] /metrics: a direct local scraper yes; proxied, forwarded or rebound requests no', async () => {
    expect((await fetch(`${arena.target.url}/metrics`)).status).toBe(200);
    const refused: Array<Record<string, string>> = [
      { forwarded: 'for=203.0.113.9' },
      { 'x-forwarded-for': '203.0.113.9' },
      { 'x-real-ip': '203.0.113.9' },
      { via: '1.1 proxy' },
      { host: 'attacker.example' },
      { host: 'attacker.example:80' },
    ];
    for (const headers of refused) {
      // node:http, not fetch: fetch will not send a Host of the caller's choosing.
      expect(await statusOf(`${arena.target.url}/metrics`, headers), JSON.stringify(headers)).toBe(403);
    }
    expect(await statusOf(`${arena.target.url}/metrics`, { host: `localhost:${arena.target.port}` })).toBe(200);
    // An admin may read them from anywhere.
    const cookie = await arena.target.adminCookie();
    expect((await fetch(`${arena.target.url}/metrics`, { headers: { cookie, 'x-forwarded-for': '203.0.113.9' } })).status).toBe(200);
  });

  it('[SEC10-5] JSONP long-polling is refused', async () => {
    const res = await fetch(`${arena.target.url}/socket.io/?EIO=4&transport=polling&j=0`);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toMatch(/___eio/);
  });
});

describe('[SEC7] anonymous identities', () => {
  const arena = useArena({ NEW_VISITOR_RATE_LIMIT: '30', CONNECTIONS_PER_ADDRESS: '20', HTTP_RATE_LIMIT: '50' });

  it('[SEC7-1] 1,000 new visitor sessions from one address: 30 are created, the rest refused with 429; other addresses unaffected', async () => {
    const results = await Promise.all(Array.from({ length: 1000 }, () => arena.target.visitorSession({ address: '10.0.7.1' })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(30);
    expect(results.filter((r) => r.status === 429)).toHaveLength(970);
    expect((await arena.target.visitorSession({ address: '10.0.7.2' })).status).toBe(200);
  });

  it('[SEC7-2] a returning visitor is not counted: its own session answers as often as it likes', async () => {
    const { cookie } = await arena.target.visitorSession({ address: '10.0.7.3' });
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${arena.target.url}/api/visitor/session`, { method: 'POST', headers: { cookie: cookie!, 'content-type': 'application/json', 'x-forwarded-for': '10.0.7.3' }, body: '{}' });
      expect(res.status).toBe(200);
    }
  });

  it('[SEC7-3] at most CONNECTIONS_PER_ADDRESS open connections from one address; a closed one frees its place', async () => {
    const from = (address: string) => rawWebSocket(arena.target.port, { headers: { 'x-forwarded-for': address } });
    const open = await Promise.all(Array.from({ length: 20 }, () => from('10.0.7.4')));
    await expect(from('10.0.7.4')).rejects.toThrow(/upgrade refused: 4\d\d/);
    const other = await from('10.0.7.5');
    open[0].close();
    await open[0].closed;
    await eventually(() => from('10.0.7.4').then((c) => (open.push(c), true), () => false), 5000, 'a place to free');
    for (const c of [...open.slice(1), other]) c.close();
  });

  it('[SEC7-4] anonymous API requests are limited per address (HTTP_RATE_LIMIT); other addresses and signed-in agents are not', async () => {
    const me = (address: string, cookie?: string) =>
      fetch(`${arena.target.url}/api/me`, { headers: { 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) } }).then((r) => r.status);
    const statuses = await Promise.all(Array.from({ length: 80 }, () => me('10.0.7.6')));
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    expect(statuses.filter((s) => s === 401)).toHaveLength(50);
    expect(await me('10.0.7.7')).toBe(401);
    const admin = await arena.target.adminCookie();
    expect(await me('10.0.7.6', admin)).toBe(200);
  });
});
