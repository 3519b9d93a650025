// What a report's query means: `from`/`to` as ISO dates of the viewer's calendar (or instants),
// `tz` as a zone (time-zone.ts), checked and bounded; a bad one is AppError(invalid_payload)
// naming the parameter and what is wrong. Parsed by position: no regular expressions.

import { normalizeTag } from '../protocol/search.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import { timeZone, type Zone } from './time-zone.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The longest range a report covers (a leap year); longer ones are refused. */
export const REPORT_MAX_DAYS = 366;
/** Ranges up to this long are bucketed by hour, longer ones by day. */
const HOURLY_UP_TO = 2 * DAY + HOUR;
/** Dates the API takes: no report reaches outside these years. */
const MIN_YEAR = 2000;
const MAX_YEAR = 2999;

export interface ReportQuery {
  from: string;
  to: string;
  /** An IANA zone or a ±HH:MM offset; UTC when absent. */
  tz?: string;
  agentId?: string;
  /** Only conversations carrying this tag (#17); checked by normalizeTag. */
  tag?: string;
}

export interface ReportRangeResolved {
  from: number;
  to: number;
  zone: Zone;
  agentId: string | null;
  /** The normalized tag filter, or null. */
  tag: string | null;
  bucket: 'hour' | 'day';
  /** The local dates the range starts on and ends on (inclusive), for file names. */
  firstDay: string;
  lastDay: string;
}

const invalid = (message: string) => new AppError(ErrorCode.InvalidPayload, message);

function digits(s: string, from: number, to: number): number | null {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return n;
}

/** "YYYY-MM-DD" as numbers, or null when it is not one (or no such day). */
function parseDate(s: string): { year: number; month: number; day: number } | null {
  if (s.length < 10 || s[4] !== '-' || s[7] !== '-') return null;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 7);
  const day = digits(s, 8, 10);
  if (year === null || month === null || day === null || month < 1 || month > 12 || day < 1) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  return { year, month, day };
}

/**
 * One end of the range: a local date ("2026-11-30": that day's start, or with `end` the next
 * day's start, so `to` includes its day), or an instant with its offset ("2026-11-30T08:00:00Z",
 * "…+01:00"). Parsed by position, no pattern: anything else is refused.
 */
function parseEnd(name: 'from' | 'to', s: string, zone: Zone, end: boolean): number {
  const refuse = () => invalid(`${name}: expected an ISO date (YYYY-MM-DD) or date-time with an offset (YYYY-MM-DDTHH:MM[:SS]Z)`);
  if (s.length > 40) throw refuse();
  const date = parseDate(s);
  if (!date) throw refuse();
  if (date.year < MIN_YEAR || date.year > MAX_YEAR) throw invalid(`${name}: the year must be between ${MIN_YEAR} and ${MAX_YEAR}`);
  if (s.length === 10) {
    if (!end) return zone.startOfDay(date.year, date.month, date.day);
    const next = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
    return zone.startOfDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
  }
  // YYYY-MM-DDTHH:MM, then optional :SS and .fff, then Z or ±HH:MM.
  if (s[10] !== 'T' || s[13] !== ':') throw refuse();
  const hour = digits(s, 11, 13);
  const minute = digits(s, 14, 16);
  let i = 16;
  let second = 0;
  let ms = 0;
  if (s[i] === ':') {
    const sec = digits(s, i + 1, i + 3);
    if (sec === null) throw refuse();
    second = sec;
    i += 3;
    if (s[i] === '.') {
      let j = i + 1;
      while (j < s.length && j < i + 4 && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
      if (j === i + 1) throw refuse();
      ms = Number(s.slice(i + 1, j).padEnd(3, '0'));
      i = j;
    }
  }
  let offset: number;
  if (s[i] === 'Z' && i + 1 === s.length) offset = 0;
  else if ((s[i] === '+' || s[i] === '-') && i + 6 === s.length && s[i + 3] === ':') {
    const oh = digits(s, i + 1, i + 3);
    const om = digits(s, i + 4, i + 6);
    if (oh === null || om === null || oh > 23 || om > 59) throw refuse();
    offset = (s[i] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  } else throw refuse();
  if (hour === null || minute === null || hour > 23 || minute > 59 || second > 59) throw refuse();
  return Date.UTC(date.year, date.month - 1, date.day, hour, minute, second, ms) - offset;
}

/** The range a query asks for, or AppError(invalid_payload) saying what is wrong with it. */
export function resolveRange(q: ReportQuery, zoneOf: (name: string) => Zone | null = timeZone): ReportRangeResolved {
  const zone = zoneOf(q.tz ?? 'UTC');
  if (!zone) throw invalid('tz: not a time zone (expected an IANA name such as Europe/Paris, or an offset such as +05:30)');
  const from = parseEnd('from', q.from, zone, false);
  const to = parseEnd('to', q.to, zone, true);
  if (to <= from) throw invalid('to: the range ends before it starts');
  // One hour of slack: a year of local days may hold a daylight-saving hour more.
  if (to - from > REPORT_MAX_DAYS * DAY + HOUR) throw invalid(`to: a report covers at most ${REPORT_MAX_DAYS} days`);
  const bucket = to - from <= HOURLY_UP_TO ? 'hour' : 'day';
  let tag: string | null = null;
  if (q.tag !== undefined) {
    tag = normalizeTag(q.tag);
    if (tag === null) throw invalid('tag: not a tag (letters, digits, "-" or "_")');
  }
  return { from, to, zone, agentId: q.agentId ?? null, tag, bucket, firstDay: zone.dateKey(from), lastDay: zone.dateKey(to - 1) };
}
