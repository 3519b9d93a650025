// The team's business hours: a weekly schedule of wall-clock intervals in one time zone, minus
// holidays. Pure functions of (schedule, instant): no clock of its own, no I/O. Times are what a
// clock on the wall in that zone reads, so daylight-saving changes need care: on a spring-forward
// day an opening at a time that does not exist (02:30 in Berlin) takes effect when the clock jumps
// (03:00); in the repeated autumn hour the schedule applies to both passes as the clock reads them.

import { type BusinessHours, HOURS_LIMITS, WEEKDAYS } from '../protocol/business-hours.ts';
import { type Zone, timeZone } from './time-zone.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const DAY_MINUTES = 1440;

/** Minutes since midnight of "HH:MM" (24:00 allowed), or null. Fixed-width: no pattern to backtrack. */
function minutesOf(text: string): number | null {
  if (text.length !== 5 || text[2] !== ':') return null;
  const digits = [text[0], text[1], text[3], text[4]];
  if (!digits.every((d) => d >= '0' && d <= '9')) return null;
  const h = Number(text.slice(0, 2));
  const m = Number(text.slice(3, 5));
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) return null;
  return h * 60 + m;
}

/** [y, m, d] of a real calendar date "YYYY-MM-DD" (years 1970–9999), or null. */
function dateOf(text: string): [number, number, number] | null {
  if (text.length !== 10 || text[4] !== '-' || text[7] !== '-') return null;
  const parts = [text.slice(0, 4), text.slice(5, 7), text.slice(8, 10)];
  if (!parts.every((p) => [...p].every((c) => c >= '0' && c <= '9'))) return null;
  const [y, m, d] = parts.map(Number);
  if (y < 1970 || m < 1 || m > 12 || d < 1) return null;
  const check = new Date(Date.UTC(y, m - 1, d));
  return check.getUTCMonth() === m - 1 && check.getUTCDate() === d ? [y, m, d] : null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function extraKey(v: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  return Object.keys(v).find((k) => !allowed.includes(k));
}

/**
 * What is wrong with a schedule, in words for the admin who wrote it; null when it is valid.
 * Bounded: at most HOURS_LIMITS intervals a day and holidays; overnight intervals are refused
 * (close at 24:00 and open again at 00:00 the next day).
 */
export function scheduleProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'business hours must be an object with timeZone, weekly and holidays';
  const extra = extraKey(value, ['timeZone', 'weekly', 'holidays']);
  if (extra !== undefined) return `unknown field "${extra.slice(0, 40)}"`;
  if (typeof value.timeZone !== 'string' || timeZone(value.timeZone) === null) return 'timeZone must be an IANA time zone such as "Europe/Berlin"';
  const weekly = value.weekly;
  if (!isRecord(weekly)) return 'weekly must be an object with mon, tue, wed, thu, fri, sat and sun';
  const extraDay = extraKey(weekly, WEEKDAYS);
  if (extraDay !== undefined) return `weekly: unknown day "${extraDay.slice(0, 40)}" (use mon … sun)`;
  for (const day of WEEKDAYS) {
    const list = weekly[day];
    if (!Array.isArray(list)) return `weekly.${day} must be a list of {from, to} intervals (empty when closed)`;
    if (list.length > HOURS_LIMITS.intervalsPerDay) return `weekly.${day}: at most ${HOURS_LIMITS.intervalsPerDay} intervals a day`;
    const spans: Array<[number, number]> = [];
    for (const [i, item] of list.entries()) {
      const at = `weekly.${day}[${i}]`;
      if (!isRecord(item) || extraKey(item, ['from', 'to']) !== undefined) return `${at} must be {from: "HH:MM", to: "HH:MM"}`;
      const from = typeof item.from === 'string' ? minutesOf(item.from) : null;
      const to = typeof item.to === 'string' ? minutesOf(item.to) : null;
      if (from === null || from === DAY_MINUTES) return `${at}.from must be a time from "00:00" to "23:59"`;
      if (to === null || to === 0) return `${at}.to must be a time from "00:01" to "24:00"`;
      if (to <= from) return `${at}: ${String(item.to)} is not after ${String(item.from)} (for hours past midnight, close at 24:00 and open at 00:00 the next day)`;
      spans.push([from, to]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i][0] < spans[i - 1][1]) return `weekly.${day}: intervals overlap`;
    }
  }
  const holidays = value.holidays;
  if (!Array.isArray(holidays)) return 'holidays must be a list of "YYYY-MM-DD" dates';
  if (holidays.length > HOURS_LIMITS.holidays) return `at most ${HOURS_LIMITS.holidays} holidays`;
  const seen = new Set<string>();
  for (const [i, h] of holidays.entries()) {
    if (typeof h !== 'string' || dateOf(h) === null) return `holidays[${i}] must be a date "YYYY-MM-DD"`;
    if (seen.has(h)) return `holidays: ${h} is listed twice`;
    seen.add(h);
  }
  return null;
}

/** A schedule read once for the questions below: per weekday, merged [from, to) minutes. */
interface Compiled {
  zone: Zone;
  days: Array<Array<[number, number]>>;
  holidays: Set<string>;
}

function compile(schedule: BusinessHours): Compiled {
  const zone = timeZone(schedule.timeZone);
  if (!zone) throw new Error(`unknown time zone ${schedule.timeZone}`);
  const days = WEEKDAYS.map((d) => {
    const spans = schedule.weekly[d].map((i): [number, number] => [minutesOf(i.from)!, minutesOf(i.to)!]).sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const s of spans) {
      const last = merged.at(-1);
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
      else merged.push([s[0], s[1]]);
    }
    return merged;
  });
  return { zone, days, holidays: new Set(schedule.holidays) };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Wall-clock time as ms on a UTC scale (local midnight of a day = Date.UTC(y, m-1, d)). */
