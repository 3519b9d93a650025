// Scenario 4: the claim storm. N visitors wait in the queue; M agents race to
// claim all of them. Claims/s from the start to the last successful claim, and
// proof that each conversation went to exactly one agent: every successful
// ack is counted by conversation id, and Parley's own queue must end empty.

import type { ClaimParams } from '../load/claims.ts';
import type { Profile } from './profiles.ts';
import type { RunContext, Scenario } from './types.ts';

interface ClaimReport {
  startAt: number;
  lastOkAt: number;
  claimed: string[];
  attempts: number;
  alreadyClaimed: number;
  errors: Record<string, number>;
  received: number;
}

async function queuedOnServer(ctx: RunContext): Promise<number | null> {
  if (ctx.deployment.adminCookie === null) return null;
  const res = await fetch(`${ctx.deployment.urls[0]}/api/conversations?status=queued`, {
    headers: { cookie: ctx.deployment.adminCookie },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`GET /api/conversations: ${res.status}`);
  return ((await res.json()) as { conversations: unknown[] }).conversations.length;
}

export function claimsScenario(profile: Profile): Scenario {
  const s = profile.claims;
  return {
    name: 'claims',
    title: `claim storm — ${s.queued.toLocaleString('en-US')} queued, ${s.agents} agents racing`,
    generators: s.generators,
    needs: { visitors: s.queued, agents: s.agents },
    async run(ctx) {
      const { deployment, generators } = ctx;
      const ids = deployment.identities;
      const n = generators.count;
      const slice = <T>(list: T[], total: number, i: number) => list.slice(Math.floor((total * i) / n), Math.floor((total * (i + 1)) / n));
      const params: ClaimParams = { inFlightPerAgent: s.inFlightPerAgent, transport: 'websocket', connectConcurrency: 50, timeoutMs: 60_000 };
      await generators.all(
        (i) => ({
          type: 'setup',
          setup: {
            workload: 'claims',
            kind: ctx.kind,
            urls: deployment.urls,
            identities: { visitors: slice(ids.visitors, s.queued, i), agents: slice(ids.agents, s.agents, i) },
            params: params as unknown as Record<string, unknown>,
            index: i,
          },
        }),
        10_000,
      );
      await generators.all({ type: 'step', name: 'open' }, 180_000);
      const agents = await generators.all<{ queued: number }>({ type: 'step', name: 'agents' }, 180_000);
      if (agents.some((a) => a.queued !== s.queued)) throw new Error(`agents saw ${agents.map((a) => a.queued)} queued, expected ${s.queued}`);
      await ctx.window.begin();
      const s0 = deployment.sample();
      await generators.all({ type: 'start' }, 10_000);
      const reports = await generators.all<ClaimReport>({ type: 'stop' }, params.timeoutMs + 10_000);
      const s1 = deployment.sample();
      await ctx.window.end();

      const wins = new Map<string, number>();
      for (const r of reports) for (const id of r.claimed) wins.set(id, (wins.get(id) ?? 0) + 1);
      const startAt = Math.min(...reports.map((r) => r.startAt));
      const endAt = Math.max(...reports.map((r) => r.lastOkAt));
      const claims = [...wins.values()].reduce((a, v) => a + v, 0);
      const cpu = s0.cpuMicros !== null && s1.cpuMicros !== null ? s1.cpuMicros - s0.cpuMicros : null;
      return {
        claimsPerSec: endAt > startAt ? wins.size / ((endAt - startAt) / 1000) : null,
        stormMs: endAt > startAt ? endAt - startAt : null,
        attempts: reports.reduce((a, r) => a + r.attempts, 0),
        cpuUsPerClaim: cpu === null || wins.size === 0 ? null : cpu / wins.size,
        eventsPerClaim: wins.size === 0 ? null : reports.reduce((a, r) => a + r.received, 0) / wins.size,
        doubleClaims: claims - wins.size,
        unclaimed: s.queued - wins.size,
        errors: reports.reduce((a, r) => a + Object.values(r.errors).reduce((x, y) => x + y, 0), 0),
        queuedAfter: await queuedOnServer(ctx),
      };
    },
    metrics: [
      { key: 'claimsPerSec', label: 'claims/s', unit: 'claim/s' },
      { key: 'stormMs', label: 'storm duration', unit: 'ms' },
      { key: 'attempts', label: 'claim attempts (incl. lost races)', unit: 'count' },
      { key: 'cpuUsPerClaim', label: 'server CPU per claim', unit: 'µs' },
      { key: 'eventsPerClaim', label: 'events received by clients per claim', unit: 'events' },
      { key: 'doubleClaims', label: 'double claims', unit: 'count', aggregate: 'max', ratio: false },
      { key: 'unclaimed', label: 'unclaimed', unit: 'count', aggregate: 'max', ratio: false },
      { key: 'errors', label: 'failed claims (not lost races)', unit: 'count', aggregate: 'max', ratio: false },
      { key: 'queuedAfter', label: 'still queued on the server', unit: 'count', aggregate: 'max', ratio: false },
    ],
    targets: [
      { metric: 'claimsPerSec', on: 'value', op: '>=', threshold: 2000, label: '≥ 2,000 claims/s' },
      { metric: 'doubleClaims', on: 'value', op: '<=', threshold: 0, label: '0 double claims' },
      { metric: 'unclaimed', on: 'value', op: '<=', threshold: 0, label: 'every conversation claimed' },
    ],
  };
}
