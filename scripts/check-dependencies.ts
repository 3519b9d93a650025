// The dependency policy, run by CI (`npm run check:deps`):
// 1. package-lock.json holds no copy of a package below the release that fixed a known advisory
//    against it (the list below: raise a minimum when an advisory lands);
// 2. `npm audit --omit=dev` finds no high or critical advisory — when the registry's audit service
//    answers. Where it cannot be reached the check says so and does not fail the build: the
//    lockfile minimums still hold.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Package → the lowest version without a known advisory that concerns Parley. */
export const MINIMUM_VERSIONS: Record<string, string> = {
  // Socket.IO stack: parser crashes, attachment-count memory exhaustion (2026 advisories).
  'engine.io': '6.6.13',
  'socket.io-parser': '4.2.7',
  'socket.io-adapter': '2.5.9',
  // ws: tiny-fragment floods; 8.23.0 caps pending automatic pongs (ping floods).
  ws: '8.23.0',
  express: '5.0.0',
  // cookie: out-of-bounds characters in name, path and domain (CVE-2024-47764).
  cookie: '0.7.0',
  // path-to-regexp: backtracking patterns (CVE-2024-45296, CVE-2024-52798).
  'path-to-regexp': '8.0.0',
  // nodemailer (email follow-up and transcripts): mail sent to an unintended domain through a
  // crafted address (GHSA-mm7p-fcc7-pg87, fixed 7.0.7); addressparser recursion DoS (fixed 7.0.11).
  nodemailer: '7.0.11',
};

function below(version: string, minimum: string): boolean {
  const a = version.split(/[.-]/).map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) < (b[i] || 0);
  return false;
}

/** Every copy in the lockfile below its minimum, as `path@version < minimum`. */
export function lockfileViolations(lock: { packages?: Record<string, { version?: string }> }, minimums = MINIMUM_VERSIONS): string[] {
  const out: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const minimum = minimums[name];
    if (minimum && entry.version && below(entry.version, minimum)) out.push(`${path}@${entry.version} < ${minimum}`);
  }
  return out;
}

type AuditResult = { ran: false; why: string } | { ran: true; high: number; critical: number };

export function runAudit(cwd: string): AuditResult {
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd, encoding: 'utf8', timeout: 120_000 });
  let report: { metadata?: { vulnerabilities?: Record<string, number> }; message?: string; error?: { summary?: string } };
  try {
    report = JSON.parse(run.stdout);
  } catch {
    return { ran: false, why: (run.stderr || run.error?.message || 'no answer').trim().split('\n')[0] };
  }
  const counts = report.metadata?.vulnerabilities;
  if (!counts) return { ran: false, why: report.message ?? report.error?.summary ?? 'the audit service gave no report' };
  return { ran: true, high: counts.high ?? 0, critical: counts.critical ?? 0 };
}

function main(): void {
  const root = join(import.meta.dirname, '..');
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const violations = lockfileViolations(lock);
  let failed = false;
  if (violations.length) {
    failed = true;
    console.error(`dependency policy: versions below a security fix in package-lock.json:\n  ${violations.join('\n  ')}`);
  } else {
    console.log(`dependency policy: lockfile minimums hold (${Object.keys(MINIMUM_VERSIONS).join(', ')})`);
  }
  const audit = runAudit(root);
  if (!audit.ran) {
    console.log(`dependency policy: npm audit could not run (${audit.why}); lockfile minimums only`);
  } else if (audit.high + audit.critical > 0) {
    failed = true;
    console.error(`dependency policy: npm audit --omit=dev found ${audit.critical} critical and ${audit.high} high advisories (run \`npm audit --omit=dev\`)`);
  } else {
    console.log('dependency policy: npm audit --omit=dev found no high or critical advisory');
  }
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] === import.meta.filename) main();
