// `npm run bench`: Parley against a bare Socket.IO relay, scenario by
// scenario, alternating the two servers run after run, then medians, ratios
// and targets as a table on stdout and JSON in bench/results/. Every child
// process is killed at the end, also on failure or Ctrl-C.
//
// Flags: --full | --smoke (profile; quick by default), --runs N, --only a,b,
// --kinds parley, --out FILE, --markdown FILE, --cpu-prof, --no-pin, --strict.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createProcessGroup, pinProcess } from './lib/processes.ts';
import { within } from './lib/stats.ts';
import { spawnGenerators } from './runner/generators.ts';
import { type RunRecord, renderMarkdown, renderText, summarize } from './runner/report.ts';
import { saturationScenario, steadyScenario, pollingScenario } from './scenarios/chat.ts';
import { claimsScenario } from './scenarios/claims.ts';
import { idleScenario } from './scenarios/idle.ts';
import { overloadScenario } from './scenarios/overload.ts';
import { PROFILES, type Profile } from './scenarios/profiles.ts';
import type { Scenario, ScenarioName } from './scenarios/types.ts';
import { createSingleNodeTopology } from './topology/single-node.ts';
import { type Deployment, SERVER_KINDS, type ServerKind } from './topology/topology.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SCENARIOS: Record<ScenarioName, (p: Profile) => Scenario> = {
  saturation: saturationScenario,
  steady: steadyScenario,
  idle: idleScenario,
  claims: claimsScenario,
  polling: pollingScenario,
  overload: overloadScenario,
};
/** No single run may take longer than this, whatever happens inside it. */
const RUN_TIMEOUT_MS = 5 * 60_000;

/** Where the sections of RESULTS.md that other benchmarks write begin. */
const REPORTS_MARK = '<!-- bench:reports -->';

const { values: args } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    kinds: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench/results/latest.json') },
    markdown: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  process.stdout.write(`usage: npm run bench -- [--full|--smoke] [--runs N] [--only ${Object.keys(SCENARIOS).join(',')}]
  [--kinds baseline,parley] [--out FILE] [--markdown FILE] [--cpu-prof] [--no-pin] [--strict]\n`);
  process.exit(0);
}

const profile = PROFILES[args.smoke ? 'smoke' : args.full ? 'full' : 'quick'];
const runs = args.runs ? Number(args.runs) : profile.runs;
const runsOf = (s: Scenario) => (args.runs ? runs : (s.runs ?? profile.runs));
const names = (args.only ? args.only.split(',') : Object.keys(SCENARIOS)) as ScenarioName[];
const kinds = (args.kinds ? args.kinds.split(',') : SERVER_KINDS) as ServerKind[];
for (const n of names) if (!(n in SCENARIOS)) throw new Error(`unknown scenario ${n}`);
for (const k of kinds) if (!SERVER_KINDS.includes(k)) throw new Error(`unknown server kind ${k}`);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
const scenarios = names.map((n) => SCENARIOS[n](profile));

const log = (line: string) => process.stdout.write(`${line}\n`);
const group = createProcessGroup();
const pinned = group.pinning && !args['no-pin'];
const serverCore = pinned ? 0 : null;
const loadCore = pinned ? 1 : null;
// The runner only coordinates, but keep it off the server's core too.
if (pinned) pinProcess(process.pid, 1);

const topology = createSingleNodeTopology({ group, root: ROOT, serverCore, log });
// Whatever happens, no server or load generator outlives the runner (short of SIGKILL: load
// generators then exit on their own when their IPC channel closes; servers cannot notice).
process.on('exit', () => group.killAll());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`\n${signal}: stopping every child process`);
    topology.abandon();
    process.exit(130);
  });
}
const records: RunRecord[] = [];
const started = Date.now();
const fmtMetrics = (s: Scenario, m: Record<string, number | null>) =>
  s.metrics
    .slice(0, 3)
    .map((d) => `${d.key}=${m[d.key] === null ? '—' : Number(m[d.key]!.toPrecision(4))}`)
    .join(' ');

