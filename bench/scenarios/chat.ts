// Scenarios 1, 2 and 5: visitor/agent conversations. saturation (closed loop,
// N messages in flight per side: throughput and server CPU per message),
// steady (open loop at a fixed rate: end-to-end latency) and polling (steady
// over HTTP long-polling).

import { mergeHistograms, percentile, type Histogram } from '../lib/histogram.ts';
import { median, sleep } from '../lib/stats.ts';
import type { ChatParams } from '../load/chat.ts';
import type { Transport } from '../load/protocol.ts';
import type { ChatSizes, Profile } from './profiles.ts';
import type { MetricDef, Metrics, RunContext, Scenario } from './types.ts';

interface ChatReport {
  windowMs: number;
  acked: number;
  sent: number;
  delivered: number;
  errors: Record<string, number>;
  e2e: Histogram;
  ack: Histogram;
  sendLag: Histogram;
  outOfOrder: number;
  pendingAtEnd: number;
}

/** Whole agents' worth of conversations per generator: [first conversation, end) ranges. */
export function splitGroups(conversations: number, perAgent: number, parts: number): Array<[number, number]> {
  const groups = Math.ceil(conversations / perAgent);
  return Array.from({ length: parts }, (_, i) => {
    const g0 = Math.floor((groups * i) / parts);
    const g1 = Math.floor((groups * (i + 1)) / parts);
    return [Math.min(g0 * perAgent, conversations), Math.min(g1 * perAgent, conversations)] as [number, number];
  });
}

/**
 * Gives each load generator its share (whole agents' conversations, `ranges`), then has them
 * connect every client and open every conversation (a visitor's first message, its agent's claim).
 */
export async function setUpChat(ctx: RunContext, ranges: Array<[number, number]>, perAgent: number, params: ChatParams): Promise<void> {
  const { deployment, generators } = ctx;
  const ids = deployment.identities;
  await generators.all(
    (i) => ({
      type: 'setup',
      setup: {
        workload: 'chat',
        kind: ctx.kind,
        urls: deployment.urls,
        roleUrls: deployment.roleUrls,
        identities: {
          visitors: ids.visitors.slice(ranges[i][0], ranges[i][1]),
          agents: ids.agents.slice(ranges[i][0] / perAgent, Math.ceil(ranges[i][1] / perAgent)),
        },
        params: params as unknown as Record<string, unknown>,
        index: i,
      },
    }),
    10_000,
  );
  await generators.all({ type: 'step', name: 'connect' }, 180_000);
  await generators.all({ type: 'step', name: 'open' }, 180_000);
}

async function runChat(ctx: RunContext, sizes: ChatSizes, load: Pick<ChatParams, 'mode' | 'inFlight' | 'ratePerSide' | 'transport'>): Promise<Metrics> {
  const { deployment, generators } = ctx;
  const ids = deployment.identities;
  if (ids.visitors.length < sizes.conversations) throw new Error('not enough seeded visitors');
  const ranges = splitGroups(sizes.conversations, sizes.perAgent, generators.count);
  const params: ChatParams = {
    ...load,
    perAgent: sizes.perAgent,
    bodyBytes: 64,
    connectConcurrency: load.transport === 'polling' ? 20 : 50,
    maxPerSide: 1_000_000,
  };
  await setUpChat(ctx, ranges, sizes.perAgent, params);
  await generators.all({ type: 'start' }, 10_000);
  await sleep(sizes.warmupMs);
  await ctx.window.begin();
  await generators.all({ type: 'measure' }, 10_000);
  // The counters' own queries stay outside the CPU window.
  const c0 = await deployment.counters?.();
  const s0 = deployment.sample();
  const p0 = deployment.sampleParts?.();
  await sleep(sizes.measureMs);
  const s1 = deployment.sample();
  const p1 = deployment.sampleParts?.();
  const c1 = await deployment.counters?.();
  await ctx.window.end();
  const reports = await generators.all<ChatReport>({ type: 'stop' }, 30_000);

  const acked = reports.reduce((a, r) => a + r.acked, 0);
  const windowS = (median(reports.map((r) => r.windowMs)) ?? sizes.measureMs) / 1000;
  const cpu = s0.cpuMicros !== null && s1.cpuMicros !== null ? s1.cpuMicros - s0.cpuMicros : null;
  const e2e = mergeHistograms(reports.map((r) => r.e2e));
  const ack = mergeHistograms(reports.map((r) => r.ack));
  const lag = mergeHistograms(reports.map((r) => r.sendLag));
  const errors = reports.reduce((a, r) => a + Object.values(r.errors).reduce((x, y) => x + y, 0), 0);
  const sent = reports.reduce((a, r) => a + r.sent, 0);
  const delivered = reports.reduce((a, r) => a + r.delivered, 0);
  /** A service counter's growth over the window, per acked message (null when not counted). */
  const perMessage = (key: string) =>
    c0 && c1 && key in c0 && key in c1 && acked > 0 ? (c1[key] - c0[key]) / acked : null;
  /** A part's CPU per acked message, µs (null when the deployment has no such part). */
  const partCpu = (part: string) => {
    const a = p0?.[part]?.cpuMicros;
    const b = p1?.[part]?.cpuMicros;
    return a == null || b == null || acked === 0 ? null : (b - a) / acked;
  };
  return {
    cpuNodesUsPerMsg: partCpu('nodes'),
    cpuNginxUsPerMsg: partCpu('nginx'),
    cpuRedisUsPerMsg: partCpu('redis'),
    cpuPostgresUsPerMsg: partCpu('postgres'),
    redisCmdsPerMsg: perMessage('redisCommands'),
    redisPublishesPerMsg: perMessage('redisPublishes'),
    pgCommitsPerMsg: perMessage('postgresCommits'),
    msgsPerSec: acked / windowS,
    cpuUsPerMsg: cpu === null || acked === 0 ? null : cpu / acked,
    serverCpuPct: cpu === null ? null : (cpu / ((s1.at - s0.at) * 1000)) * 100,
    rssMB: s1.rssBytes === null ? null : s1.rssBytes / 2 ** 20,
    e2eP50: percentile(e2e, 50),
    e2eP95: percentile(e2e, 95),
    e2eP99: percentile(e2e, 99),
    e2eMax: e2e.count ? e2e.maxMs : null,
    ackP50: percentile(ack, 50),
    ackP99: percentile(ack, 99),
    sendLagP99: percentile(lag, 99),
    errors,
    undelivered: Math.max(0, sent - delivered - errors),
    outOfOrder: reports.reduce((a, r) => a + r.outOfOrder, 0),
  };
}

