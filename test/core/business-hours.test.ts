// [HOURS] Business hours (docs/protocol.md, "Business hours"): a weekly schedule read on the wall
// clock of its time zone, holidays, 24:00, daylight-saving changes both ways; the times are
// injected, never read from the system clock.

import { describe, expect, it } from 'vitest';
import { createHoursStatus, isOpen, nextChange, nextOpening, scheduleProblem } from '../../server/core/business-hours.ts';
import { type BusinessHours, WEEKDAYS } from '../../server/protocol/business-hours.ts';

type Day = Array<{ from: string; to: string }>;
const NINE_TO_FIVE: Day = [{ from: '09:00', to: '17:00' }];
const ALL_DAY: Day = [{ from: '00:00', to: '24:00' }];

function schedule(timeZone: string, days: Partial<Record<(typeof WEEKDAYS)[number], Day>>, holidays: string[] = []): BusinessHours {
  return { timeZone, weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [], ...days }, holidays };
}
const weekdays = (day: Day) => ({ mon: day, tue: day, wed: day, thu: day, fri: day });
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Every boundary from `start`, `count` of them, with the state each one starts. */
function boundaries(s: BusinessHours, start: string, count: number): Array<[string | null, boolean]> {
  const out: Array<[string | null, boolean]> = [];
  let t = at(start);
  for (let i = 0; i < count; i++) {
    const c = nextChange(s, t);
    out.push([iso(c), c === null ? isOpen(s, t) : isOpen(s, c)]);
    if (c === null) break;
    expect(c).toBeGreaterThan(t);
    // Just before the change the state is the previous one.
    expect(isOpen(s, c - 1)).toBe(isOpen(s, t));
    t = c;
  }
  return out;
}

