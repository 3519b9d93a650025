// Turns the runs into results: medians per server kind, Parley/baseline
// ratios, targets met or not; printed as a table, saved as JSON and Markdown.

import { median, ratio, fmt } from '../lib/stats.ts';
import type { Metrics, Scenario, TargetDef } from '../scenarios/types.ts';
import type { ServerKind } from '../topology/topology.ts';

export interface RunRecord {
  scenario: string;
  kind: ServerKind;
  run: number;
  metrics: Metrics | null;
  error: string | null;
  durationMs: number;
}

export interface MetricSummary {
  key: string;
  label: string;
  unit: string;
  aggregate: 'median' | 'max';
  baseline: number | null;
  parley: number | null;
  ratio: number | null;
  runs: { baseline: Array<number | null>; parley: Array<number | null> };
}

export interface TargetResult extends TargetDef {
  scenario: string;
  value: number | null;
  met: boolean;
}

export interface ScenarioSummary {
  name: string;
  title: string;
  failedRuns: number;
  metrics: MetricSummary[];
  targets: TargetResult[];
}

export function summarize(scenario: Scenario, records: RunRecord[]): ScenarioSummary {
  const mine = records.filter((r) => r.scenario === scenario.name);
  const values = (kind: ServerKind, key: string) => mine.filter((r) => r.kind === kind && r.metrics).map((r) => r.metrics![key] ?? null);
  const metrics = scenario.metrics.map((def): MetricSummary => {
    const aggregate = def.aggregate ?? 'median';
    const combine = (v: Array<number | null>) => {
      const known = v.filter((x): x is number => x !== null);
      return aggregate === 'max' ? (known.length ? Math.max(...known) : null) : median(v);
    };
    const b = values('baseline', def.key);
    const p = values('parley', def.key);
    const baseline = combine(b);
    const parley = combine(p);
    return {
      key: def.key,
      label: def.label,
      unit: def.unit,
      aggregate,
      baseline,
      parley,
      ratio: def.ratio === false ? null : ratio(parley, baseline),
      runs: { baseline: b, parley: p },
    };
  });
  const failedRuns = mine.filter((r) => r.error !== null).length;
  const targets = scenario.targets.map((t): TargetResult => {
    const m = metrics.find((x) => x.key === t.metric);
    const value = (t.on === 'ratio' ? m?.ratio : m?.parley) ?? null;
    const met = failedRuns === 0 && value !== null && (t.op === '>=' ? value >= t.threshold : value <= t.threshold);
    return { ...t, scenario: scenario.name, value, met };
  });
  return { name: scenario.name, title: scenario.title, failedRuns, metrics, targets };
}

const targetLine = (t: TargetResult) =>
  `${t.met ? 'MET ' : 'MISSED'} ${t.scenario}: ${t.label} — ${t.on === 'ratio' ? 'ratio' : 'Parley'} ${fmt(t.value)}`;

function pad(cells: string[][]): string {
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  return cells.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

export function renderText(summaries: ScenarioSummary[], targetsApply = true): string {
  const out: string[] = [];
  for (const s of summaries) {
    out.push('', `== ${s.title}${s.failedRuns ? `  (${s.failedRuns} run(s) FAILED)` : ''}`);
    const rows = s.metrics.map((m) => [`${m.label} (${m.unit})${m.aggregate === 'max' ? ' [worst]' : ''}`, fmt(m.baseline), fmt(m.parley), m.ratio === null ? '' : `${fmt(m.ratio)}×`]);
    out.push(pad([['metric', 'baseline', 'parley', 'ratio'], ...rows]));
  }
  const targets = summaries.flatMap((s) => s.targets);
  if (!targetsApply) out.push('', 'Targets: not evaluated (the sizes are not those the targets are stated for).');
  else if (targets.length) out.push('', 'Targets (medians over runs):', ...targets.map((t) => `  ${targetLine(t)}`));
  return out.join('\n');
}

/** Successful runs per server of a scenario (idle-50k runs fewer than the profile's count). */
const runsOf = (s: ScenarioSummary) => Math.max(0, ...s.metrics.map((m) => Math.max(m.runs.baseline.length, m.runs.parley.length)));

export function renderMarkdown(
  summaries: ScenarioSummary[],
  meta: { command: string; date: string; machine: string; profile: string; runs: number; pinned: boolean; openFiles?: number },
): string {
  const out = [
    '# Parley benchmark results',
    '',
    'Parley (embedded SQLite in WAL mode, every message committed and its WAL fdatasync\'ed before its ack) against a bare',
    'Socket.IO 4.8 relay (`bench/baseline-server.ts`), driven by the same `socket.io-client` load generators in the',
    'same invocation. Only the ratios are comparable between machines. See `bench/README.md` for what each scenario does.',
    '',
    `- command: \`${meta.command}\``,
    `- date: ${meta.date}`,
    `- machine: ${meta.machine}`,
    `- profile: ${meta.profile}, ${meta.runs} runs per server, alternating; figures are medians (counts marked *worst* are the worst run)`,
    `- pinning: ${meta.pinned ? 'server on core 0, load generators and runner on core 1 (taskset)' : 'none (taskset unavailable)'}`,
    ...(meta.openFiles ? [`- open files per server and load generator: ${meta.openFiles.toLocaleString('en-US')}`] : []),
    '',
    'What each figure means, and why a missed target is missed: [README](README.md#reading-the-results).',
    '',
    '## Targets',
    '',
    '| scenario | target | value | met |',
    '|---|---|---|---|',
    ...summaries.flatMap((s) => s.targets.map((t) => `| ${s.name} | ${t.label} | ${t.on === 'ratio' ? 'ratio ' : ''}${fmt(t.value)} | ${t.met ? 'yes' : '**no**'} |`)),
  ];
  for (const s of summaries) {
    out.push('', `## ${s.title}`, '');
    if (runsOf(s) !== meta.runs) out.push(`${runsOf(s)} run(s) per server.`, '');
    out.push('| metric | baseline | Parley | ratio |', '|---|---:|---:|---:|');
    for (const m of s.metrics) {
      out.push(`| ${m.label} (${m.unit})${m.aggregate === 'max' ? ' *worst*' : ''} | ${fmt(m.baseline)} | ${fmt(m.parley)} | ${m.ratio === null ? '' : `${fmt(m.ratio)}×`} |`);
    }
    if (s.failedRuns) out.push('', `${s.failedRuns} run(s) failed; see the JSON.`);
  }
  return `${out.join('\n')}\n`;
}
