// [HOURS] Business hours over the wire (docs/protocol.md, "Business hours"): the `businessHours`
// setting in GET/PUT /api/settings (admins only, validated, nothing changed when refused, live on
// every node), and the widget's `availability` event: `open`, `nextOpening`, `email`, told again
// at each open/close boundary and when an admin changes the schedule.

import { describe, expect, it } from 'vitest';
import type { BusinessHours } from '../../server/protocol/business-hours.ts';
import { arrived, next, ok, record } from '../helpers/clients.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { startCluster } from '../helpers/topology.ts';

type Day = Array<{ from: string; to: string }>;
const NINE_TO_FIVE: Day = [{ from: '09:00', to: '17:00' }];
const weekdays = (day: Day) => ({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: [], sun: [] });
const OFFICE: BusinessHours = { timeZone: 'Europe/Berlin', weekly: weekdays(NINE_TO_FIVE), holidays: ['2026-12-25'] };
const NEVER: BusinessHours = { timeZone: 'UTC', weekly: weekdays([]), holidays: [] };
const SMTP = { SMTP_URL: 'smtp://mail.invalid:2525' };

/** A clock that runs at real speed from `iso` on (the timers the app sets are real). */
function clockAt(iso: string) {
  const offset = Date.parse(iso) - Date.now();
  return { now: () => Date.now() + offset };
}

async function root(t: TestApp): Promise<string> {
  return (await t.login('root@example.com', { role: 'admin', name: 'Root' })).cookie;
}

async function put(t: TestApp, cookie: string, json: unknown): Promise<Response> {
  return t.http('/api/settings', { method: 'PUT', cookie, json });
}

async function current(t: TestApp, cookie: string): Promise<{ businessHours: BusinessHours | null }> {
  return ((await (await t.http('/api/settings', { cookie })).json()) as { settings: { businessHours: BusinessHours | null } }).settings;
}

