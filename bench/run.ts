// `npm run bench`: Parley against a bare Socket.IO relay, scenario by
// scenario, alternating the two servers run after run, then medians, ratios
// and targets as a table on stdout and JSON in bench/results/. Every child
// process is killed at the end, also on failure or Ctrl-C.
//
// Flags: --full | --smoke (profile; quick by default), --runs N, --only a,b, --conversations N, --parley-env K=V,
// --pg-no-fsync, --kinds parley, --out FILE, --markdown FILE, --cpu-prof, --heap-prof, --alloc-prof, --no-pin, --strict.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createProcessGroup, pinProcess } from './lib/processes.ts';
import { within } from './lib/stats.ts';
import { spawnGenerators } from './runner/generators.ts';
import { type RunRecord, renderMarkdown, renderText, summarize } from './runner/report.ts';
import { clusterSaturationScenario, clusterSteadyScenario, pollingScenario, saturationScenario, steadyScenario } from './scenarios/chat.ts';
import { claimsScenario } from './scenarios/claims.ts';
import { idle50kScenario, idleScenario } from './scenarios/idle.ts';
import { overloadScenario } from './scenarios/overload.ts';
import { PROFILES, type Profile } from './scenarios/profiles.ts';
import type { Scenario, ScenarioEnv, ScenarioName, TopologyName } from './scenarios/types.ts';
import { createClusterTopology } from './topology/cluster.ts';
import { createSingleNodeTopology } from './topology/single-node.ts';
import { type Deployment, SERVER_KINDS, type ServerKind, type Topology } from './topology/topology.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SCENARIOS: Record<ScenarioName, (p: Profile, env: ScenarioEnv) => Scenario> = {
  saturation: saturationScenario,
  steady: steadyScenario,
  idle: idleScenario,
  claims: claimsScenario,
  polling: pollingScenario,
  'idle-50k': idle50kScenario,
  'cluster-saturation': clusterSaturationScenario,
  'cluster-steady': clusterSteadyScenario,
  overload: overloadScenario,
};
/** Open files wanted for every server and load generator: idle-50k holds 55,000 connections in one server. */
const WANTED_FILES = 65_536;
/** No single run may take longer than this, whatever happens inside it. */
const RUN_TIMEOUT_MS = 5 * 60_000;

/** Where the sections of RESULTS.md that other benchmarks write begin. */
const REPORTS_MARK = '<!-- bench:reports -->';

