// Scenario 6 (issue #20, overload): what a node does when offered twice what it can do, and
// whether it comes back. One run, against one server, in phases on the same conversations:
//
//   1. saturation probe — closed loop (as the saturation scenario: `probe.conversations`, each side
//      keeping `probe.inFlight` unacknowledged) for `probe.ms` after a warm-up: acked msg/s = S,
//      measured in this run, for this server;
//   2. normal — every side sends `normalRatePerSide`/s (open loop) for `normalMs`: the reference
//      RSS and latency;
//   3. overload — open loop at 2 × S in total for `overloadMs`, RSS sampled every second;
//   4. normal again for `recoveryMs`: how long until a slice's p99 is back under 10 ms (and
//      under the p99 of phase 2), and how many slices stay there;
//   5. idle, the acks still owed are waited for (bounded), then every acked message is looked
//      for in the history (`history:get`, Parley only: the relay stores nothing) and every refused
//      one must be absent.
//
// Sends are followed by send time in `bucketMs` slices (sent, acked, refused, end-to-end
// latency). Refusals are `unavailable` acks; a send with no ack within `lateAckMs` (or none at
// all) is counted as left without an answer.

import { mergeHistograms, percentile, type Histogram } from '../lib/histogram.ts';
import { sleep } from '../lib/stats.ts';
import type { ChatParams, PhaseCounts, TimelineBucket } from '../load/chat.ts';
import type { LoadPhase } from '../load/protocol.ts';
import { setUpChat, splitGroups } from './chat.ts';
import type { OverloadSizes, Profile } from './profiles.ts';
import type { MetricDef, Metrics, RunContext, Scenario } from './types.ts';

interface StopReport {
  pendingAtEnd: number;
  timeline: TimelineBucket[];
  refusal: Histogram;
  lateAcks: number;
  errors: Record<string, number>;
}

interface VerifyReport {
  checked: number;
  lost: number;
  refusedStored: number;
  unreadable: number;
}

/** The p99 the recovery is judged by (the steady scenario's target). */
const RECOVERED_P99_MS = 10;

const sum = <T>(list: T[], pick: (x: T) => number) => list.reduce((a, x) => a + pick(x), 0);