describe('[HOURS] business hours setting and availability', () => {
  it('[HOURS11] businessHours in /api/settings: admins only; an invalid schedule is refused with its problem and changes nothing; null is always open', async () => {
    const t = await startApp();
    const admin = await root(t);
    const { cookie: agent } = await t.login('ann@example.com', { name: 'Ann' });
    expect((await put(t, agent, { businessHours: OFFICE })).status).toBe(403);
    expect((await t.http('/api/settings', { method: 'PUT', json: { businessHours: OFFICE } })).status).toBe(401);
    expect(await current(t, admin)).toMatchObject({ businessHours: null });

    const bad: Array<[unknown, string]> = [
      [{ ...OFFICE, timeZone: 'Nowhere/Land' }, 'businessHours: timeZone must be an IANA time zone'],
      [{ ...OFFICE, weekly: { ...OFFICE.weekly, fri: [{ from: '22:00', to: '02:00' }] } }, 'businessHours: weekly.fri[0]: 02:00 is not after 22:00'],
      [{ ...OFFICE, holidays: ['25.12.2026'] }, 'businessHours: holidays[0] must be a date'],
      ['always', 'businessHours: business hours must be an object'],
      [{ ...OFFICE, weekly: { ...OFFICE.weekly, mon: Array.from({ length: 50 }, () => ({ from: '09:00', to: '10:00' })) } }, 'at most 8 intervals'],
    ];
    for (const [businessHours, problem] of bad) {
      const res = await put(t, admin, { businessHours, defaultCapacity: 7 });
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('invalid_payload');
      expect(error.message).toContain(problem);
    }
    // Nothing changed, not even the valid field sent with the invalid one.
    expect(await current(t, admin)).toMatchObject({ businessHours: null, defaultCapacity: 3 });

    const saved = await put(t, admin, { businessHours: OFFICE });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { settings: unknown }).settings).toMatchObject({ businessHours: OFFICE });
    expect((await current(t, admin)).businessHours).toEqual(OFFICE);
    expect(((await (await put(t, admin, { businessHours: null })).json()) as { settings: unknown }).settings).toMatchObject({ businessHours: null });
    expect((await current(t, admin)).businessHours).toBeNull();
  });

  it('[HOURS12] a visitor outside business hours is told closed with the next opening; email follows SMTP_URL', async () => {
    // Tuesday 2026-01-13 07:00Z = 08:00 in Berlin: opens at 08:00Z.
    const clock = clockAt('2026-01-13T07:00:00Z');
    const t = await startApp({ clock, env: SMTP });
    const admin = await root(t);
    expect((await put(t, admin, { businessHours: OFFICE })).status).toBe(200);
    const { socket } = await t.visitor('websocket');
    expect(await arrived(socket, 'availability')).toEqual({ agentsOnline: 0, email: true, open: false, nextOpening: '2026-01-13T08:00:00.000Z' });

    // Without SMTP_URL: email is false; open now (a null schedule) says no next opening.
    const plain = await startApp();
    const { socket: other } = await plain.visitor('polling');
    expect(await arrived(other, 'availability')).toEqual({ agentsOnline: 0, email: false, open: true, nextOpening: null });
    // Never open: no opening ahead.
    expect((await put(plain, await root(plain), { businessHours: NEVER })).status).toBe(200);
    const { socket: third } = await plain.visitor('websocket');
    expect(await arrived(third, 'availability')).toEqual({ agentsOnline: 0, email: false, open: false, nextOpening: null });
  });

  it('[HOURS13] at the opening boundary every widget is told again, at that moment: open, no next opening', async () => {
    // An hour before Tuesday 09:00 in Berlin (08:00Z); moved on below, once everything is set up.
    const clock = { offset: Date.parse('2026-01-13T07:00:00Z') - Date.now(), now: () => Date.now() + clock.offset };
    const t = await startApp({ clock });
    const admin = await root(t);
    expect((await put(t, admin, { businessHours: OFFICE })).status).toBe(200);
    const { socket } = await t.visitor('websocket');
    expect(await arrived(socket, 'availability')).toMatchObject({ open: false, nextOpening: '2026-01-13T08:00:00.000Z' });
    const told = record(socket, 'availability');
    // Three seconds before the opening; a schedule change (a holiday added) tells the widget and sets the timer again.
    clock.offset = Date.parse('2026-01-13T07:59:57Z') - Date.now();
    expect((await put(t, admin, { businessHours: { ...OFFICE, holidays: ['2026-12-24', '2026-12-25'] } })).status).toBe(200);
    const opened = await next(socket, 'availability', (a) => a.open);
    expect(opened).toEqual({ agentsOnline: 0, email: false, open: true, nextOpening: null });
    expect(clock.now()).toBeGreaterThanOrEqual(Date.parse('2026-01-13T08:00:00Z'));
    // Told closed at the change, then open by the boundary's timer.
    expect(told.map((a) => a.open)).toEqual([false, true]);
    // The conversation still opens and waits in the queue, open or not.
    const { message } = await ok(socket, 'message:send', { clientId: 'c-1', body: 'hello' });
    expect((await t.store.getConversation(message.conversationId))!.status).toBe('queued');
  });

  it('[HOURS14] two nodes: a schedule set on one is in GET /api/settings on the other, and widgets on both are told at once', async () => {
    const t = await startCluster({ env: SMTP });
    const [a, b] = t.nodes;
    const admin = await root(a);
    const onA = (await a.visitor('websocket')).socket;
    const onB = (await b.visitor('polling')).socket;
    for (const s of [onA, onB]) expect(await arrived(s, 'availability')).toMatchObject({ open: true, email: true });
    const told = [onA, onB].map((s) => next(s, 'availability', (e) => !e.open));
    expect((await put(a, admin, { businessHours: NEVER })).status).toBe(200);
    expect(await Promise.all(told)).toEqual([
      { agentsOnline: 0, email: true, open: false, nextOpening: null },
      { agentsOnline: 0, email: true, open: false, nextOpening: null },
    ]);
    expect((await current(b, (await root(b)))).businessHours).toEqual(NEVER);
    // And back: both are told open again.
    const reopened = [onA, onB].map((s) => next(s, 'availability', (e) => e.open));
    expect((await put(b, await root(b), { businessHours: null })).status).toBe(200);
    expect((await Promise.all(reopened)).map((e) => e.open)).toEqual([true, true]);
  });
});