const { values: args } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    runs: { type: 'string' },
    conversations: { type: 'string' },
    'parley-env': { type: 'string' },
    'pg-no-fsync': { type: 'boolean', default: false },
    only: { type: 'string' },
    kinds: { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench/results/latest.json') },
    markdown: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'heap-prof': { type: 'boolean', default: false },
    'alloc-prof': { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  process.stdout.write(`usage: npm run bench -- [--full|--smoke] [--runs N] [--only ${Object.keys(SCENARIOS).join(',')}]
  [--kinds baseline,parley] [--conversations N] [--parley-env K=V,…] [--pg-no-fsync] [--out FILE] [--markdown FILE] [--cpu-prof|--heap-prof|--alloc-prof] [--no-pin] [--strict]\n`);
  process.exit(0);
}

const chosen = PROFILES[args.smoke ? 'smoke' : args.full ? 'full' : 'quick'];
// --conversations N: the steady scenarios' size (steady, polling, cluster-steady), e.g. to find
// the rate a deployment sustains; the targets are stated for the profile's own sizes.
const conversations = args.conversations ? Number(args.conversations) : null;
if (conversations !== null && (!Number.isInteger(conversations) || conversations < 1)) throw new Error('--conversations must be a positive whole number');
const profile: Profile =
  conversations === null
    ? chosen
    : {
        ...chosen,
        steady: { ...chosen.steady, conversations },
        polling: { ...chosen.polling, conversations },
        clusterSteady: { ...chosen.clusterSteady, conversations },
      };
const runsFlag = args.runs ? Number(args.runs) : null;
const names = (args.only ? args.only.split(',') : Object.keys(SCENARIOS)) as ScenarioName[];
const kinds = (args.kinds ? args.kinds.split(',') : SERVER_KINDS) as ServerKind[];
for (const n of names) if (!(n in SCENARIOS)) throw new Error(`unknown scenario ${n}`);
for (const k of kinds) if (!SERVER_KINDS.includes(k)) throw new Error(`unknown server kind ${k}`);
if (runsFlag !== null && (!Number.isInteger(runsFlag) || runsFlag < 1)) throw new Error('--runs must be a positive whole number');
const runs = runsFlag ?? profile.runs;
/** Runs per server of a scenario: --runs, else the scenario's own count, else the profile's. */
const runsOf = (s: Scenario) => runsFlag ?? s.runs ?? profile.runs;

const log = (line: string) => process.stdout.write(`${line}\n`);
const group = createProcessGroup(WANTED_FILES);
const scenarios = names.map((n) => SCENARIOS[n](profile, { files: group.files }));
const pinned = group.pinning && !args['no-pin'];
const serverCore = pinned ? 0 : null;
const loadCore = pinned ? 1 : null;
// The runner only coordinates, but keep it off the server's core too.
if (pinned) pinProcess(process.pid, 1);

// Each topology the chosen scenarios need, created once (the cluster's starts Redis and PostgreSQL).
// --parley-env K=V,K=V: more environment for every Parley process (e.g. DATABASE_POOL_SIZE=4), to
// compare configurations; the bench's own settings (database, limits off) cannot be overridden.
const parleyEnv: Record<string, string> = {};
for (const pair of args['parley-env'] ? args['parley-env'].split(',') : []) {
  const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
  if (!m) throw new Error(`--parley-env: ${pair} is not KEY=VALUE`);
  parleyEnv[m[1]] = m[2];
}
const topologies = new Map<TopologyName, Topology>();
for (const s of scenarios) {
  const name = s.topology ?? 'single';
  if (topologies.has(name)) continue;
  topologies.set(
    name,
    name === 'cluster'
      ? createClusterTopology({ group, root: ROOT, serverCore, log, parleyEnv, durable: !args['pg-no-fsync'] })
      : createSingleNodeTopology({ group, root: ROOT, serverCore, log, parleyEnv }),
  );
}
const topologyOf = (s: Scenario) => topologies.get(s.topology ?? 'single')!;
// Whatever happens, no server or load generator outlives the runner (short of SIGKILL: load
// generators then exit on their own when their IPC channel closes; servers cannot notice).
process.on('exit', () => group.killAll());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`\n${signal}: stopping every child process`);
    for (const t of topologies.values()) t.abandon();
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
  const cpuProfileDir = args['cpu-prof'] || args['heap-prof'] || args['alloc-prof'] ? join(ROOT, 'bench/results/profiles') : undefined;
  const profile = args['alloc-prof'] ? 'alloc' : args['heap-prof'] ? 'heap' : 'cpu';
  const fail = (message: string, output = '') => {
    records.push({ scenario: scenario.name, kind, run, metrics: null, error: message, durationMs: Date.now() - t0 });
    log(`  ${name} FAILED: ${message}${output ? `\n  server output (tail):\n${output.slice(-2000)}` : ''}`);
  };
  let deployment: Deployment;
  try {
    deployment = await topologyOf(scenario).deploy(kind, { cpuProfileDir, profile });
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
  log(`Parley bench: profile ${profile.name}, ${runs} run(s) per server${runsFlag === null ? ' (some scenarios: their own count)' : ''}, scenarios ${names.join(', ')}; ${pinned ? 'server on core 0, load on core 1' : 'not pinned'}`);
  const files = group.files;
  log(`open files per server and load generator: ${files.limit.toLocaleString('en-US')}${files.raised ? ' (raised with prlimit)' : files.limit < WANTED_FILES ? ` (${WANTED_FILES.toLocaleString('en-US')} wanted; raising the hard limit needs CAP_SYS_RESOURCE — see bench/README.md)` : ''}`);
  // Side by side: seeding is not measured, and each mostly waits for scrypt or for its database.
  await Promise.all(
    [...topologies].map(([name, topology]) => {
      const mine = scenarios.filter((s) => (s.topology ?? 'single') === name);
      return topology.prepare(
        { visitors: Math.max(...mine.map((s) => s.needs.visitors)), agents: Math.max(...mine.map((s) => s.needs.agents)) },
        kinds,
      );
    }),
  );
  for (const scenario of scenarios) {
    log(`${scenario.title}`);
    for (let run = 0; run < runsOf(scenario); run++) {
      // Alternate which server goes first, so drift on a shared machine hits both alike.
      const order = run % 2 === 0 ? kinds : [...kinds].reverse();
      for (const kind of order) await runOne(scenario, kind, run);
    }
  }
  const summaries = scenarios.map((s) => summarize(s, records));
  // The targets are stated for the profile's sizes: not for a tiny profile, nor another --conversations.
  const targetsApply = profile.name !== 'smoke' && conversations === null;
  log(renderText(summaries, targetsApply));
  const seconds = (Date.now() - started) / 1000;
  log(`\nfinished in ${seconds.toFixed(0)} s`);

  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}`;
  const meta = { command, date: new Date().toISOString(), machine, profile: profile.name, runs, pinned, targetsApply, openFiles: group.files.limit };
  mkdirSync(dirname(args.out!), { recursive: true });
  writeFileSync(args.out!, `${JSON.stringify({ ...meta, durationS: seconds, topologies: [...topologies.keys()], summaries, records }, null, 2)}\n`);
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
    for (const t of topologies.values()) await t.close().catch(() => {});
    group.killAll();
    process.exit(code);
  });