const m = (key: string, label: string, unit: string, extra: Partial<MetricDef> = {}): MetricDef => ({ key, label, unit, ...extra });
const CORRECTNESS: MetricDef[] = [
  m('errors', 'failed sends', 'count', { aggregate: 'max', ratio: false }),
  m('undelivered', 'undelivered', 'count', { aggregate: 'max', ratio: false }),
  m('outOfOrder', 'out of order', 'count', { aggregate: 'max', ratio: false }),
];
const LATENCY: MetricDef[] = [
  m('e2eP50', 'end-to-end p50', 'ms'),
  m('e2eP95', 'end-to-end p95', 'ms'),
  m('e2eP99', 'end-to-end p99', 'ms'),
  m('e2eMax', 'end-to-end max', 'ms'),
  m('msgsPerSec', 'acked messages/s', 'msg/s'),
  m('serverCpuPct', 'server CPU', '% of a core'),
  m('cpuUsPerMsg', 'server CPU per message', 'µs'),
  m('rssMB', 'server RSS', 'MiB'),
  m('sendLagP99', 'generator send lag p99', 'ms', { ratio: false }),
];

export function saturationScenario(profile: Profile): Scenario {
  const s = profile.saturation;
  return {
    name: 'saturation',
    title: `saturation — ${s.conversations} conversations, ${s.inFlight} in flight per side`,
    generators: s.generators,
    needs: { visitors: s.conversations, agents: Math.ceil(s.conversations / s.perAgent) },
    run: (ctx) => runChat(ctx, s, { mode: 'closed', inFlight: s.inFlight, ratePerSide: 0, transport: 'websocket' }),
    metrics: [
      m('msgsPerSec', 'acked messages/s', 'msg/s'),
      m('cpuUsPerMsg', 'server CPU per message', 'µs'),
      m('serverCpuPct', 'server CPU', '% of a core'),
      m('ackP50', 'ack latency p50', 'ms'),
      m('ackP99', 'ack latency p99', 'ms'),
      ...CORRECTNESS,
    ],
    targets: [{ metric: 'msgsPerSec', on: 'ratio', op: '>=', threshold: 0.6, label: 'acked messages/s ≥ 0.6× baseline' }],
  };
}

function rateScenario(name: 'steady' | 'polling', profile: Profile, transport: Transport): Scenario {
  const s = profile[name];
  return {
    name,
    title: `${name} — ${s.conversations} conversations, ${s.ratePerSide} msg/s per side, ${transport}`,
    generators: s.generators,
    needs: { visitors: s.conversations, agents: Math.ceil(s.conversations / s.perAgent) },
    run: (ctx) => runChat(ctx, s, { mode: 'rate', inFlight: 0, ratePerSide: s.ratePerSide, transport }),
    metrics: [...LATENCY, ...CORRECTNESS],
    targets: name === 'steady' ? [{ metric: 'e2eP99', on: 'value', op: '<=', threshold: 10, label: 'end-to-end p99 ≤ 10 ms' }] : [],
  };
}

