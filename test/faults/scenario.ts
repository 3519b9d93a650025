// The shape every cluster scenario shares: two nodes on PostgreSQL + Redis behind nginx; agents,
// visitors (some with two tabs) and an admin, half of each on long-polling; every conversation
// claimed; continuous traffic; warm-up, the fault schedule, recovery; then the checkers, a
// printed table, and the zeros asserted.

import { expect } from 'vitest';
import { type Conclusion, conclude } from './conclude.ts';
import { describeNginx, describeNodeLogs, nginxEvidence } from './evidence.ts';
import { PRESENCE_GRACE_MS } from './presence-check.ts';
import { loadProfile, type Profile } from './profile.ts';
import { createRecorder, type Recorder } from './recorder.ts';
import { assertConclusion, type Bounds, rowOf, saveResult } from './report.ts';
import { type Stack, startStack } from './stack.ts';
import { installSessionStorage, unscopedStorageUses } from './tab-storage.ts';
import { startTraffic, type Traffic } from './traffic.ts';
import { addAdmin, addAgents, addVisitors, claimRoundRobin, createWorld, openSecondTab, settle, type World, writers } from './world.ts';

export interface FaultContext {
  world: World;
  stack: Stack;
  rec: Recorder;
  profile: Profile;
  traffic: Traffic;
  /** Figures of the fault itself, printed under the table. */
  notes: string[];
  /** Failures the scenario found itself (beyond the checkers'); asserted softly. */
  fail(ok: boolean, text: string): void;
  /** Runs `check` once the scenario is over (every client's record complete), before the report. */
  atEnd(check: () => void): void;
}

export interface ClusterScenario {
  id: string;
  title: string;
  ownPostgres?: boolean;
  bounds?: Partial<Bounds>;
  /** The fault schedule, run while the traffic flows. Timers here are the fault, not synchronisation. */
  fault(ctx: FaultContext): Promise<void>;
}

/**
 * The longest outage is printed; the generic bound only catches clients that never came back (a
 * loaded two-core machine makes anything tighter a measure of the machine). Availability is
 * asserted where a scenario promises it: reconnectsAfter() below.
 */
export const DEFAULT_BOUNDS: Bounds = { outageMs: 30_000 };

/**
 * How long a client dropped by a node going away may take to be connected again (to the other node).
 * The grace period (3 s) is what presence needs, and [FLICKER1] catches a leave that came of a longer
 * gap; this bound catches clients refused for longer (a balancer locking them out), with 2 s of
 * slack for a loaded machine.
 */
export const RECONNECT_BOUND_MS = PRESENCE_GRACE_MS + 2000;

/**
 * The clients a fault dropped (a disconnect within `windowMs` after `t`) and how long each took to
 * connect again (to any node); Infinity for one that did not.
 */
export function reconnectsAfter(rec: Recorder, t: number, windowMs = 2000): { dropped: number; longest: number; client: string | null } {
  let longest = 0;
  let client: string | null = null;
  let dropped = 0;
  for (const c of rec.clients) {
    const drop = c.disconnects.find((d) => d.t >= t && d.t < t + windowMs && d.reason !== 'io client disconnect');
    if (!drop) continue;
    dropped++;
    const back = c.connects.find((x) => x > drop.t);
    const ms = back === undefined ? Infinity : back - drop.t;
    if (ms >= longest) {
      longest = ms;
      client = c.id;
    }
  }
  return { dropped, longest, client };
}

/**
 * The test's time budget for a scenario of this profile: set-up, the phases, the fault's rounds, and
 * every convergence deadline of conclude() run out (drain 60 s, views 20 s, presence 30 s).
 */
export function budgetMs(profile: Profile, faultMs: number): number {
  return 180_000 + faultMs * profile.rounds + (profile.warmupMs + profile.recoveryMs) * 2;
}

export async function runClusterScenario(spec: ClusterScenario): Promise<void> {
  installSessionStorage();
  const profile = loadProfile();
  const began = performance.now();
  const rec = createRecorder();
  const stack = await startStack({ engine: 'postgres', nodes: 2, agents: profile.agents, ownPostgres: spec.ownPostgres });
  const world = createWorld(stack, rec);
  await addAdmin(world);
  await addAgents(world, stack.accounts.agents);
  await addVisitors(world, profile.conversations);
  await claimRoundRobin(world);
  for (const v of world.visitors.slice(0, profile.secondTabs)) await openSecondTab(world, v);
  await settle(world);
  const notes: string[] = [`set up ${world.visitors.length} visitors (${profile.secondTabs} with two tabs), ${world.agents.length} agents and an admin in ${((performance.now() - began) / 1000).toFixed(1)} s`];

  const traffic = startTraffic(writers(world), { rate: profile.ratePerWriter, maxMs: 600_000 });
  const failures: string[] = [];
  const fail = (ok: boolean, text: string) => {
    expect.soft(ok, text).toBe(true);
    if (!ok) failures.push(text);
  };
  const endChecks: Array<() => void> = [];
  await sleep(profile.warmupMs);
  await spec.fault({ world, stack, rec, profile, traffic, notes, fail, atEnd: (check) => endChecks.push(check) });
  rec.fault('recovery');
  await sleep(profile.recoveryMs);
  const c = await conclude(world, traffic);
  for (const check of endChecks) check();
  finish(spec, profile, c, began, notes, failures, stack, { ...DEFAULT_BOUNDS, ...spec.bounds });
}

