// Local calendar time in a viewer's time zone (an IANA name such as "Europe/Paris", or a fixed
// offset such as "+05:30"), for reports: which local day, hour and weekday an instant falls in,
// and when a local day starts, daylight-saving transitions included. Built on Intl, which knows
// the zone rules; each UTC hour's offset is asked once and kept (per minute within an hour that
// holds a transition), so bucketing a year of timestamps costs a few thousand Intl calls.

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;
/** Longer names are no zone; the characters IANA names and offsets are made of. */
const ZONE_MAX_LENGTH = 64;
/** Offsets kept per zone before they are forgotten. */
const HOURS_KEPT = 100 * 366 * 24;

export interface LocalTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** ISO: 0 = Monday … 6 = Sunday. */
  weekday: number;
}

export interface Zone {
  /** The zone's canonical name as Intl resolved it. */
  readonly name: string;
  /** Milliseconds to add to UTC to get local wall-clock time at instant `t`. */
  offsetAt(t: number): number;
  local(t: number): LocalTime;
  /** "YYYY-MM-DD" of the local day `t` falls in. */
  dateKey(t: number): string;
  /** The first instant of local day y-m-d (a day whose midnight was skipped starts at the transition). */
  startOfDay(year: number, month: number, day: number): number;
  /** The first instant of the local hour `t` falls in. */
  startOfHour(t: number): number;
}

function isZoneText(name: string): boolean {
  if (name.length === 0 || name.length > ZONE_MAX_LENGTH) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 47 || c === 43 || c === 45;
    if (!ok) return false;
  }
  return true;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function dateKeyOf(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** The zone, or null when Intl does not know it (or the text cannot be one). */
export function timeZone(name: string): Zone | null {
  if (!isZoneText(name)) return null;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch {
    return null;
  }
  const resolved = format.resolvedOptions().timeZone;

  function rawOffset(t: number): number {
    const p: Record<string, string> = {};
    for (const part of format.formatToParts(t)) p[part.type] = part.value;
    let year = Number(p.year);
    if (p.era === 'BC' || p.era === 'B') year = 1 - year;
    const wall = Date.UTC(year, Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    return wall - Math.floor(t / 1000) * 1000;
  }

  /** Per UTC hour: its offset, or null when a transition falls inside it (then per minute). */
  const hours = new Map<number, number | null>();
  const minutes = new Map<number, number>();

  function offsetAt(t: number): number {
    const h = Math.floor(t / HOUR);
    // Kept for reuse (a zone serves many reports), within bounds: a century of hours at most.
    if (hours.size > HOURS_KEPT) {
      hours.clear();
      minutes.clear();
    }
    let o = hours.get(h);
    if (o === undefined) {
      const start = rawOffset(h * HOUR);
      o = start === rawOffset(h * HOUR + HOUR - 1000) ? start : null;
      hours.set(h, o);
    }
    if (o !== null) return o;
    const m = Math.floor(t / MINUTE);
    let om = minutes.get(m);
    if (om === undefined) {
      om = rawOffset(m * MINUTE);
      minutes.set(m, om);
    }
    return om;
  }

  function local(t: number): LocalTime {
    const d = new Date(t + offsetAt(t));
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      weekday: (d.getUTCDay() + 6) % 7,
    };
  }

  function dateKey(t: number): string {
    const l = local(t);
    return dateKeyOf(l.year, l.month, l.day);
  }

  return {
    name: resolved,
    offsetAt,
    local,
    dateKey,
    startOfDay(year, month, day) {
      // Local midnight read with each offset in force around it; the earliest instant that falls
      // on that day is its start (where midnight was skipped, the transition itself).
      const wall = Date.UTC(year, month - 1, day);
      const target = dateKeyOf(year, month, day);
      const offsets = new Set([offsetAt(wall - DAY), offsetAt(wall), offsetAt(wall + DAY)]);
      let start = Number.POSITIVE_INFINITY;
      for (const o of offsets) {
        const t = wall - o;
        if (dateKey(t) === target && t < start) start = t;
      }
      if (start === Number.POSITIVE_INFINITY) start = wall - offsetAt(wall);
      return start;
    },
    startOfHour(t) {
      const l = new Date(t + offsetAt(t));
      return t - (l.getUTCMinutes() * MINUTE + l.getUTCSeconds() * 1000 + l.getUTCMilliseconds());
    },
  };
}
