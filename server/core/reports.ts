// Team reports (admins): for a range of the viewer's calendar and, optionally, one agent,
// conversations opened / claimed / closed / missed, queue wait, first response, duration and
// messages per conversation (medians and 90th percentiles), a time series, a distribution of
// queue waits and a weekday × hour heat map; and the per-agent table as CSV.
//
// The store hands over every conversation opened, first claimed or closed in the range (range
// scans of three indexes; store.reportConversations); the figures are computed here, in one pass
// per group, in the viewer's time zone (time-zone.ts). No SQL, no transport.

import type { Clock } from '../clock.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { ReportAgentRow, ReportBucket, ReportFigures, ReportSummary, Spread } from '../protocol/reports.ts';
import type { ReportConversation, Store } from '../store/store.ts';
import { timeZone, type Zone } from './time-zone.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The longest range a report covers (a leap year); longer ones are refused. */
export const REPORT_MAX_DAYS = 366;
/** Ranges up to this long are bucketed by hour, longer ones by day. */
const HOURLY_UP_TO = 2 * DAY + HOUR;
/** An open conversation still unanswered this long after it opened counts as missed (abandoned). */
export const ABANDONED_AFTER_MS = HOUR;
/** Upper bounds of the queue-wait histogram's buckets; a last one takes the rest. */
export const WAIT_BUCKETS_MS = [30_000, 60_000, 2 * 60_000, 5 * 60_000, 10 * 60_000, 30 * 60_000, HOUR];
/** Dates the API takes: no report reaches outside these years. */
const MIN_YEAR = 2000;
const MAX_YEAR = 2999;

export interface ReportQuery {
  from: string;
  to: string;
  /** An IANA zone or a ±HH:MM offset; UTC when absent. */
  tz?: string;
  agentId?: string;
}

export interface ReportRangeResolved {
  from: number;
  to: number;
  zone: Zone;
  agentId: string | null;
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

/** Zones asked for lately, with the offsets they have worked out: most reports use one or two. */
const zones = new Map<string, Zone | null>();
const ZONES_KEPT = 32;

function cachedZone(name: string): Zone | null {
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = timeZone(name);
    if (zones.size >= ZONES_KEPT) zones.delete(zones.keys().next().value!);
    zones.set(name, zone);
  }
  return zone;
}

/** The range a query asks for, or AppError(invalid_payload) saying what is wrong with it. */
export function resolveRange(q: ReportQuery): ReportRangeResolved {
  const zone = cachedZone(q.tz ?? 'UTC');
  if (!zone) throw invalid('tz: not a time zone (expected an IANA name such as Europe/Paris, or an offset such as +05:30)');
  const from = parseEnd('from', q.from, zone, false);
  const to = parseEnd('to', q.to, zone, true);
  if (to <= from) throw invalid('to: the range ends before it starts');
  // One hour of slack: a year of local days may hold a daylight-saving hour more.
  if (to - from > REPORT_MAX_DAYS * DAY + HOUR) throw invalid(`to: a report covers at most ${REPORT_MAX_DAYS} days`);
  const bucket = to - from <= HOURLY_UP_TO ? 'hour' : 'day';
  return { from, to, zone, agentId: q.agentId ?? null, bucket, firstDay: zone.dateKey(from), lastDay: zone.dateKey(to - 1) };
}

/** Nearest rank: the smallest value with at least p of all values at or below it. */
function rank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, median: rank(sorted, 0.5), p90: rank(sorted, 0.9) };
}

const within = (t: number | null, r: { from: number; to: number }): t is number => t !== null && t >= r.from && t < r.to;

/** Whether an open conversation opened in the range counts as abandoned at `now`. */
function abandoned(c: ReportConversation, now: number): boolean {
  return c.status !== 'closed' && c.firstReplyAt === null && now - c.createdAt >= ABANDONED_AFTER_MS;
}

/**
 * The figures of one group: every conversation (agentId null) or one agent's. Each figure is
 * attributed as the docs say: opened and claimed to who first claimed, closed (and what is
 * measured on closing) to who held it then.
 */
