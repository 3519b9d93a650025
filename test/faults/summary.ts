// vitest globalSetup of the fault suite: forgets the last run's results, and at the end prints one
// table of every scenario's figures. FAULTS_UPDATE_DOCS=1 also writes it into docs/faults.md
// (between the results markers), so the documented figures come from a real run.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COLUMNS, RESULTS_DIR, type ScenarioResult, table } from './report.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'faults.md');
const START = '<!-- faults:results:start -->';
const END = '<!-- faults:results:end -->';
/** The order of docs/faults.md. */
const ORDER = ['kill-node', 'rolling-restart', 'redis-restart', 'redis-pause', 'postgres-restart', 'sqlite-kill', 'claim-storm', 'tab-reload'];

export function summaryOf(results: ScenarioResult[], when: string): string {
  results.sort((a, b) => (ORDER.indexOf(a.id) + 1 || 99) - (ORDER.indexOf(b.id) + 1 || 99));
  const rows = results.map((r) => ({ name: `${r.id} ${r.passed ? '✅' : '❌'}`, row: r.row }));
  const failures = results.flatMap((r) => r.failures.map((f) => `- **${r.id}**: ${f}`));
  const notes = results.flatMap((r) => r.notes.map((n) => `- ${r.id}: ${n}`));
  return [
    `Profile \`${results[0]?.profile ?? '?'}\`, ${when}.`,
    '',
    table(rows, COLUMNS),
    '',
    failures.length ? `Failures:\n\n${failures.join('\n')}` : 'Every assertion held.',
    '',
    `<details><summary>Evidence per scenario</summary>\n\n${notes.join('\n')}\n\n</details>`,
  ].join('\n');
}

/** The commit the run tested, `+` when the tree had changes. */
function commit(): string {
  try {
    const run = (...args: string[]) => execFileSync('git', args, { cwd: join(import.meta.dirname, '..', '..'), encoding: 'utf8' }).trim();
    return `${run('rev-parse', '--short', 'HEAD')}${run('status', '--porcelain', '--', 'server', 'client', 'test', 'docs/nginx.conf') ? '+' : ''}`;
  } catch {
    return 'unknown';
  }
}

export default function setup(): () => void {
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  return () => {
    if (!existsSync(RESULTS_DIR)) return;
    const results = readdirSync(RESULTS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')) as ScenarioResult);
    if (!results.length) return;
    const summary = summaryOf(results, `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit()}`);
    writeFileSync(join(RESULTS_DIR, 'summary.md'), `${summary}\n`);
    console.log(`\nFault suite summary (test-results/faults/summary.md)\n\n${summary}\n`);
    if (process.env.FAULTS_UPDATE_DOCS === '1' && existsSync(DOCS)) {
      const doc = readFileSync(DOCS, 'utf8');
      const from = doc.indexOf(START);
      const to = doc.indexOf(END);
      if (from >= 0 && to > from) writeFileSync(DOCS, `${doc.slice(0, from + START.length)}\n${summary}\n${doc.slice(to)}`);
    }
  };
}
