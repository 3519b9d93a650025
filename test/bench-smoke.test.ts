// CI smoke run of the benchmark (bench/README.md): `bench/run.ts --smoke`, a
// seconds-long tiny profile of every scenario against both servers, so the
// harness cannot rot — the cluster scenarios included (the runner starts Redis,
// PostgreSQL and nginx itself, as the tests do). No performance targets are asserted, only that every run
// finished, produced sane numbers and wrote its JSON.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

interface Result {
  profile: string;
  records: Array<{ scenario: string; kind: 'baseline' | 'parley'; metrics: Record<string, number | null> | null; error: string | null }>;
  summaries: Array<{ name: string; metrics: Array<{ key: string; baseline: number | null; parley: number | null }> }>;
}

function runSmoke(out: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['bench/run.ts', '--smoke', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  // The runner kills its servers and load generators when it is told to stop.
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

it('[BENCH] the smoke profile runs every scenario, the cluster ones included, against both servers and writes sane JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-smoke-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'smoke.json');

  const { code, output } = await runSmoke(out);
  expect(code, output).toBe(0);
  const result = JSON.parse(readFileSync(out, 'utf8')) as Result;
  expect(result.profile).toBe('smoke');
  expect(result.records.filter((r) => r.error !== null), output).toEqual([]);

  const metric = (scenario: string, kind: 'baseline' | 'parley', key: string) =>
    result.records.find((r) => r.scenario === scenario && r.kind === kind)?.metrics?.[key] ?? null;
  for (const kind of ['baseline', 'parley'] as const) {
    for (const scenario of ['saturation', 'steady', 'polling', 'cluster-saturation', 'cluster-steady']) {
      expect(metric(scenario, kind, 'msgsPerSec'), `${scenario} ${kind}`).toBeGreaterThan(0);
      expect(metric(scenario, kind, 'e2eP50'), `${scenario} ${kind}`).toBeGreaterThan(0);
      expect(metric(scenario, kind, 'errors'), `${scenario} ${kind}`).toBe(0);
      expect(metric(scenario, kind, 'undelivered'), `${scenario} ${kind}`).toBe(0);
      expect(metric(scenario, kind, 'outOfOrder'), `${scenario} ${kind}`).toBe(0);
    }
    // The cluster's CPU and memory are summed over the whole server side: never zero, never unknown.
    for (const scenario of ['cluster-saturation', 'cluster-steady']) {
      expect(metric(scenario, kind, 'cpuUsPerMsg'), `${scenario} ${kind}`).toBeGreaterThan(0);
      expect(metric(scenario, kind, 'rssMB'), `${scenario} ${kind}`).toBeGreaterThan(0);
    }
    expect(metric('idle', kind, 'connectsPerSec')).toBeGreaterThan(0);
    expect(metric('idle', kind, 'dropped')).toBe(0);
    // idle-50k at smoke size: the idle population and the storm connect from their own loopback
    // addresses; every storm visitor gets its `conversation` event.
    expect(metric('idle-50k', kind, 'visitors'), `idle-50k ${kind}`).toBe(40);
    expect(metric('idle-50k', kind, 'dropped'), `idle-50k ${kind}`).toBe(0);
    expect(metric('idle-50k', kind, 'stormLate'), `idle-50k ${kind}`).toBe(0);
    expect(metric('idle-50k', kind, 'stormDropped'), `idle-50k ${kind}`).toBe(0);
    expect(metric('idle-50k', kind, 'stormConversationP50'), `idle-50k ${kind}`).toBeGreaterThan(0);
    expect(metric('idle-50k', kind, 'stormConversationP99')!, `idle-50k ${kind}`).toBeGreaterThanOrEqual(metric('idle-50k', kind, 'stormConnectP50')!);
    expect(metric('claims', kind, 'claimsPerSec')).toBeGreaterThan(0);
    expect(metric('claims', kind, 'doubleClaims')).toBe(0);
    expect(metric('claims', kind, 'unclaimed')).toBe(0);
  }
  expect(metric('claims', 'parley', 'queuedAfter')).toBe(0);
  // overload: every phase ran, nothing crashed; Parley's acked messages were all found in the history.
  for (const kind of ['baseline', 'parley'] as const) {
    expect(metric('overload', kind, 'saturationMsgsPerSec'), `overload ${kind}`).toBeGreaterThan(0);
    expect(metric('overload', kind, 'ackedMsgsPerSec'), `overload ${kind}`).toBeGreaterThan(0);
    expect(metric('overload', kind, 'crashes'), `overload ${kind}`).toBe(0);
    expect(metric('overload', kind, 'rssRatio'), `overload ${kind}`).toBeGreaterThan(0);
  }
  expect(metric('overload', 'parley', 'ackedChecked')).toBeGreaterThan(0);
  expect(metric('overload', 'parley', 'ackedLost')).toBe(0);
  expect(metric('overload', 'parley', 'refusedStored')).toBe(0);
  // Every scenario is summarised with both medians, so ratios can be printed.
  expect(result.summaries.map((s) => s.name).sort()).toEqual(['claims', 'cluster-saturation', 'cluster-steady', 'idle', 'idle-50k', 'overload', 'polling', 'saturation', 'steady']);
}, 420_000);
