// Team reports (admins): for a range of the viewer's calendar and, optionally, one agent,
// conversations opened / claimed / closed / missed, queue wait, first response, duration and
// messages per conversation (medians and 90th percentiles), a time series, a distribution of
// queue waits and a weekday × hour heat map. What the query means is report-range.ts's; the
// table as CSV is report-csv.ts's.
//
// The store hands over every conversation opened, first claimed or closed in the range (range
// scans of three indexes; store.reportConversations); the figures are computed here, in one pass
// per group, in the viewer's time zone (time-zone.ts). No SQL, no transport.

import type { Clock } from '../clock.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { ReportAgentRow, ReportBucket, ReportFigures, ReportSummary, Spread } from '../protocol/reports.ts';
import type { ReportConversation, Store } from '../store/store.ts';
import { REPORT_MAX_DAYS, type ReportQuery, type ReportRangeResolved, resolveRange } from './report-range.ts';
import { timeZone, type Zone } from './time-zone.ts';
import { csatScore } from './csat.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** An open conversation still unanswered this long after it opened counts as missed (abandoned). */
export const ABANDONED_AFTER_MS = HOUR;
/** Upper bounds of the queue-wait histogram's buckets; a last one takes the rest. */
export const WAIT_BUCKETS_MS = [30_000, 60_000, 2 * 60_000, 5 * 60_000, 10 * 60_000, 30 * 60_000, HOUR];

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
/** Zones kept with the offsets they have worked out (most reports use one or two). */
const ZONES_KEPT = 32;

export function createReports(deps: { store: Pick<Store, 'reportConversations' | 'listAgents' | 'csatCounts'>; clock: Clock }): Reports {
  const { store, clock } = deps;
  let turn: Promise<unknown> = Promise.resolve();
  let inFlight = 0;
  const zones = new Map<string, Zone | null>();

  function zoneOf(name: string): Zone | null {
    let zone = zones.get(name);
    if (zone === undefined) {
      zone = timeZone(name);
      if (zones.size >= ZONES_KEPT) zones.delete(zones.keys().next().value!);
      zones.set(name, zone);
    }
    return zone;
  }

  async function compute(r: ReportRangeResolved): Promise<{ range: ReportRangeResolved; report: ReportSummary }> {
    const [rows, team, ratings] = await Promise.all([
      store.reportConversations({ from: r.from, to: r.to, agentId: r.agentId ?? undefined, tag: r.tag ?? undefined }),
      store.listAgents(),
      store.csatCounts({ from: r.from, to: r.to, agentId: r.agentId ?? undefined }),
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
      range: { from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), timeZone: r.zone.name, bucket: r.bucket, agentId: r.agentId, ...(r.tag === null ? {} : { tag: r.tag }) },
      totals,
      agents,
      series: seriesOf(rows, r, now),
      waitHistogram: histogramOf(waits),
      heatmap: heatmapOf(rows, r),
      csat: { ...ratings, total: ratings.good + ratings.okay + ratings.bad, score: csatScore(ratings) },
    };
    return { range: r, report };
  }

  return {
    async summary(q) {
      // A bad range is answered at once, without waiting for a turn.
      const r = resolveRange(q, zoneOf);
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
