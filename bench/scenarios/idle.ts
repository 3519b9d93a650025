// Scenario 3: many connected, silent visitors. What one connection costs the
// server in memory (RSS after − RSS before, per connection) and how long
// connecting takes.

import { loadavg } from 'node:os';
import { type Histogram, mergeHistograms, percentile } from '../lib/histogram.ts';
import { median, sleep } from '../lib/stats.ts';
import type { IdleParams, StormArgs, StormResult } from '../load/idle.ts';
import type { FileLimit } from '../lib/processes.ts';
import { sampleProcess, sumSamples } from '../lib/proc-stats.ts';
import type { Profile } from './profiles.ts';
import type { RunContext, Scenario, ScenarioEnv } from './types.ts';

/** Median of a few RSS readings, so one GC or allocation spike does not decide. */
export async function settledRss(ctx: RunContext, readings = 3, everyMs = 200): Promise<number | null> {
  const values: Array<number | null> = [];
  for (let i = 0; i < readings; i++) {
    values.push(ctx.deployment.sample().rssBytes);
    if (i < readings - 1) await sleep(everyMs);
  }
  return median(values);
}

/** Generator i's part of `count` items split evenly over `parts`: [first, end). */
function share(count: number, parts: number, i: number): [number, number] {
  return [Math.floor((count * i) / parts), Math.floor((count * (i + 1)) / parts)];
}

export function idleScenario(profile: Profile): Scenario {
  const s = profile.idle;
  return {
    name: 'idle',
    title: `idle — ${s.visitors.toLocaleString('en-US')} connected visitors`,
    generators: s.generators,
    runs: s.runs,
    needs: { visitors: s.visitors, agents: 0 },
    async run(ctx) {
      const { deployment, generators } = ctx;
      const ids = deployment.identities.visitors;
      if (ids.length < s.visitors) throw new Error('not enough seeded visitors');
      const params: IdleParams = { transport: 'websocket', connectConcurrency: 100 };
      await generators.all(
        (i) => ({
          type: 'setup',
          setup: {
            workload: 'idle',
            kind: ctx.kind,
            urls: deployment.urls,
            identities: { visitors: ids.slice(...share(s.visitors, generators.count, i)), agents: [] },
            params: params as unknown as Record<string, unknown>,
            index: i,
          },
        }),
        10_000,
      );
      await sleep(300);
      const before = await settledRss(ctx);
      await ctx.window.begin();
      const s0 = deployment.sample();
      const t0 = performance.now();
      const steps = await generators.all<{ connected: number; failed: number; connect: Histogram }>({ type: 'step', name: 'connect' }, 180_000);
      const connectS = (performance.now() - t0) / 1000;
      const s1 = deployment.sample();
      await ctx.window.end();
      await sleep(s.settleMs);
      const after = await settledRss(ctx);
      const stops = await generators.all<{ connected: number; disconnects: number }>({ type: 'stop' }, 10_000);
      const connected = steps.reduce((a, r) => a + r.connected, 0);
      const times = mergeHistograms(steps.map((r) => r.connect));
      const cpu = s0.cpuMicros !== null && s1.cpuMicros !== null ? s1.cpuMicros - s0.cpuMicros : null;
      return {
        rssPerConnKB: before === null || after === null || connected === 0 ? null : (after - before) / connected / 1024,
        rssMB: after === null ? null : after / 2 ** 20,
        connectsPerSec: connected / connectS,
        connectP50: percentile(times, 50),
        connectP99: percentile(times, 99),
        cpuUsPerConnect: cpu === null || connected === 0 ? null : cpu / connected,
        dropped: connected - stops.reduce((a, r) => a + r.connected, 0) + steps.reduce((a, r) => a + r.failed, 0),
      };
    },
    metrics: [
      { key: 'rssPerConnKB', label: 'RSS per connection', unit: 'KiB' },
      { key: 'rssMB', label: 'server RSS, all connected', unit: 'MiB' },
      { key: 'connectsPerSec', label: 'connections/s (100 at a time per generator)', unit: 'conn/s' },
      { key: 'connectP50', label: 'connect time p50', unit: 'ms' },
      { key: 'connectP99', label: 'connect time p99', unit: 'ms' },
      { key: 'cpuUsPerConnect', label: 'server CPU per connect', unit: 'µs' },
      { key: 'dropped', label: 'dropped connections', unit: 'count', aggregate: 'max', ratio: false },
    ],
    targets: [{ metric: 'rssPerConnKB', on: 'ratio', op: '<=', threshold: 1.2, label: 'RSS per connection ≤ 1.2× baseline' }],
  };
}

/** Descriptors a process keeps besides its connections (listening socket, epoll, SQLite files, stdio, inspector). */
const FD_RESERVE = 256;
/** A loopback address of its own for each load generator of a run (not 127.0.0.1, fresh each run, so
 * that no earlier run's TIME_WAIT holds its ports). */