function wallOpen(c: Compiled, wall: number): boolean {
  const dayStart = Math.floor(wall / DAY) * DAY;
  const d = new Date(dayStart);
  if (c.holidays.size > 0 && c.holidays.has(`${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`)) return false;
  const minute = (wall - dayStart) / MINUTE;
  return c.days[(d.getUTCDay() + 6) % 7].some(([from, to]) => minute >= from && minute < to);
}

/** The first wall-clock instant after `wall` at which open/closed differs from just before it; null: never. */
function nextWallChange(c: Compiled, wall: number): number | null {
  const firstDay = Math.floor(wall / DAY) * DAY;
  if (c.days.every((d) => d.length === 0)) return null; // never open, holidays or not
  if (c.days.every((d) => d.length === 1 && d[0][0] === 0 && d[0][1] === DAY_MINUTES)) {
    // Always open but on holidays: the changes are a holiday's first day and the day after its last.
    let p = firstDay + DAY;
    if (!wallOpen(c, wall)) {
      while (!wallOpen(c, p)) p += DAY;
      return p;
    }
    const ahead = [...c.holidays].map((h) => {
      const [y, m, d] = dateOf(h)!;
      return Date.UTC(y, m - 1, d);
    });
    const starts = ahead.filter((s) => s > wall);
    return starts.length > 0 ? Math.min(...starts) : null;
  }
  // Otherwise every week has a change unless holidays cover it: this many days are enough.
  const lastDay = firstDay + 7 * (c.holidays.size + 2) * DAY;
  for (let day = firstDay; day <= lastDay; day += DAY) {
    const weekday = (new Date(day).getUTCDay() + 6) % 7;
    // Candidates: the day's edges and its intervals' edges; the real changes are among them.
    const points = [day, ...c.days[weekday].flatMap(([from, to]) => [day + from * MINUTE, day + to * MINUTE])];
    for (const p of points) {
      if (p > wall && wallOpen(c, p) !== wallOpen(c, p - 1)) return p;
    }
  }
  return null;
}

/** The first instant in (t, limit] whose UTC offset differs from t's (transitions fall on whole minutes); null: none. */
function nextTransition(zone: Zone, t: number, limit: number): number | null {
  const offset = zone.offsetAt(t);
  let lo = t;
  for (let hi = Math.min(t + DAY, limit); ; hi = Math.min(hi + DAY, limit)) {
    if (zone.offsetAt(hi) !== offset) {
      // The first whole minute in (lo, hi] with the new offset.
      let a = Math.floor(lo / MINUTE);
      let b = Math.ceil(hi / MINUTE);
      while (b - a > 1) {
        const mid = Math.floor((a + b) / 2);
        if (zone.offsetAt(mid * MINUTE) === offset) a = mid;
        else b = mid;
      }
      return Math.max(b * MINUTE, t + 1);
    }
    if (hi >= limit) return null;
    lo = hi;
  }
}

function openAt(c: Compiled, at: number): boolean {
  return wallOpen(c, at + c.zone.offsetAt(at));
}

function changeAfter(c: Compiled, at: number): number | null {
  const state = openAt(c, at);
  let t = at;
  // Each pass either finds the change or steps over one offset transition that did not change the state.
  for (let pass = 0; pass < 1000; pass++) {
    const offset = c.zone.offsetAt(t);
    const wallChange = nextWallChange(c, t + offset);
    if (wallChange === null) return null;
    const candidate = wallChange - offset;
    const transition = nextTransition(c.zone, t, candidate);
    if (transition === null) return candidate;
    if (openAt(c, transition) !== state) return transition;
    t = transition;
  }
  return null;
}

/** Whether the schedule says open at `atMs`; a null schedule is always open. */
export function isOpen(schedule: BusinessHours | null, atMs: number): boolean {
  return schedule === null || openAt(compile(schedule), atMs);
}

/** The next instant at or after `atMs` at which the schedule is open (`atMs` itself when open); null: never. */
export function nextOpening(schedule: BusinessHours | null, atMs: number): number | null {
  if (schedule === null) return atMs;
  const c = compile(schedule);
  return openAt(c, atMs) ? atMs : changeAfter(c, atMs);
}

/** The next instant after `atMs` at which open turns closed or closed turns open; null: it never changes. */
export function nextChange(schedule: BusinessHours | null, atMs: number): number | null {
  return schedule === null ? null : changeAfter(compile(schedule), atMs);
}

export interface HoursStatus {
  open: boolean;
  /** When closed: the next opening (null: none ahead). When open: null. */
  nextOpening: number | null;
  /** When to ask again (the next open/close boundary); null: never changes. */
  nextChange: number | null;
}

/** The status at `atMs`, computed once per schedule and boundary: every visitor's connect asks for it. */
export function createHoursStatus(deps: { schedule: () => BusinessHours | null; now: () => number }): { status(): HoursStatus } {
  let cached: { schedule: BusinessHours | null; from: number; status: HoursStatus } | null = null;
  return {
    status() {
      const schedule = deps.schedule();
      const now = deps.now();
      if (cached && cached.schedule === schedule && now >= cached.from && (cached.status.nextChange === null || now < cached.status.nextChange)) return cached.status;
      let status: HoursStatus;
      if (schedule === null) status = { open: true, nextOpening: null, nextChange: null };
      else {
        const c = compile(schedule);
        const open = openAt(c, now);
        const change = changeAfter(c, now);
        status = { open, nextOpening: open ? null : change, nextChange: change };
      }
      cached = { schedule, from: now, status };
      return status;
    },
  };
}