/** Adds the standard notes and the checkers' failures, prints and saves the result. */
export function finish(
  spec: { id: string; title: string },
  profile: Profile,
  c: Conclusion,
  began: number,
  notes: string[],
  failures: string[],
  stack: Stack,
  bounds: Bounds,
): void {
  notes.push(
    `traffic: ${c.traffic.written} written at ${c.traffic.rate.toFixed(1)} msg/s, ${c.traffic.skipped} ticks skipped (5 on their way), ${c.traffic.retried} retried by the person; ${c.figures.disconnects} client disconnects`,
    `converged: reconnect ${ms(c.reconnectMs)}, outboxes drained ${ms(c.drainMs)}, views ${ms(c.convergeMs)}, presence ${ms(c.presenceMs)}${c.presenceLag ? ` (${c.presenceLag})` : ''}`,
    describeNginx(nginxEvidence(stack.nginx)),
    describeNodeLogs(stack.logs()),
  );
  const slow = c.figures.detail.slowest.filter((d) => d.seen - d.acked > 5000);
  if (slow.length) {
    const who = (d: (typeof slow)[number]) => {
      const log = c.clientsOf(d.person);
      return `${log.join('+')} seq ${d.seq} of ${d.conversationId.slice(0, 8)}: acked at ${(d.acked / 1000).toFixed(1)} s, seen at ${(d.seen / 1000).toFixed(1)} s`;
    };
    notes.push(`slowest deliveries: ${slow.map(who).join('; ')}`);
  }
  const missed = c.figures.detail.undelivered[0];
  if (missed) {
    const logs = c.clients.filter((x) => x.person === missed.person && x.kind !== 'admin');
    const calls = c.acks.filter((a) => a.event === 'history:get' && logs.some((l) => l.id === a.client) && a.conversationId === missed.conversationId);
    const views = logs.map((l) => `${l.id} holds ${JSON.stringify(l.finalView?.get(missed.conversationId) ?? null)}`);
    notes.push(
      `first message not delivered: seq ${missed.seq} of ${missed.conversationId.slice(0, 8)} to ${views.join(', ')}; its history calls: ${calls.map((a) => `${(a.t / 1000).toFixed(1)} ${a.outcome === 'ok' ? `${a.page?.query} → ${a.page?.seqs}` : a.code}`).join('; ') || 'none'}`,
    );
    // What else those clients asked around the first refused catch-up (a budget or a queue of reads it used up).
    const refused = calls.find((a) => a.outcome !== 'ok');
    if (refused) {
      const around = c.acks.filter((a) => logs.some((l) => l.id === a.client) && a.sentAt >= refused.sentAt - 10_000 && a.sentAt <= refused.sentAt);
      const tally = new Map<string, number>();
      for (const a of around) tally.set(`${a.event} ${a.outcome === 'ok' ? 'ok' : a.code}`, (tally.get(`${a.event} ${a.outcome === 'ok' ? 'ok' : a.code}`) ?? 0) + 1);
      const connects = logs.flatMap((l) => l.connects.map((t) => (t / 1000).toFixed(1)));
      notes.push(`their acked calls in the 10 s up to the first refused catch-up: ${[...tally].map(([k, n]) => `${n}× ${k}`).join(', ') || 'none'}; connects at ${connects.join(', ')} s`);
    }
  }
  const o = c.figures.longestOutage;
  if (o && o.ms > 5000) notes.push(`longest outage: ${timeline(c, o.client, o.from - 1000, o.from + o.ms + 1000)}`);
  const extra = c.presence.extraConnections;
  if (extra.length) notes.push(`online:get at the end counted ${extra.reduce((n, e) => n + e.counted - e.expected, 0)} connections more than open, for ${extra.length} people (long-polling sessions left behind on the node their client was moved off, alive until their ping timeout)`);
  const unscoped = unscopedStorageUses();
  if (unscoped) notes.push(`harness: sessionStorage used ${unscoped} times outside a tab`);
  failures.push(...assertConclusion(c, bounds));
  saveResult({
    id: spec.id,
    title: spec.title,
    profile: profile.name,
    passed: failures.length === 0,
    durationMs: performance.now() - began,
    row: rowOf(c),
    failures,
    notes,
  });
}

/** One client's connects, drops and acked calls between two scenario times, for evidence. */
function timeline(c: Conclusion, client: string, from: number, to: number): string {
  const log = c.clients.find((x) => x.id === client);
  if (!log) return client;
  const at = (t: number) => `${(t / 1000).toFixed(1)}`;
  const events = [
    ...log.disconnects.filter((d) => d.t >= from && d.t <= to).map((d) => [d.t, `drop (${d.reason})`] as const),
    ...log.connects.filter((t) => t >= from && t <= to).map((t) => [t, 'connect'] as const),
    ...c.acks.filter((a) => a.client === client && a.t >= from && a.t <= to && a.outcome !== 'ok').map((a) => [a.t, `${a.event} ${a.code}`] as const),
    ...c.acks.filter((a) => a.client === client && a.t >= from && a.t <= to && a.outcome === 'ok' && a.event === 'history:get').map((a) => [a.t, `history ok after ${((a.t - a.sentAt) / 1000).toFixed(1)} s`] as const),
  ].sort((x, y) => x[0] - y[0]);
  return `${client} ${events.map(([t, e]) => `${at(t)} ${e}`).join(', ')}`;
}

const ms = (v: number | null) => (v === null ? 'did not within its deadline' : `in ${(v / 1000).toFixed(1)} s`);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
