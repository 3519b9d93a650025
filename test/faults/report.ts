// Prints a scenario's figures as a table, keeps them in test-results/faults/<id>.json for the
// run's summary (summary.ts), and asserts the zeros with soft expectations, so one run shows
// every figure that is off, each with its evidence.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { sample } from './checker.ts';
import type { Conclusion } from './conclude.ts';
import type { Profile } from './profile.ts';

export const RESULTS_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'faults');

export interface ScenarioResult {
  id: string;
  title: string;
  profile: Profile['name'];
  passed: boolean;
  durationMs: number;
  /** The table's cells. */
  row: Record<string, string>;
  /** What failed, with evidence. */
  failures: string[];
  /** Scenario-specific figures and evidence (nginx statuses, exit codes, log lines). */
  notes: string[];
}

export const COLUMNS = ['written', 'acked', 'lost', 'dup', 'reord', 'gaps', 'wrong ack', 'stale views', 'send errors', 'delivery p99 / max', 'catch-up', 'longest outage', 'presence'] as const;

const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'never');

export function rowOf(c: Conclusion): Record<string, string> {
  const f = c.figures;
  const p = c.presence;
  const errors = Object.entries(f.ackErrors).map(([code, n]) => `${n} ${code}`).join(', ') || '0';
  const o = f.longestOutage;
  return {
    written: String(f.written),
    acked: String(f.acked),
    lost: String(f.lost),
    dup: String(f.duplicated),
    reord: String(f.reordered),
    gaps: String(f.gaps),
    'wrong ack': String(f.wrongAcks),
    'stale views': String(c.staleViews.length),
    'send errors': errors,
    'delivery p99 / max': `${s(f.deliveryMs.p99)} / ${s(f.deliveryMs.max)}`,
    'catch-up': s(f.catchUpMs),
    'longest outage': o ? `${s(o.ms)} (${o.client}, ${o.via})` : '0',
    presence: p.total === 0 ? 'no flicker' : `${p.falseLeaves.length} false leave, ${p.doubleJoins.length} double join, ${p.staleAbsent.length} stale, ${p.miscounted.length} miscounted`,
  };
}

export function table(rows: Array<{ name: string; row: Record<string, string> }>, columns: readonly string[] = COLUMNS): string {
  const head = ['scenario', ...columns];
  const lines = rows.map((r) => [r.name, ...columns.map((c) => r.row[c] ?? '')]);
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l.join(' | ')} |`)].join('\n');
}

export interface Bounds {
  /** The longest a client may be down (disconnect → reconnected and caught up). */
  outageMs: number;
}

/**
 * Asserts the zeros and the bounds; returns the failures as sentences (also written to the result).
 */
export function assertConclusion(c: Conclusion, bounds: Bounds): string[] {
  const f = c.figures;
  const d = f.detail;
  const p = c.presence;
  const failures: string[] = [];
  const soft = (ok: boolean, text: string) => {
    expect.soft(ok, text).toBe(true);
    if (!ok) failures.push(text);
  };
  soft(f.written > 0 && f.acked > 0, `traffic ran: ${f.written} written, ${f.acked} acked`);
  soft(f.lost === 0, `lost ${f.lost}: acked but not stored ${sample(d.notStored)}; written, never stored ${d.unsent.length} ${sample(d.unsent)}; stored but not delivered ${d.undelivered.length} ${sample(d.undelivered)}`);
  soft(f.duplicated === 0, `duplicated ${f.duplicated}: clientIds stored twice ${sample(d.storedTwice)}; received twice on one connection ${sample(d.receivedTwice)}`);
  soft(f.reordered === 0, `reordered ${f.reordered}: ${sample(d.reordered)}`);
  soft(f.gaps === 0, `gaps ${f.gaps}: in the database ${sample(d.dbGaps)}; in final views ${sample(d.viewGaps)}`);
  soft(f.wrongAcks === 0, `wrong acks ${f.wrongAcks}: ${sample(d.wrongAcks)}`);
  soft(c.staleViews.length === 0, `[VIEW1] ${c.staleViews.length} views whose conversation (status, agent) is not the database's at the end: ${sample(c.staleViews, 3)}`);
  soft(c.refused === 0, `${c.refused} messages refused for good (the person must edit them)`);
  const o = f.longestOutage;
  soft(!o || o.ms <= bounds.outageMs, `longest outage ${o ? `${s(o.ms)} (${o.client}, ${o.via}, from t=${s(o.from)})` : 0} within ${s(bounds.outageMs)}`);
  soft(p.falseLeaves.length === 0, `[FLICKER1] ${p.falseLeaves.length} false leave/offline: ${sample(p.falseLeaves)}`);
  soft(p.doubleJoins.length === 0, `[FLICKER2] ${p.doubleJoins.length} double join/online: ${sample(p.doubleJoins)}`);
  soft(p.staleAbsent.length === 0, `[FLICKER3] ${p.staleAbsent.length} connected participants shown absent at the end: ${sample(p.staleAbsent)}`);
  soft(p.miscounted.length === 0, `[FLICKER3] ${p.miscounted.length} people miscounted by online:get at the end: ${sample(p.miscounted)}`);
  return failures;
}

export function saveResult(result: ScenarioResult): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${result.id}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const lines = [
    '',
    `── ${result.title} [${result.profile}] ${result.passed ? 'PASS' : 'FAIL'} in ${s(result.durationMs)}`,
    table([{ name: result.id, row: result.row }]),
    ...result.notes.map((n) => `  · ${n}`),
    ...result.failures.map((f) => `  ✗ ${f}`),
  ];
  console.log(lines.join('\n'));
}

export { s as seconds };
