// [SESS] express sessions over HTTP: which requests read and extend them, and
// that their expiry follows the app's clock (docs/protocol.md "Identities and sessions").

import { describe, expect, it } from 'vitest';
import { SESSION_MAX_AGE_MS } from '../../server/http/session.ts';
import { connect } from '../helpers/clients.ts';
import { startApp } from '../helpers/start-app.ts';

const DAY = 24 * 60 * 60_000;

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
});
