// [SEC4] login throttling holds under concurrency and a login burst does not stall chat;
// [SEC9] the throttle falls on the attacker, not on the account's owner; admins can unlock.

import { useArena } from './arena.ts';
import { describe, expect, it } from 'vitest';
import { cookieOf } from '../helpers/start-app.ts';
import { ADMIN, CONTROL_DEADLINE_MS, expectUnharmed } from './target.ts';

const statuses = (responses: Response[]) => {
  const count = new Map<number, number>();
  for (const r of responses) count.set(r.status, (count.get(r.status) ?? 0) + 1);
  return count;
};

/** The Cookie header a browser would send to /api/login after these responses. */
const deviceCookieOf = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('parley.device='))!.split(';')[0];

describe('[SEC4] concurrent guesses', () => {
  const arena = useArena();

  it('[SEC4-1] 50 concurrent wrong passwords for one account: at most 5 are checked', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, () => arena.target.login('victim@example.com', 'wrong password', { address: '10.0.4.1' })));
    const count = statuses(responses);
    expect(count.get(401) ?? 0).toBeLessThanOrEqual(5);
    expect(count.get(429)).toBe(50 - (count.get(401) ?? 0));
    await expectUnharmed(arena.target, arena.control);
  });

  it('[SEC4-2] 150 concurrent logins for unknown emails from one address: at most 20 are hashed', async () => {
    const responses = await Promise.all(Array.from({ length: 150 }, (_, i) => arena.target.login(`nobody${i}@example.com`, 'wrong password', { address: '10.0.4.2' })));
    const count = statuses(responses);
    expect(count.get(401) ?? 0).toBeLessThanOrEqual(20);
    expect((count.get(401) ?? 0) + (count.get(429) ?? 0)).toBe(150);
    await expectUnharmed(arena.target, arena.control);
  });

  it('[SEC4-3] 150 concurrent logins from 150 addresses: chat acknowledgements keep their pace', async () => {
    const burst = Promise.all(Array.from({ length: 150 }, (_, i) => arena.target.login(`many${i}@example.com`, 'wrong password', { address: `10.4.${i >> 8}.${i & 255}` })));
    // Round trips while the burst is being hashed: each needs a durable write (fdatasync).
    const during: number[] = [];
    for (let i = 0; i < 5; i++) during.push(await arena.control.roundTrip());
    const count = statuses(await burst);
    // Each was answered: checked (401), or refused while too many sign-ins waited (503).
    expect((count.get(401) ?? 0) + (count.get(503) ?? 0)).toBe(150);
    for (const ms of during) expect(ms).toBeLessThan(CONTROL_DEADLINE_MS);
    await expectUnharmed(arena.target, arena.control);
  });
});

describe('[SEC9] lockout is not a weapon', () => {
  const arena = useArena();

  it('[SEC9-1] an attacker locks himself out; the owner signs in on the browser they used before; an admin unlocks new browsers', async () => {
    // The owner signed in on this browser before: it holds a device cookie.
    const first = await arena.target.login(ADMIN.email, ADMIN.password, { address: '10.0.9.1' });
    expect(first.status).toBe(200);
    const device = deviceCookieOf(first);
    expect(first.headers.getSetCookie().find((c) => c.startsWith('parley.device='))).toMatch(/HttpOnly/i);

    // The attacker guesses from elsewhere until refused.
    for (let i = 0; i < 5; i++) expect((await arena.target.login(ADMIN.email, `guess ${i}`, { address: '10.0.9.66' })).status).toBe(401);
    expect((await arena.target.login(ADMIN.email, 'guess 6', { address: '10.0.9.66' })).status).toBe(429);
    // Even with the right password, an unknown browser is refused while the account is locked...
    expect((await arena.target.login(ADMIN.email, ADMIN.password, { address: '10.0.9.77' })).status).toBe(429);
    // ...and a forged device cookie is an unknown browser.
    const forged = device.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await arena.target.login(ADMIN.email, ADMIN.password, { address: '10.0.9.1', cookie: forged })).status).toBe(429);

    // The owner's own browser still gets in.
    const owner = await arena.target.login(ADMIN.email, ADMIN.password, { address: '10.0.9.1', cookie: device });
    expect(owner.status).toBe(200);

    // An admin lifts the lock; then a new browser gets in too.
    const adminCookie = cookieOf(owner);
    const me = (await (await fetch(`${arena.target.url}/api/me`, { headers: { cookie: adminCookie } })).json()) as { agent: { id: string } };
    const team = async () =>
      ((await (await fetch(`${arena.target.url}/api/agents`, { headers: { cookie: adminCookie } })).json()) as { agents: Array<{ id: string; signInLocked: boolean }> }).agents.find((a) => a.id === me.agent.id)!;
    expect((await team()).signInLocked).toBe(true);
    const unlock = await fetch(`${arena.target.url}/api/agents/${me.agent.id}/unlock`, { method: 'POST', headers: { cookie: adminCookie, origin: arena.target.url } });
    expect(unlock.status).toBe(204);
    expect((await team()).signInLocked).toBe(false);
    expect((await arena.target.login(ADMIN.email, ADMIN.password, { address: '10.0.9.77' })).status).toBe(200);
  });

  it('[SEC9-2] unlocking is for admins only', async () => {
    const res = await fetch(`${arena.target.url}/api/agents/anything/unlock`, { method: 'POST', headers: { origin: arena.target.url } });
    expect(res.status).toBe(401);
  });
});