describe('[HOURS] business hours', () => {
  it('[HOURS1] a weekday schedule in Europe/Berlin: open within the hours, closed outside them and at the weekend; `to` is exclusive', () => {
    const s = schedule('Europe/Berlin', weekdays(NINE_TO_FIVE));
    // Tue 2026-01-13, winter (UTC+1): 09:00 local = 08:00Z.
    expect(isOpen(s, at('2026-01-13T07:59:59.999Z'))).toBe(false);
    expect(isOpen(s, at('2026-01-13T08:00:00Z'))).toBe(true);
    expect(isOpen(s, at('2026-01-13T15:59:59.999Z'))).toBe(true);
    expect(isOpen(s, at('2026-01-13T16:00:00Z'))).toBe(false);
    expect(isOpen(s, at('2026-01-17T10:00:00Z'))).toBe(false); // Saturday
    // Summer (UTC+2): 09:00 local = 07:00Z.
    expect(isOpen(s, at('2026-07-14T07:00:00Z'))).toBe(true);
    expect(isOpen(s, at('2026-07-14T06:59:00Z'))).toBe(false);
    expect(isOpen(null, at('2026-01-17T10:00:00Z'))).toBe(true);
  });

  it('[HOURS2] spring forward (Europe/Berlin, 2026-03-29, 02:00 → 03:00): an opening at 02:30, which does not exist, takes effect at 03:00; closing times follow the new offset', () => {
    const s = schedule('Europe/Berlin', { sun: [{ from: '02:30', to: '04:00' }], mon: NINE_TO_FIVE });
    expect(boundaries(s, '2026-03-28T12:00:00Z', 4)).toEqual([
      ['2026-03-29T01:00:00.000Z', true], // the jump: 03:00 CEST
      ['2026-03-29T02:00:00.000Z', false], // 04:00 CEST
      ['2026-03-30T07:00:00.000Z', true], // Monday 09:00 CEST
      ['2026-03-30T15:00:00.000Z', false],
    ]);
    expect(isOpen(s, at('2026-03-29T00:59:59Z'))).toBe(false); // 01:59:59 CET
    expect(nextOpening(s, at('2026-03-28T12:00:00Z'))).toBe(at('2026-03-29T01:00:00Z'));
  });

  it('[HOURS3] fall back (Europe/Berlin, 2026-10-25, 03:00 → 02:00): the repeated hour is read as the clock reads it, both times', () => {
    const s = schedule('Europe/Berlin', { sun: [{ from: '02:30', to: '04:00' }], mon: NINE_TO_FIVE });
    expect(boundaries(s, '2026-10-24T12:00:00Z', 6)).toEqual([
      ['2026-10-25T00:30:00.000Z', true], // 02:30 CEST
      ['2026-10-25T01:00:00.000Z', false], // the clock goes back to 02:00 (CET)
      ['2026-10-25T01:30:00.000Z', true], // 02:30 CET
      ['2026-10-25T03:00:00.000Z', false], // 04:00 CET
      ['2026-10-26T08:00:00.000Z', true], // Monday 09:00 CET
      ['2026-10-26T16:00:00.000Z', false],
    ]);
    // A nine-to-five is the same hours of the clock before and after: 7 h UTC then 8 h UTC.
    const office = schedule('Europe/Berlin', weekdays(NINE_TO_FIVE));
    expect(nextOpening(office, at('2026-10-23T16:00:00Z'))).toBe(at('2026-10-26T08:00:00Z'));
    expect(nextChange(office, at('2026-10-23T10:00:00Z'))).toBe(at('2026-10-23T15:00:00Z'));
  });

  it('[HOURS4] America/New_York both ways (2026-03-08 and 2026-11-01): an interval across the 02:00 change keeps its wall-clock ends', () => {
    const s = schedule('America/New_York', { sun: [{ from: '01:00', to: '03:30' }] });
    // March: 01:00 EST = 06:00Z; 02:00 EST jumps to 03:00 EDT (07:00Z); 03:30 EDT = 07:30Z.
    expect(boundaries(s, '2026-03-07T12:00:00Z', 2)).toEqual([
      ['2026-03-08T06:00:00.000Z', true],
      ['2026-03-08T07:30:00.000Z', false],
    ]);
    // November: 01:00 EDT = 05:00Z; 02:00 EDT goes back to 01:00 EST (06:00Z), still open; 03:30 EST = 08:30Z.
    expect(boundaries(s, '2026-10-31T12:00:00Z', 2)).toEqual([
      ['2026-11-01T05:00:00.000Z', true],
      ['2026-11-01T08:30:00.000Z', false],
    ]);
    expect(isOpen(s, at('2026-11-01T06:30:00Z'))).toBe(true); // 01:30 EST, the second pass
  });

  it('[HOURS5] holidays close the whole local day; nextOpening skips a holiday and a weekend', () => {
    // Friday 2026-12-25 is a holiday: from Thursday evening the next opening is Monday 28th.
    const s = schedule('Europe/Berlin', weekdays(NINE_TO_FIVE), ['2026-12-25', '2026-12-28']);
    expect(isOpen(s, at('2026-12-25T10:00:00Z'))).toBe(false);
    expect(isOpen(s, at('2026-12-24T10:00:00Z'))).toBe(true);
    expect(iso(nextOpening(s, at('2026-12-24T17:00:00Z')))).toBe('2026-12-29T08:00:00.000Z');
    // A holiday is the zone's date: 23:30Z on the 24th is already the 25th in Tokyo.
    const tokyo = schedule('Asia/Tokyo', { thu: ALL_DAY, fri: ALL_DAY }, ['2026-12-25']);
    expect(isOpen(tokyo, at('2026-12-24T14:59:00Z'))).toBe(true);
    expect(isOpen(tokyo, at('2026-12-24T15:00:00Z'))).toBe(false);
    expect(nextChange(tokyo, at('2026-12-24T10:00:00Z'))).toBe(at('2026-12-24T15:00:00Z'));
  });

  it('[HOURS6] 24:00 ends the day; a day ending at 24:00 and the next starting at 00:00 is one stretch (no boundary at midnight)', () => {
    const s = schedule('Europe/Berlin', { mon: [{ from: '20:00', to: '24:00' }], tue: [{ from: '00:00', to: '02:00' }] });
    expect(isOpen(s, at('2026-01-12T22:59:59Z'))).toBe(true); // Mon 23:59:59
    expect(isOpen(s, at('2026-01-12T23:00:00Z'))).toBe(true); // Tue 00:00
    expect(boundaries(s, '2026-01-12T12:00:00Z', 2)).toEqual([
      ['2026-01-12T19:00:00.000Z', true],
      ['2026-01-13T01:00:00.000Z', false],
    ]);
    // Open all week with no holiday: never changes; with one, it changes at its midnights.
    const always = schedule('Europe/Berlin', Object.fromEntries(WEEKDAYS.map((d) => [d, ALL_DAY])));
    expect(nextChange(always, at('2026-01-12T12:00:00Z'))).toBeNull();
    expect(isOpen(always, at('2026-01-12T12:00:00Z'))).toBe(true);
    const closing = { ...always, holidays: ['2030-05-01'] };
    expect(boundaries(closing, '2026-01-12T12:00:00Z', 3)).toEqual([
      ['2030-04-30T22:00:00.000Z', false],
      ['2030-05-01T22:00:00.000Z', true],
      [null, true],
    ]);
  });

  it('[HOURS7] never open: nextOpening and nextChange are null; a null schedule is open now and never changes', () => {
    const closed = schedule('Europe/Berlin', {}, ['2026-12-25']);
    expect(isOpen(closed, at('2026-01-12T12:00:00Z'))).toBe(false);
    expect(nextOpening(closed, at('2026-01-12T12:00:00Z'))).toBeNull();
    expect(nextChange(closed, at('2026-01-12T12:00:00Z'))).toBeNull();
    expect(nextOpening(null, 1234)).toBe(1234);
    expect(nextChange(null, 1234)).toBeNull();
    // Open now: nextOpening is now.
    const s = schedule('Europe/Berlin', weekdays(NINE_TO_FIVE));
    expect(nextOpening(s, at('2026-01-13T10:00:00Z'))).toBe(at('2026-01-13T10:00:00Z'));
  });

  it('[HOURS8] many holidays in a row: the next opening is found past all of them', () => {
    const holidays = Array.from({ length: 200 }, (_, i) => new Date(Date.UTC(2026, 0, 5 + i * 7)).toISOString().slice(0, 10)); // 200 Mondays
    const s = schedule('UTC', { mon: NINE_TO_FIVE }, holidays);
    expect(iso(nextOpening(s, at('2026-01-01T00:00:00Z')))).toBe('2029-11-05T09:00:00.000Z');
  });

  it('[HOURS9] the validator names the problem; overnight intervals are refused with the way to write them', () => {
    const good = schedule('Europe/Berlin', weekdays(NINE_TO_FIVE), ['2026-12-25']);
    expect(scheduleProblem(good)).toBeNull();
    const bad: Array<[unknown, string]> = [
      [null, 'must be an object'],
      [{ ...good, timeZone: 'Mars/Olympus' }, 'IANA time zone'],
      [{ ...good, timeZone: 'x'.repeat(10_000) }, 'IANA time zone'],
      [{ ...good, extra: 1 }, 'unknown field "extra"'],
      [{ ...good, weekly: { ...good.weekly, mon: [{ from: '22:00', to: '02:00' }] } }, 'weekly.mon[0]: 02:00 is not after 22:00 (for hours past midnight, close at 24:00 and open at 00:00 the next day)'],
      [{ ...good, weekly: { ...good.weekly, tue: [{ from: '09:00', to: '12:00' }, { from: '11:00', to: '13:00' }] } }, 'weekly.tue: intervals overlap'],
      [{ ...good, weekly: { ...good.weekly, wed: [{ from: '9:00', to: '12:00' }] } }, 'weekly.wed[0].from must be a time'],
      [{ ...good, weekly: { ...good.weekly, wed: [{ from: '09:00', to: '24:01' }] } }, 'weekly.wed[0].to must be a time'],
      [{ ...good, weekly: { ...good.weekly, wed: [{ from: '24:00', to: '24:00' }] } }, 'weekly.wed[0].from must be a time'],
      [{ ...good, weekly: { ...good.weekly, thu: Array.from({ length: 9 }, (_, i) => ({ from: `0${i}:00`, to: `0${i}:30` })) } }, 'at most 8 intervals'],
      [{ ...good, weekly: { mon: [] } }, 'weekly.tue must be a list'],
      [{ ...good, weekly: { ...good.weekly, funday: [] } }, 'unknown day "funday"'],
      [{ ...good, holidays: ['2026-02-30'] }, 'holidays[0] must be a date'],
      [{ ...good, holidays: ['2026-12-25', '2026-12-25'] }, 'listed twice'],
      [{ ...good, holidays: Array.from({ length: 201 }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10)) }, 'at most 200 holidays'],
    ];
    for (const [value, problem] of bad) expect(scheduleProblem(value)).toContain(problem);
    // Touching intervals are fine (and one stretch).
    const touching = schedule('UTC', { mon: [{ from: '09:00', to: '12:00' }, { from: '12:00', to: '13:00' }] });
    expect(scheduleProblem(touching)).toBeNull();
    expect(nextChange(touching, at('2026-01-12T10:00:00Z'))).toBe(at('2026-01-12T13:00:00Z'));
  });

  it('[HOURS10] the status is computed once per boundary with an injected clock, and again once the boundary passes or the schedule changes', () => {
    let now = at('2026-01-13T07:00:00Z');
    let current: BusinessHours | null = schedule('Europe/Berlin', weekdays(NINE_TO_FIVE));
    const hours = createHoursStatus({ schedule: () => current, now: () => now });
    const first = hours.status();
    expect(first).toEqual({ open: false, nextOpening: at('2026-01-13T08:00:00Z'), nextChange: at('2026-01-13T08:00:00Z') });
    now += 30 * 60_000;
    expect(hours.status()).toBe(first);
    now = at('2026-01-13T08:00:00Z');
    expect(hours.status()).toEqual({ open: true, nextOpening: null, nextChange: at('2026-01-13T16:00:00Z') });
    current = null;
    expect(hours.status()).toEqual({ open: true, nextOpening: null, nextChange: null });
  });
});
