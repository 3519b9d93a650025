// [SESS] express sessions over HTTP: which requests read and extend them, and
// that their expiry follows the app's clock (docs/protocol.md "Identities and sessions").

import { describe, expect, it } from 'vitest';
import { signedSessionId } from '../../server/edge/session-cookie.ts';
import { SESSION_MAX_AGE_MS } from '../../server/http/session.ts';
import { connect } from '../helpers/clients.ts';
import { startApp, TEST_SECRET } from '../helpers/start-app.ts';

const DAY = 24 * 60 * 60_000;

/** What a browser fetches besides the API: the home page, the widget's loader and page, bundles, styles, health. */
const NO_SESSION = ['/', '/chat', '/widget.js', '/assets/chat.js', '/assets/chat.css', '/assets/console.js', '/assets/admin.css', '/healthz'];

/** The session id a `parley.sid=s:<id>.<signature>` cookie names. */
function sidOf(cookie: string): string {
  return decodeURIComponent(cookie.split('=')[1]).slice(2).split('.')[0];
}

/** A test clock: time moves only when the test says so. */
function testClock(start = Date.now()) {
  let now = start;
  return {
    clock: { now: () => now },
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
  };
}

describe('[SESS] sessions', () => {
  it('[SESS1] pages, the widget, bundles and health are served with a session cookie and no database; what uses the session needs it', async () => {
    const t = await startApp();
    const { cookie: agent } = await t.login('offline@example.com');
    const { cookie: visitor } = await t.visitorSession();
    // Any read of the session store now fails the request (the engine throws: the database is closed).
    await t.store.close();
    for (const path of NO_SESSION) {
      for (const cookie of [agent, visitor]) expect([path, (await t.http(path, { cookie })).status]).toEqual([path, 200]);
    }
    expect((await t.http('/assets/nothing-here.js', { cookie: agent })).status).toBe(404);
    // The control: these read the session, so without the database they fail.
    for (const path of ['/api/me', '/login', '/agent', '/admin', '/metrics', '/readyz']) {
      expect([path, (await t.http(path, { cookie: agent, redirect: 'manual' })).status]).toEqual([path, 500]);
    }
  });

  it('[SESS2] a session is extended by requests that use it, never by pages, bundles or the widget', async () => {
    const time = testClock();
    const t = await startApp({ clock: time.clock });
    const { cookie } = await t.login('rolling@example.com');
    const sid = sidOf(cookie);
    const expires = time.now + SESSION_MAX_AGE_MS;
    /** The stored expiry is `at`: the session is there just before it, and gone from it on. */
    const expectExpiry = async (at: number) => {
      expect(await t.store.sessionGet(sid, at - 1)).not.toBeNull();
      expect(await t.store.sessionGet(sid, at)).toBeNull();
    };
    await expectExpiry(expires);

    time.advance(DAY);
    for (const path of NO_SESSION) expect((await t.http(path, { cookie })).status).toBe(200);
    await expectExpiry(expires);

    expect((await t.http('/api/me', { cookie })).status).toBe(200);
    await expectExpiry(expires + DAY);
    time.advance(DAY);
    expect((await t.http('/agent', { cookie, redirect: 'manual' })).status).toBe(200);
    await expectExpiry(expires + 2 * DAY);
  });

  it('[SESS4] every route that reads the session still sees it: pages, metrics and the rate limit that spares agents', async () => {
    const t = await startApp({ env: { HTTP_RATE_LIMIT: '3' } });
    const { cookie: agent } = await t.login('reader@example.com');
    const { cookie: admin } = await t.login('chief@example.com', { role: 'admin' });
    const page = (path: string, cookie?: string) => t.http(path, { cookie, redirect: 'manual' });
    const where = (res: Response) => [res.status, res.headers.get('location')];

    expect(where(await page('/agent'))).toEqual([303, '/login?next=%2Fagent']);
    expect(where(await page('/agent', agent))).toEqual([200, null]);
    expect(where(await page('/admin', agent))).toEqual([303, '/agent']);
    expect(where(await page('/admin', admin))).toEqual([200, null]);
    expect(where(await page('/login'))).toEqual([200, null]);
    expect(where(await page('/login?next=/admin', admin))).toEqual([303, '/admin']);
    // Through a proxy, loopback is not enough: only an admin's session opens /metrics.
    const proxied = { 'x-forwarded-for': '203.0.113.9' };
    expect((await t.http('/metrics', { headers: proxied, cookie: agent })).status).toBe(403);
    expect((await t.http('/metrics', { headers: proxied, cookie: admin })).status).toBe(200);
    // HTTP_RATE_LIMIT counts requests without an agent session: the two logins above, and this one.
    expect((await t.http('/api/me')).status).toBe(401);
    expect((await t.http('/readyz')).status).toBe(429);
    expect((await t.http('/api/me')).status).toBe(429);
    expect((await t.http('/readyz', { cookie: agent })).status).toBe(200);
    expect((await t.http('/api/me', { cookie: agent })).status).toBe(200);
  });

  it('[SESS3] a session expires by the app clock, 30 days after its last use, over HTTP and at the handshake', async () => {
    const time = testClock();
    const t = await startApp({ clock: time.clock });
    const { cookie } = await t.login('clockwork@example.com');
    const visitor = await t.visitorSession();
    // The store's clock dates new identities.
    expect((await t.store.getVisitor(visitor.visitor.id))?.createdAt).toBe(time.now);

    time.advance(SESSION_MAX_AGE_MS - 1);
    expect((await t.http('/api/me', { cookie })).status).toBe(200); // used: 30 days from now again
    time.advance(SESSION_MAX_AGE_MS - 1);
    expect((await t.http('/api/me', { cookie })).status).toBe(200);
    const agent = await connect(t.url, '/agent', { transport: 'websocket', cookie });
    agent.close();

    time.advance(SESSION_MAX_AGE_MS);
    expect((await t.http('/api/me', { cookie })).status).toBe(401);
    await expect(connect(t.url, '/agent', { transport: 'websocket', cookie })).rejects.toThrow('unauthorized');
    expect((await t.http('/api/me', { cookie: visitor.cookie })).status).toBe(401);
    // Expired is gone: housekeeping's prune at this time removes both.
    expect(await t.store.sessionPrune(time.now)).toBe(2);
  });
  it('[SESS5] a WebSocket handshake knows the session by its signed cookie, as express-session signs it: among other cookies, and only the first of its name', async () => {
    const t = await startApp();
    const { cookie } = await t.login('signed@example.com');
    const visitor = await t.visitorSession();
    for (const c of [cookie, visitor.cookie]) {
      const sid = sidOf(c);
      expect(signedSessionId(c, TEST_SECRET)).toBe(sid);
      expect(signedSessionId(`theme=dark; ${c}; lang=de`, TEST_SECRET)).toBe(sid);
      const value = c.slice(c.indexOf('=') + 1);
      expect(signedSessionId(`parley.sid="${value}"`, TEST_SECRET), 'quoted, as RFC 6265 allows').toBe(sid);
      expect(signedSessionId(c, 'another-secret-0123456789-0123456789'), 'another secret').toBeUndefined();
      expect(signedSessionId(`${c.slice(0, -2)}xx`, TEST_SECRET), 'a changed signature').toBeUndefined();
    }
    expect(signedSessionId(undefined, TEST_SECRET)).toBeUndefined();
    expect(signedSessionId('parley.sid=s%3Aabc', TEST_SECRET), 'no signature').toBeUndefined();
    expect(signedSessionId('parley.sid=%E0%A4%A', TEST_SECRET), 'bad percent-encoding').toBeUndefined();

    const agent = await connect(t.url, '/agent', { transport: 'websocket', cookie: `theme=dark; ${cookie}` });
    agent.close();
    const v = await connect(t.url, '/visitor', { transport: 'websocket', cookie: `${visitor.cookie}; lang=de` });
    v.close();
    // Two cookies of that name: the first counts, as for express-session over HTTP.
    const forgedFirst = `parley.sid=s%3A${'x'.repeat(32)}.${'y'.repeat(43)}; ${cookie}`;
    expect((await t.http('/api/me', { cookie: forgedFirst })).status).toBe(401);
    await expect(connect(t.url, '/agent', { transport: 'websocket', cookie: forgedFirst })).rejects.toThrow('unauthorized');
  });
});