async function runOverload(ctx: RunContext, s: OverloadSizes): Promise<Metrics> {
  const { deployment, generators, log } = ctx;
  const ids = deployment.identities;
  if (ids.visitors.length < s.conversations) throw new Error('not enough seeded visitors');
  const ranges = splitGroups(s.conversations, s.perAgent, generators.count);
  const params: ChatParams = {
    mode: 'rate',
    inFlight: 0,
    ratePerSide: s.normalRatePerSide,
    transport: 'websocket',
    perAgent: s.perAgent,
    bodyBytes: 64,
    connectConcurrency: 50,
    maxPerSide: 1_000_000,
    timelineBucketMs: s.bucketMs,
    lateAckMs: s.lateAckMs,
  };
  await setUpChat(ctx, ranges, s.perAgent, params);

  const phase = (p: LoadPhase) => generators.all<PhaseCounts & { t: number }>({ type: 'phase', phase: p }, 10_000);
  const alive = () => deployment.sample().rssBytes !== null;

  // 1. The saturation probe: closed loop on the first conversations of each generator.
  const probePerGenerator = Math.max(1, Math.round(s.probe.conversations / generators.count));
  const closed: LoadPhase = { mode: 'closed', inFlight: s.probe.inFlight, conversations: probePerGenerator };
  await phase(closed);
  await sleep(s.probe.warmupMs);
  await phase(closed); // the warm-up's counts are dropped
  await sleep(s.probe.ms);
  const probe = await phase({ mode: 'idle' });
  const saturation = sum(probe, (c) => c.acked) / (Math.max(...probe.map((c) => c.ms)) / 1000);
  // The probe's last acks land before the reference phase.
  await generators.all({ type: 'step', name: 'settle' }, 20_000);

  // 2. Normal load: the reference.
  const normal: LoadPhase = { mode: 'rate', ratePerSide: s.normalRatePerSide };
  const normalStart = (await phase(normal))[0].t;
  await sleep(s.normalMs);
  const steadySample = deployment.sample();

  // 3. Overload: twice the probe's rate, offered whatever the answers.
  const sides = 2 * s.conversations;
  const offered = 2 * saturation;
  log(`    saturation probe ${Math.round(saturation)} msg/s → offering ${Math.round(offered)} msg/s for ${s.overloadMs / 1000} s`);
  const overloadStart = (await phase({ mode: 'rate', ratePerSide: offered / sides }))[0].t;
  let rssMax = 0;
  const until = performance.now() + s.overloadMs;
  while (performance.now() < until) {
    await sleep(Math.min(1000, until - performance.now()));
    rssMax = Math.max(rssMax, deployment.sample().rssBytes ?? 0);
  }

  // 4. Back to normal.
  const overloadCounts = await phase(normal);
  const recoveryStart = overloadCounts[0].t;
  await sleep(s.recoveryMs);
  const recoveryEnd = (await phase({ mode: 'idle' }))[0].t;
  const afterSample = deployment.sample();
  rssMax = Math.max(rssMax, afterSample.rssBytes ?? 0);

  // 5. The acks still owed (bounded), then the history.
  const reports = await generators.all<StopReport>({ type: 'stop' }, 30_000);
  const up = alive();
  let verified: VerifyReport | null = null;
  if (ctx.kind === 'parley' && up) {
    const v = await generators.all<VerifyReport>({ type: 'step', name: 'verify' }, 150_000);
    verified = { checked: sum(v, (r) => r.checked), lost: sum(v, (r) => r.lost), refusedStored: sum(v, (r) => r.refusedStored), unreadable: sum(v, (r) => r.unreadable) };
  }

  // The timelines, merged bucket by bucket.
  const buckets = Math.max(...reports.map((r) => r.timeline.length));
  const merged = Array.from({ length: buckets }, (_, i) => {
    const parts = reports.map((r) => r.timeline[i]).filter((b): b is TimelineBucket => b !== undefined);
    return {
      sent: sum(parts, (b) => b.sent),
      acked: sum(parts, (b) => b.acked),
      refused: sum(parts, (b) => b.refused),
      e2e: mergeHistograms(parts.map((b) => b.e2e)),
    };
  });
  const bucketOf = (t: number) => Math.floor(t / s.bucketMs);
  const span = (from: number, to: number) => merged.slice(bucketOf(from), Math.max(bucketOf(from), bucketOf(to)));
  const e2eOf = (list: typeof merged) => mergeHistograms(list.map((b) => b.e2e));
  const overload = span(overloadStart, recoveryStart);
  const recovery = span(recoveryStart, recoveryEnd);
  // Recovered: the first slice of the normal phase whose p99 is under the bound (10 ms; and, since a
  // shared machine's normal p99 may itself be above it, the p99 of the normal phase before the overload).
  const steadyP99 = percentile(e2eOf(span(normalStart, overloadStart)), 99);
  const firstUnder = (bound: number | null) => {
    if (bound === null) return null;
    const i = recovery.findIndex((b) => (percentile(b.e2e, 99) ?? Infinity) <= bound);
    return i < 0 ? null : (i * s.bucketMs) / 1000;
  };
  // How many of the normal phase's slices after that stayed under 10 ms.
  const recoveredAt = firstUnder(RECOVERED_P99_MS);
  const after = recoveredAt === null ? [] : recovery.slice(Math.round((recoveredAt * 1000) / s.bucketMs));
  const stayed = after.length === 0 ? null : (100 * after.filter((b) => (percentile(b.e2e, 99) ?? Infinity) <= RECOVERED_P99_MS).length) / after.length;
  // The timeline from the overload on, slice by slice: sent, refused, end-to-end p99 (ms).
  const line = (b: (typeof merged)[number]) => `${b.sent}/${b.refused}/${Math.round(percentile(b.e2e, 99) ?? -1)}`;
  log(`    timeline (per ${s.bucketMs} ms: sent/refused/p99 ms), overload: ${overload.map(line).join(' ')}`);
  log(`    recovery: ${recovery.map(line).join(' ')}`);
  const overloadS = (recoveryStart - overloadStart) / 1000;
  const sentOverload = sum(overload, (b) => b.sent);
  const refusedOverload = sum(overload, (b) => b.refused);
  const refusal = mergeHistograms(reports.map((r) => r.refusal));
  const errorsOther = sum(reports, (r) => Object.entries(r.errors).reduce((a, [code, n]) => a + (code === 'unavailable' ? 0 : n), 0));
  const steadyRss = steadySample.rssBytes;
  return {
    saturationMsgsPerSec: saturation,
    offeredMsgsPerSec: offered,
    sentMsgsPerSec: sentOverload / overloadS,
    ackedMsgsPerSec: sum(overloadCounts, (c) => c.acked) / overloadS,
    refusedPct: sentOverload === 0 ? null : (100 * refusedOverload) / sentOverload,
    refusalP50: percentile(refusal, 50),
    refusalP99: percentile(refusal, 99),
    noAck: sum(reports, (r) => r.lateAcks + r.pendingAtEnd),
    otherErrors: errorsOther,
    overloadE2eP99: percentile(e2eOf(overload), 99),
    steadyE2eP99: steadyP99,
    rssSteadyMB: steadyRss === null ? null : steadyRss / 2 ** 20,
    rssOverloadMB: rssMax / 2 ** 20,
    rssRatio: steadyRss ? rssMax / steadyRss : null,
    recoveryS: recoveredAt,
    recoveryStayedPct: stayed,
    recoveryToSteadyS: firstUnder(steadyP99),
    recoveredE2eP99: percentile(e2eOf(recovery.slice(Math.floor(recovery.length / 2))), 99),
    crashes: up ? 0 : 1,
    ackedChecked: verified?.checked ?? null,
    ackedLost: verified ? verified.lost + verified.unreadable : null,
    refusedStored: verified?.refusedStored ?? null,
  };
}