const loopbackAddress = () => `127.${1 + Math.floor(Math.random() * 254)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

/** The idle-50k sizes this machine can run: the idle population is capped by the open-files limit. */
export function idle50kSizes(profile: Profile, files: FileLimit) {
  const s = profile.idle50k;
  const cap = files.limit - FD_RESERVE - s.storm;
  const visitors = Math.max(0, Math.min(s.visitors, cap));
  const total = visitors + s.storm;
  return {
    ...s,
    wanted: s.visitors,
    visitors,
    capped: visitors < s.visitors,
    // Each load generator must hold its share within the same limit.
    generators: Math.max(s.generators, Math.ceil(total / (files.limit - FD_RESERVE))),
  };
}

export function idle50kScenario(profile: Profile, env: ScenarioEnv): Scenario {
  const s = idle50kSizes(profile, env.files);
  const n = (x: number) => x.toLocaleString('en-US');
  const population = s.capped
    ? `${n(s.visitors)} connected visitors (${n(s.wanted)} wanted: capped by the open-files limit of ${n(env.files.limit)} per process)`
    : `${n(s.visitors)} connected visitors`;
  return {
    name: 'idle-50k',
    title: `idle-50k — ${population}, then a storm of ${n(s.storm)} arriving in ${s.spreadMs / 1000} s`,
    generators: s.generators,
    runs: s.runs,
    needs: { visitors: s.visitors + s.storm, agents: 0 },
    async run(ctx) {
      const { deployment, generators } = ctx;
      const ids = deployment.identities.visitors;
      if (s.visitors === 0) throw new Error(`the open-files limit (${env.files.limit}) leaves no room for idle visitors beside the storm`);
      if (ids.length < s.visitors + s.storm) throw new Error('not enough seeded visitors');
      const idleIds = ids.slice(0, s.visitors);
      const stormIds = ids.slice(s.visitors, s.visitors + s.storm);
      await generators.all(
        (i) => {
          const [a, b] = share(s.visitors, generators.count, i);
          const [c, d] = share(s.storm, generators.count, i);
          const params: IdleParams = {
            transport: 'websocket',
            connectConcurrency: s.connectConcurrency,
            localAddress: loopbackAddress(),
            storm: { visitors: stormIds.slice(c, d), offset: c, total: s.storm, spreadMs: s.spreadMs, timeoutMs: s.stormTimeoutMs },
          };
          return {
            type: 'setup',
            setup: {
              workload: 'idle',
              kind: ctx.kind,
              urls: deployment.urls,
              identities: { visitors: idleIds.slice(a, b), agents: [] },
              params: params as unknown as Record<string, unknown>,
              index: i,
            },
          };
        },
        30_000,
      );
      await sleep(300);
      const before = await settledRss(ctx);

      // The idle population: every generator connects its share, connectConcurrency at a time.
      await ctx.window.begin();
      const s0 = deployment.sample();
      const t0 = performance.now();
      const steps = await generators.all<{ connected: number; failed: number; connect: Histogram }>({ type: 'step', name: 'connect' }, 240_000);
      const connectS = (performance.now() - t0) / 1000;
      const s1 = deployment.sample();
      const connected = steps.reduce((a, r) => a + r.connected, 0);
      const failed = steps.reduce((a, r) => a + r.failed, 0);
      ctx.log(`    ${n(connected)} idle visitors connected in ${connectS.toFixed(1)} s${failed ? `, ${n(failed)} failed` : ''}`);
      await sleep(s.settleMs);
      const after = await settledRss(ctx);

      // The storm: arrivals spread evenly over spreadMs, from every generator at once.
      // The generators get the start time ahead, so the command's trip is not part of any arrival.
      const startAt = Date.now() + 500;
      const stormsDone = generators.all<StormResult>(
        { type: 'step', name: 'storm', args: { startAt } satisfies StormArgs as unknown as Record<string, unknown> },
        s.spreadMs + s.stormTimeoutMs + 30_000,
      );
      stormsDone.catch(() => {});
      await sleep(startAt - Date.now());
      const s2 = deployment.sample();
      const loadCpu = () => sumSamples(generators.pids.map(sampleProcess));
      const g2 = loadCpu();
      const storms = await stormsDone;
      const s3 = deployment.sample();
      const g3 = loadCpu();
      // The profiled window (--cpu-prof, --heap-prof) spans both: the idle population connecting and the storm.
      await ctx.window.end();
      await sleep(s.settleMs);
      const afterStorm = await settledRss(ctx);
      const stops = await generators.all<{ connected: number; stormLost: number }>({ type: 'stop' }, 10_000);

      const sum = (pick: (r: StormResult) => number) => storms.reduce((a, r) => a + pick(r), 0);
      const stormConnected = sum((r) => r.connected);
      const lastConnect = Math.max(...storms.map((r) => r.lastConnectAt ?? 0));
      const stormConnect = mergeHistograms(storms.map((r) => r.connect));
      const stormConversation = mergeHistograms(storms.map((r) => r.conversation));
      const times = mergeHistograms(steps.map((r) => r.connect));
      const cpu = (a: typeof s0, b: typeof s0) => (a.cpuMicros !== null && b.cpuMicros !== null ? b.cpuMicros - a.cpuMicros : null);
      const idleCpu = cpu(s0, s1);
      const stormCpu = cpu(s2, s3);
      // Other processes on the machine share both cores: say how loaded it was.
      ctx.log(`    storm: ${n(stormConnected)}/${n(s.storm)} connected, ${n(sum((r) => r.connectedIn5s))} within 5 s, ${n(sum((r) => r.failed))} failed; load average ${loadavg()[0].toFixed(1)}`);
      return {
        visitors: connected,
        rssPerConnKB: before === null || after === null || connected === 0 ? null : (after - before) / connected / 1024,
        rssMB: after === null ? null : after / 2 ** 20,
        connectsPerSec: connected / connectS,
        connectP99: percentile(times, 99),
        cpuUsPerConnect: idleCpu === null || connected === 0 ? null : idleCpu / connected,
        // Idle visitors that failed to connect or lost their connection before the end (storm included).
        dropped: failed + connected - stops.reduce((a, r) => a + r.connected, 0),
        stormConnectsPerSec: stormConnected === 0 ? null : stormConnected / Math.max(0.001, (lastConnect - startAt) / 1000),
        stormConnectP50: percentile(stormConnect, 50),
        stormConnectP99: percentile(stormConnect, 99),
        stormConversationP50: percentile(stormConversation, 50),
        stormConversationP99: percentile(stormConversation, 99),
        stormLate: s.storm - sum((r) => r.connectedIn5s),
        // Failed to connect, got no `conversation` in time, or lost the connection before the end.
        stormDropped: stops.reduce((a, r) => a + r.stormLost, 0),
        cpuUsPerStormVisitor: stormCpu === null ? null : stormCpu / s.storm,
        rssAfterStormMB: afterStorm === null ? null : afterStorm / 2 ** 20,
        // How busy the server and the load generators were from the storm's start to its last answer (100 = one core).
        stormServerBusyPct: stormCpu === null ? null : (stormCpu / (s3.at - s2.at) / 1000) * 100,
        stormLoadBusyPct: cpu(g2, g3) === null ? null : (cpu(g2, g3)! / (g3.at - g2.at) / 1000) * 100,
        // Runnable but not running: the server's core was taken by someone else (a shared machine).
        stormServerWaitPct: s2.waitMicros == null || s3.waitMicros == null ? null : ((s3.waitMicros - s2.waitMicros) / (s3.at - s2.at) / 1000) * 100,
      };
    },
    metrics: [
      { key: 'visitors', label: 'idle visitors connected', unit: 'count', ratio: false },
      { key: 'rssPerConnKB', label: 'RSS per connection', unit: 'KiB' },
      { key: 'rssMB', label: 'server RSS, idle population connected', unit: 'MiB' },
      { key: 'connectsPerSec', label: `connections/s (${s.connectConcurrency} at a time per generator)`, unit: 'conn/s' },
      { key: 'connectP99', label: 'connect time p99', unit: 'ms' },
      { key: 'cpuUsPerConnect', label: 'server CPU per connect', unit: 'µs' },
      { key: 'dropped', label: 'dropped idle connections', unit: 'count', aggregate: 'max', ratio: false },
      { key: 'stormConnectsPerSec', label: 'storm: connections/s (start → last connected)', unit: 'conn/s' },
      { key: 'stormConnectP50', label: 'storm: arrival → connected p50', unit: 'ms' },
      { key: 'stormConnectP99', label: 'storm: arrival → connected p99', unit: 'ms' },
      { key: 'stormConversationP50', label: 'storm: arrival → first `conversation` p50', unit: 'ms' },
      { key: 'stormConversationP99', label: 'storm: arrival → first `conversation` p99', unit: 'ms' },
      { key: 'stormLate', label: 'storm: not connected within 5 s', unit: 'count', aggregate: 'max', ratio: false },
      { key: 'stormDropped', label: 'storm: failed or dropped (no `conversation`)', unit: 'count', aggregate: 'max', ratio: false },
      { key: 'cpuUsPerStormVisitor', label: 'storm: server CPU per visitor (connect + open)', unit: 'µs' },
      { key: 'rssAfterStormMB', label: 'server RSS after the storm', unit: 'MiB' },
      { key: 'stormServerBusyPct', label: 'storm: server CPU busy (100 = one core)', unit: '%' },
      { key: 'stormLoadBusyPct', label: 'storm: load generators CPU busy (100 = one core)', unit: '%' },
      { key: 'stormServerWaitPct', label: 'storm: server threads waiting for a CPU (100 = one thread all along)', unit: '%' },
    ],
    targets: [
      { metric: 'rssPerConnKB', on: 'ratio', op: '<=', threshold: 1.2, label: 'RSS per connection ≤ 1.2× baseline' },
      { metric: 'stormLate', on: 'value', op: '<=', threshold: 0, label: `storm of ${n(s.storm)} in ${s.spreadMs / 1000} s: all connected within 5 s` },
      { metric: 'stormDropped', on: 'value', op: '<=', threshold: 0, label: `storm of ${n(s.storm)}: none dropped` },
    ],
  };
}