async function runOne(scenario: Scenario, kind: ServerKind, run: number): Promise<void> {
  const t0 = Date.now();
  const name = `${scenario.name} #${run + 1} ${kind.padEnd(8)}`;
  const cpuProfileDir = args['cpu-prof'] ? join(ROOT, 'bench/results/profiles') : undefined;
  const fail = (message: string, output = '') => {
    records.push({ scenario: scenario.name, kind, run, metrics: null, error: message, durationMs: Date.now() - t0 });
    log(`  ${name} FAILED: ${message}${output ? `\n  server output (tail):\n${output.slice(-2000)}` : ''}`);
  };
  let deployment: Deployment;
  try {
    deployment = await topology.deploy(kind, { cpuProfileDir });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const generators = spawnGenerators(group, { count: scenario.generators, core: loadCore, root: ROOT });
  try {
    const window = {
      begin: async () => deployment.profiler?.start(),
      end: async () => {
        if (deployment.profiler) log(`  profile: ${await deployment.profiler.stop(`${scenario.name}-${kind}-${run + 1}`)}`);
      },
    };
    const running = scenario.run({ kind, deployment, generators, window, log });
    // After a timeout it still settles (its generators are stopped below): that is not news.
    running.catch(() => {});
    const metrics = await within(running, RUN_TIMEOUT_MS, `${scenario.name} run`);
    records.push({ scenario: scenario.name, kind, run, metrics, error: null, durationMs: Date.now() - t0 });
    log(`  ${name} ${fmtMetrics(scenario, metrics)}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err), deployment.output());
  } finally {
    await generators.close();
    await deployment.stop();
  }
}

async function main(): Promise<number> {
  const needs = {
    visitors: Math.max(...scenarios.map((s) => s.needs.visitors)),
    agents: Math.max(...scenarios.map((s) => s.needs.agents)),
  };
  log(`Parley bench: profile ${profile.name}, ${runs} run(s) per server, scenarios ${names.join(', ')}; ${pinned ? 'server on core 0, load on core 1' : 'not pinned'}`);
  await topology.prepare(needs, kinds);
  for (const scenario of scenarios) {
    log(`${scenario.title}`);
    for (let run = 0; run < runsOf(scenario); run++) {
      // Alternate which server goes first, so drift on a shared machine hits both alike.
      const order = run % 2 === 0 ? kinds : [...kinds].reverse();
      for (const kind of order) await runOne(scenario, kind, run);
    }
  }
  const summaries = scenarios.map((s) => summarize(s, records));
  const targetsApply = profile.name !== 'smoke';
  log(renderText(summaries, targetsApply));
  const seconds = (Date.now() - started) / 1000;
  log(`\nfinished in ${seconds.toFixed(0)} s`);

  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}`;
  const meta = { command, date: new Date().toISOString(), machine, profile: profile.name, runs, pinned, targetsApply };
  mkdirSync(dirname(args.out!), { recursive: true });
  writeFileSync(args.out!, `${JSON.stringify({ ...meta, durationS: seconds, topology: topology.name, summaries, records }, null, 2)}\n`);
  log(`JSON: ${args.out}`);
  if (args.markdown) {
    // What other benchmarks recorded below REPORTS_MARK (npm run bench:reports, bench:store:pg) is kept.
    const previous = existsSync(args.markdown) ? readFileSync(args.markdown, 'utf8') : '';
    const kept = previous.includes(REPORTS_MARK) ? `\n${previous.slice(previous.indexOf(REPORTS_MARK))}` : '';
    writeFileSync(args.markdown, renderMarkdown(summaries, meta) + kept);
    log(`Markdown: ${args.markdown}`);
  }
  if (records.some((r) => r.error !== null)) return 1;
  if (args.strict && targetsApply && summaries.some((s) => s.targets.some((t) => !t.met))) return 2;
  return 0;
}

main()
  .catch((err: unknown) => {
    log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  })
  .then(async (code) => {
    await topology.close().catch(() => {});
    group.killAll();
    process.exit(code);
  });
