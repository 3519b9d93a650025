// Scenario 3: many connected, silent visitors. What one connection costs the
// server in memory (RSS after − RSS before, per connection) and how long
// connecting takes.

import { type Histogram, mergeHistograms, percentile } from '../lib/histogram.ts';
import { median, sleep } from '../lib/stats.ts';
import type { IdleParams } from '../load/idle.ts';
import type { Profile } from './profiles.ts';
import type { RunContext, Scenario } from './types.ts';

/** Median of a few RSS readings, so one GC or allocation spike does not decide. */
async function settledRss(ctx: RunContext, readings = 3, everyMs = 200): Promise<number | null> {
  const values: Array<number | null> = [];
  for (let i = 0; i < readings; i++) {
    values.push(ctx.deployment.sample().rssBytes);
    if (i < readings - 1) await sleep(everyMs);
  }
  return median(values);
}

export function idleScenario(profile: Profile): Scenario {
  const s = profile.idle;
  return {
    name: 'idle',
    title: `idle — ${s.visitors.toLocaleString('en-US')} connected visitors`,
    generators: s.generators,
    needs: { visitors: s.visitors, agents: 0 },
    async run(ctx) {
      const { deployment, generators } = ctx;
      const ids = deployment.identities.visitors;
      if (ids.length < s.visitors) throw new Error('not enough seeded visitors');
      const params: IdleParams = { transport: 'websocket', connectConcurrency: 100 };
      const per = (i: number) => [Math.floor((s.visitors * i) / generators.count), Math.floor((s.visitors * (i + 1)) / generators.count)];
      await generators.all(
        (i) => ({
          type: 'setup',
          setup: {
            workload: 'idle',
            kind: ctx.kind,
            urls: deployment.urls,
            identities: { visitors: ids.slice(per(i)[0], per(i)[1]), agents: [] },
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
      const steps = await generators.all<{ connected: number; connect: Histogram }>({ type: 'step', name: 'connect' }, 180_000);
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
        dropped: connected - stops.reduce((a, r) => a + r.connected, 0),
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