function figures(rows: readonly ReportConversation[], r: ReportRangeResolved, agentId: string | null, now: number): ReportFigures {
  const mine = (id: string | null) => agentId === null || id === agentId;
  let opened = 0;
  let claimed = 0;
  let closed = 0;
  let missed = 0;
  const waits: number[] = [];
  const responses: number[] = [];
  const durations: number[] = [];
  const messages: number[] = [];
  for (const c of rows) {
    if (within(c.createdAt, r) && mine(c.claimedBy)) opened++;
    if (within(c.claimedAt, r) && mine(c.claimedBy)) {
      claimed++;
      waits.push(Math.max(0, c.claimedAt - c.createdAt));
      if (c.firstReplyAt !== null) responses.push(Math.max(0, c.firstReplyAt - c.claimedAt));
    }
    if (within(c.closedAt, r) && mine(c.agentId)) {
      closed++;
      durations.push(Math.max(0, c.closedAt - c.createdAt));
      messages.push(c.messages);
      if (c.firstReplyAt === null) missed++;
    }
    if (within(c.createdAt, r) && mine(c.agentId) && abandoned(c, now)) missed++;
  }
  const m = spread(messages);
  const mean = messages.length === 0 ? null : Math.round((messages.reduce((a, b) => a + b, 0) / messages.length) * 10) / 10;
  return { opened, claimed, closed, missed, queueWait: spread(waits), firstResponse: spread(responses), duration: spread(durations), messages: { ...m, mean } };
}