const m = (key: string, label: string, unit: string, extra: Partial<MetricDef> = {}): MetricDef => ({ key, label, unit, ...extra });

export function overloadScenario(profile: Profile): Scenario {
  const s = profile.overload;
  return {
    name: 'overload',
    title: `overload — ${s.conversations} conversations: ${s.normalRatePerSide} msg/s per side, then 2× the measured saturation for ${s.overloadMs / 1000} s, then ${s.normalRatePerSide} msg/s again for ${s.recoveryMs / 1000} s`,
    generators: s.generators,
    runs: s.runs,
    needs: { visitors: s.conversations, agents: Math.ceil(s.conversations / s.perAgent) },
    run: (ctx) => runOverload(ctx, s),
    metrics: [
      m('saturationMsgsPerSec', 'saturation probe (closed loop)', 'msg/s'),
      m('offeredMsgsPerSec', 'offered in overload (2× probe)', 'msg/s'),
      m('sentMsgsPerSec', 'sent in overload (generators)', 'msg/s'),
      m('ackedMsgsPerSec', 'acked ok in overload', 'msg/s'),
      m('refusedPct', 'refused `unavailable` in overload', '% of sent', { ratio: false }),
      m('refusalP50', 'refusal ack latency p50', 'ms', { ratio: false }),
      m('refusalP99', 'refusal ack latency p99', 'ms', { ratio: false }),
      m('noAck', `no ack within ${s.lateAckMs / 1000} s`, 'count', { aggregate: 'max', ratio: false }),
      m('otherErrors', 'other failed sends', 'count', { aggregate: 'max', ratio: false }),
      m('overloadE2eP99', 'end-to-end p99 in overload (delivered)', 'ms'),
      m('steadyE2eP99', 'end-to-end p99 before overload', 'ms'),
      m('recoveredE2eP99', 'end-to-end p99, 2nd half of recovery', 'ms'),
      m('recoveryS', `recovery: first ${s.bucketMs} ms with p99 ≤ ${RECOVERED_P99_MS} ms`, 's', { ratio: false }),
      m('recoveryStayedPct', `slices with p99 ≤ ${RECOVERED_P99_MS} ms from then on`, '%', { ratio: false }),
      m('recoveryToSteadyS', 'recovery: first slice with p99 ≤ the p99 before overload', 's', { ratio: false }),
      m('rssSteadyMB', 'server RSS before overload', 'MiB'),
      m('rssOverloadMB', 'server RSS max in overload', 'MiB'),
      m('rssRatio', 'RSS overload / before', '×', { ratio: false }),
      m('crashes', 'server crashes', 'count', { aggregate: 'max', ratio: false }),
      m('ackedChecked', 'acked messages looked up in history', 'count', { ratio: false }),
      m('ackedLost', 'acked messages missing from history', 'count', { aggregate: 'max', ratio: false }),
      m('refusedStored', 'refused messages found stored', 'count', { aggregate: 'max', ratio: false }),
    ],
    targets: [
      { metric: 'crashes', on: 'value', op: '<=', threshold: 0, label: '0 crashes' },
      { metric: 'ackedLost', on: 'value', op: '<=', threshold: 0, label: '0 acked messages lost' },
      { metric: 'rssRatio', on: 'value', op: '<=', threshold: 1.5, label: 'RSS in overload ≤ 1.5× its steady value' },
      { metric: 'recoveryS', on: 'value', op: '<=', threshold: 10, label: `p99 ≤ ${RECOVERED_P99_MS} ms within 10 s of normal load` },
    ],
  };
}