export const steadyScenario = (profile: Profile) => rateScenario('steady', profile, 'websocket');

const CLUSTER = 'two nodes behind nginx, visitors on node 1, agents on node 2';
/** What each message costs the services behind the nodes (bench/topology/cluster.ts). */
const CPU_PARTS: MetricDef[] = [
  m('cpuNodesUsPerMsg', '… of which both nodes', 'µs'),
  m('cpuNginxUsPerMsg', '… of which nginx', 'µs'),
  m('cpuRedisUsPerMsg', '… of which Redis', 'µs'),
  m('cpuPostgresUsPerMsg', '… of which PostgreSQL', 'µs', { ratio: false }),
];
const ROUND_TRIPS: MetricDef[] = [
  m('redisCmdsPerMsg', 'Redis commands per message', 'count'),
  m('redisPublishesPerMsg', 'Redis PUBLISHes per message', 'count'),
  m('pgCommitsPerMsg', 'PostgreSQL commits per message (±1 s of stats delay)', 'count', { ratio: false }),
];
const ALL_PROCESSES = 'nodes, nginx, Redis, PostgreSQL';

export function clusterSaturationScenario(profile: Profile): Scenario {
  const s = profile.clusterSaturation;
  return {
    name: 'cluster-saturation',
    title: `cluster-saturation — ${CLUSTER}: ${s.conversations} conversations, ${s.inFlight} in flight per side`,
    topology: 'cluster',
    runs: s.runs,
    generators: s.generators,
    needs: { visitors: s.conversations, agents: Math.ceil(s.conversations / s.perAgent) },
    run: (ctx) => runChat(ctx, s, { mode: 'closed', inFlight: s.inFlight, ratePerSide: 0, transport: 'websocket' }),
    metrics: [
      m('msgsPerSec', 'acked messages/s', 'msg/s'),
      m('cpuUsPerMsg', `CPU per message (${ALL_PROCESSES})`, 'µs'),
      ...CPU_PARTS,
      m('serverCpuPct', `CPU (${ALL_PROCESSES})`, '% of a core'),
      m('ackP50', 'ack latency p50', 'ms'),
      m('ackP99', 'ack latency p99', 'ms'),
      m('rssMB', `memory (PSS, ${ALL_PROCESSES})`, 'MiB'),
      ...ROUND_TRIPS,
      ...CORRECTNESS,
    ],
    targets: [{ metric: 'msgsPerSec', on: 'ratio', op: '>=', threshold: 0.5, label: 'cluster acked messages/s ≥ 0.5× baseline' }],
  };
}

export function clusterSteadyScenario(profile: Profile): Scenario {
  const s = profile.clusterSteady;
  return {
    name: 'cluster-steady',
    title: `cluster-steady — ${CLUSTER}: ${s.conversations} conversations, ${s.ratePerSide} msg/s per side`,
    topology: 'cluster',
    runs: s.runs,
    generators: s.generators,
    needs: { visitors: s.conversations, agents: Math.ceil(s.conversations / s.perAgent) },
    run: (ctx) => runChat(ctx, s, { mode: 'rate', inFlight: 0, ratePerSide: s.ratePerSide, transport: 'websocket' }),
    metrics: [
      m('e2eP50', 'end-to-end p50', 'ms'),
      m('e2eP95', 'end-to-end p95', 'ms'),
      m('e2eP99', 'end-to-end p99', 'ms'),
      m('e2eMax', 'end-to-end max', 'ms'),
      m('msgsPerSec', 'acked messages/s', 'msg/s'),
      m('serverCpuPct', `CPU (${ALL_PROCESSES})`, '% of a core'),
      m('cpuUsPerMsg', `CPU per message (${ALL_PROCESSES})`, 'µs'),
      ...CPU_PARTS,
      m('rssMB', `memory (PSS, ${ALL_PROCESSES})`, 'MiB'),
      m('sendLagP99', 'generator send lag p99', 'ms', { ratio: false }),
      ...ROUND_TRIPS,
      ...CORRECTNESS,
    ],
    targets: [
      { metric: 'cpuUsPerMsg', on: 'ratio', op: '<=', threshold: 1.5, label: 'cluster CPU per message ≤ 1.5× baseline' },
      { metric: 'e2eP99', on: 'value', op: '<=', threshold: 25, label: 'cluster end-to-end p99 ≤ 25 ms' },
    ],
  };
}
export const pollingScenario = (profile: Profile) => rateScenario('polling', profile, 'polling');