/** Every bucket of the range, in order, each with its first instant. */
function bucketStarts(r: ReportRangeResolved): number[] {
  const starts: number[] = [];
  if (r.bucket === 'hour') {
    for (let t = r.zone.startOfHour(r.from); t < r.to; ) {
      starts.push(t);
      // The next local hour's start; a half-hour transition may land mid-hour, so step past it.
      let next = r.zone.startOfHour(t + HOUR);
      if (next <= t) next = r.zone.startOfHour(t + 2 * HOUR);
      t = next;
    }
    return starts;
  }
  const first = r.zone.local(r.from);
  for (let i = 0; ; i++) {
    const d = new Date(Date.UTC(first.year, first.month - 1, first.day + i));
    const t = r.zone.startOfDay(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    if (t >= r.to) break;
    starts.push(t);
    if (i > REPORT_MAX_DAYS + 2) break;
  }
  return starts;
}

/** The bucket `t` falls in: the last start at or before it (starts ascend), or -1. */
function bucketOf(starts: readonly number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function seriesOf(rows: readonly ReportConversation[], r: ReportRangeResolved, now: number): ReportBucket[] {
  const starts = bucketStarts(r);
  const buckets = starts.map((t) => ({ start: new Date(t).toISOString(), opened: 0, claimed: 0, closed: 0, missed: 0 }));
  const mine = (id: string | null) => r.agentId === null || id === r.agentId;
  const add = (t: number, key: 'opened' | 'claimed' | 'closed' | 'missed') => {
    const i = bucketOf(starts, t);
    if (i !== -1) buckets[i][key]++;
  };
  for (const c of rows) {
    if (within(c.createdAt, r) && mine(c.claimedBy)) add(c.createdAt, 'opened');
    if (within(c.claimedAt, r) && mine(c.claimedBy)) add(c.claimedAt, 'claimed');
    if (within(c.closedAt, r) && mine(c.agentId)) {
      add(c.closedAt, 'closed');
      if (c.firstReplyAt === null) add(c.closedAt, 'missed');
    }
    if (within(c.createdAt, r) && mine(c.agentId) && abandoned(c, now)) add(c.createdAt, 'missed');
  }
  return buckets;
}

function heatmapOf(rows: readonly ReportConversation[], r: ReportRangeResolved): number[][] {
  const map = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const c of rows) {
    if (!within(c.createdAt, r) || !(r.agentId === null || c.claimedBy === r.agentId)) continue;
    const l = r.zone.local(c.createdAt);
    map[l.weekday][l.hour]++;
  }
  return map;
}

function histogramOf(waits: readonly number[]): Array<{ upToMs: number | null; count: number }> {
  const counts = new Array<number>(WAIT_BUCKETS_MS.length + 1).fill(0);
  for (const w of waits) {
    const i = WAIT_BUCKETS_MS.findIndex((upTo) => w <= upTo);
    counts[i === -1 ? WAIT_BUCKETS_MS.length : i]++;
  }
  return counts.map((count, i) => ({ upToMs: WAIT_BUCKETS_MS[i] ?? null, count }));
}

export interface Reports {
  summary(q: ReportQuery): Promise<{ range: ReportRangeResolved; report: ReportSummary }>;
}

/**
 * Reports computed at once by one process, the one running included: a year's report holds the
 * event loop for about a second (bench/RESULTS.md), so they take turns, and more are refused.
 */
export const REPORTS_IN_FLIGHT = 4;

export function createReports(deps: { store: Pick<Store, 'reportConversations' | 'listAgents'>; clock: Clock }): Reports {
  const { store, clock } = deps;
  let turn: Promise<unknown> = Promise.resolve();
  let inFlight = 0;

  async function compute(r: ReportRangeResolved): Promise<{ range: ReportRangeResolved; report: ReportSummary }> {
    const [rows, team] = await Promise.all([
      store.reportConversations({ from: r.from, to: r.to, agentId: r.agentId ?? undefined }),
      store.listAgents(),
    ]);
    const now = clock.now();
    const names = new Map(team.map((a) => [a.id, a.name]));
    let ids: string[];
    if (r.agentId !== null) ids = [r.agentId];
    else {
      // The team, and whoever else the figures name (an agent since removed).
      const seen = new Set(team.map((a) => a.id));
      for (const c of rows) for (const id of [c.claimedBy, c.agentId]) if (id !== null) seen.add(id);
      ids = [...seen];
    }
    // Each agent's figures from their own conversations only: one pass to sort them out.
    const byAgent = new Map<string, ReportConversation[]>(ids.map((id) => [id, []]));
    for (const c of rows) {
      if (c.claimedBy !== null) byAgent.get(c.claimedBy)?.push(c);
      if (c.agentId !== null && c.agentId !== c.claimedBy) byAgent.get(c.agentId)?.push(c);
    }
    const agents: ReportAgentRow[] = ids
      .map((agentId) => ({ agentId, name: names.get(agentId) ?? null, ...figures(byAgent.get(agentId)!, r, agentId, now) }))
      .sort((a, b) => (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff') || a.agentId.localeCompare(b.agentId));
    const totals = figures(rows, r, r.agentId, now);
    const waits = rows.filter((c) => within(c.claimedAt, r) && (r.agentId === null || c.claimedBy === r.agentId)).map((c) => Math.max(0, c.claimedAt! - c.createdAt));
    const report: ReportSummary = {
      range: { from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), timeZone: r.zone.name, bucket: r.bucket, agentId: r.agentId },
      totals,
      agents,
      series: seriesOf(rows, r, now),
      waitHistogram: histogramOf(waits),
      heatmap: heatmapOf(rows, r),
    };
    return { range: r, report };
  }

  return {
    async summary(q) {
      // A bad range is answered at once, without waiting for a turn.
      const r = resolveRange(q);
      if (inFlight >= REPORTS_IN_FLIGHT) throw new AppError(ErrorCode.Unavailable, 'other reports are being computed; try again in a moment');
      inFlight++;
      const mine = turn.then(() => compute(r));
      turn = mine.catch(() => {});
      try {
        return await mine;
      } finally {
        inFlight--;
      }
    },
  };
}

// ---- CSV

/**
 * One CSV cell. Text a spreadsheet would run as a formula (starting with = + - @, or a tab or
 * carriage return that some strip first) gets a leading apostrophe, and any cell with a quote,
 * comma or line break is quoted (RFC 4180).
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));

export const CSV_COLUMNS = [
  'agent',
  'agent_id',
  'opened',
  'claimed',
  'closed',
  'missed',
  'queue_wait_median_s',
  'queue_wait_p90_s',
  'first_response_median_s',
  'first_response_p90_s',
  'duration_median_s',
  'duration_p90_s',
  'messages_per_conversation_mean',
] as const;

function csvRow(name: string | null, agentId: string, f: ReportFigures): string {
  return [
    name,
    agentId,
    f.opened,
    f.claimed,
    f.closed,
    f.missed,
    seconds(f.queueWait.median),
    seconds(f.queueWait.p90),
    seconds(f.firstResponse.median),
    seconds(f.firstResponse.p90),
    seconds(f.duration.median),
    seconds(f.duration.p90),
    f.messages.mean,
  ]
    .map((v, i) => (i < 2 ? csvCell(v) : csvCell(v === null ? null : Number(v))))
    .join(',');
}

/** The report's table as CSV (header, one line per agent, then the total): CRLF lines. */
export function reportCsv(report: ReportSummary): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const a of report.agents) lines.push(csvRow(a.name, a.agentId, a));
  if (report.range.agentId === null) lines.push(csvRow('(all)', '', report.totals));
  return `${lines.join('\r\n')}\r\n`;
}

/** The CSV file's name: only digits and dashes from the resolved range. */
export function reportFileName(r: ReportRangeResolved): string {
  return `parley-report-${r.firstDay}-to-${r.lastDay}.csv`;
}
