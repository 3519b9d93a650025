// [SEC3] Finding 3: an email that makes the validator backtrack froze the whole server.
// Every visitor-controlled string is checked in time linear in its length, and
// over-long input is refused before any pattern runs.

import { useArena } from './arena.ts';
import { describe, expect, it } from 'vitest';
import { connect, request } from '../helpers/clients.ts';
import { expectUnharmed } from './target.ts';

describe('[SEC3] no pattern backtracks on visitor input', () => {
  const arena = useArena();

  it('[SEC3-1] profile:update with a@ + 60,000 dots + @ is refused while the control conversation goes on', async () => {
    const { cookie } = await arena.target.visitorSession({ address: '10.0.3.1' });
    const attacker = await connect(arena.target.url, '/visitor', { transport: 'websocket', cookie: cookie! });
    const email = `a@${'.'.repeat(60_000)}@`;
    const attacks = Array.from({ length: 5 }, () => request(attacker, 'profile:update', { email }));
    const during = arena.control.roundTrip();
    const acks = await Promise.all(attacks);
    for (const ack of acks) expect(ack).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(await during).toBeLessThan(1000);
    await expectUnharmed(arena.target, arena.control);
    attacker.close();
  });

  it('[SEC3-2] POST /api/visitor/session with a 32,000-character email is refused with 400', async () => {
    const email = `a@${'.'.repeat(32_000)}@`;
    const during = arena.control.roundTrip();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => arena.target.visitorSession({ address: '10.0.3.2', body: { email } })),
    );
    for (const r of results) expect(r.status).toBe(400);
    expect(await during).toBeLessThan(1000);
    await expectUnharmed(arena.target, arena.control);
  });
});
