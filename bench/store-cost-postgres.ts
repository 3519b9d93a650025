// `npm run bench:store:pg`: what storing messages costs the PostgreSQL store,
// apart from any socket: appends/s, latency and CPU per message at several
// concurrencies, from one node (one PostgresStore, one pool) and from two
// (two stores on one database, as two Parley nodes), against a PostgreSQL
// started here with production durability (fsync, synchronous_commit=on,
// full_page_writes), or the one given by --url.
//
// Each cell is closed loop: `concurrency` senders (split across the nodes),
// each appending to a random one of 2,000 active conversations (half as the
// visitor, half as the agent) and sending the next once the last is acked,
// for --seconds after a short warm-up. CPU is this process's (both nodes) and,
// when the server was started here, PostgreSQL's (every backend).
//
// --baseline DIR measures another checkout's PostgresStore (DIR/server/store/
// postgres/postgres-store.ts) in the same run, on the same server, alternating
// which goes first in every cell: the way to compare before and after a change.
// Flags: --concurrency 1,8,64,256 --nodes 1,2 --seconds 3 --rounds 2
// --conversations 2000 --pool N (each store's default when unset) --batches N (append batches
// in flight per node; this store's default when unset) --url URL --json.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { newClientId } from '../client/lib/ids.ts';
import { createLogger } from '../server/logger.ts';
import type { Store } from '../server/store/store.ts';
import { startPostgres } from '../test/helpers/services.ts';

const { values: args } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '1,8,64,256' },
    nodes: { type: 'string', default: '1,2' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    conversations: { type: 'string', default: '2000' },
    pool: { type: 'string' },
    batches: { type: 'string' },
    url: { type: 'string' },
    baseline: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function positiveInts(name: string, v: string): number[] {
  const list = v.split(',').map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--${name} must be positive whole numbers, comma-separated`);
  return list;
}
const CONCURRENCY = positiveInts('concurrency', args.concurrency);
const NODES = positiveInts('nodes', args.nodes);
const [SECONDS] = positiveInts('seconds', args.seconds);
const [ROUNDS] = positiveInts('rounds', args.rounds);
const [CONVERSATIONS] = positiveInts('conversations', args.conversations);
const POOL = args.pool === undefined ? undefined : positiveInts('pool', args.pool)[0];
const BATCHES = args.batches === undefined ? undefined : positiveInts('batches', args.batches)[0];
const WARMUP_MS = 500;
const body = `${(123456.789).toFixed(3)} ${'x'.repeat(48)}`;
// Log lines go to stderr: with --json, stdout carries the figures and nothing else.
const logger = createLogger('warn', process.stderr);

type OpenStore = (url: string, opts: { poolSize?: number; appendBatches?: number; logger: typeof logger }) => Promise<Store>;
interface Impl {
  name: string;
  open: OpenStore;
  url: string;
}

async function loadImpl(name: string, root: string): Promise<OpenStore> {
  const mod = (await import(pathToFileURL(join(root, 'server/store/postgres/postgres-store.ts')).href)) as { openPostgresStore: OpenStore };
  if (typeof mod.openPostgresStore !== 'function') throw new Error(`${name}: no openPostgresStore in ${root}`);
  return mod.openPostgresStore;
}

/** Migrates a fresh database with the implementation's own migrations and seeds active conversations, in bulk. */
async function seed(open: OpenStore, url: string): Promise<{ agent: { id: string; name: string }; conversations: Array<{ id: string; visitorId: string }> }> {
  const store = await open(url, { poolSize: 2, logger });
  await store.migrate();
  await store.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const now = Date.now();
    const agent = { id: 'bench-agent', name: 'Agent' };
    await client.query(`INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES ($1, 'bench@example.com', $2, 'agent', 'unused', $3)`, [agent.id, agent.name, now]);
    await client.query(
      `INSERT INTO visitors (id, name, created_at) SELECT 'v' || i, 'Visitor ' || i, $2 FROM generate_series(1, $1) i`,
      [CONVERSATIONS, now],
    );
    await client.query(
      `INSERT INTO conversations (id, visitor_id, visitor_name, status, agent_id, agent_name, last_seq, queued_at, created_at)
       SELECT 'c' || lpad(i::text, 6, '0'), 'v' || i, 'Visitor ' || i, 'active', $2, $3, 0, $4, $4 FROM generate_series(1, $1) i`,
      [CONVERSATIONS, agent.id, agent.name, now],
    );
    const { rows } = await client.query<{ id: string; visitor_id: string }>('SELECT id, visitor_id FROM conversations ORDER BY id');
    return { agent, conversations: rows.map((r) => ({ id: r.id, visitorId: r.visitor_id })) };
  } finally {
    await client.end();
  }
}

/** utime + stime of a process and its children (PostgreSQL's postmaster and backends), in µs; null if unknown. */
function treeCpuMicros(rootPid: number | null): number | null {
  if (rootPid === null) return null;
  const tick = 1e6 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    const ppid = Number(fields[1]);
    if (pid === rootPid || ppid === rootPid) total += (Number(fields[11]) + Number(fields[12])) * tick;
  }
  return total;
}

/** The postmaster listening on `port` (its command line has `-p PORT`). */
function postmasterPid(port: number): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[0].endsWith('postgres') && argv.includes('-p') && argv[argv.indexOf('-p') + 1] === String(port)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

interface Cell {
  perSecond: number;
  p50: number;
  p99: number;
  /** This process's CPU per append, µs. */
  cpu: number;
  /** PostgreSQL's CPU per append, µs (null: not known). */
  pgCpu: number | null;
}

async function measureCell(impl: Impl, seeded: Awaited<ReturnType<typeof seed>>, nodes: number, concurrency: number, pgPid: number | null): Promise<Cell> {
  const stores = await Promise.all(Array.from({ length: nodes }, () => impl.open(impl.url, { poolSize: POOL, appendBatches: BATCHES, logger })));
  const { agent, conversations } = seeded;
  let measuring = false;
  let stop = false;
  const latencies: number[] = [];
  let failures = 0;
  const worker = async (i: number) => {
    const store = stores[i % nodes];
    let n = i;
    while (!stop) {
      const c = conversations[Math.floor(Math.random() * conversations.length)];
      const clientId = newClientId();
      const t0 = performance.now();
      const createdAt = Date.now();
      const r =
        n++ % 2 === 0
          ? await store.appendVisitorMessage(c.visitorId, { clientId, body, createdAt })
          : await store.appendMessage({ conversationId: c.id, clientId, authorKind: 'agent', authorId: agent.id, authorName: agent.name, body, createdAt, assignedTo: agent.id });
      if (r.kind !== 'created') failures++;
      if (measuring) latencies.push(performance.now() - t0);
    }
  };
  const running = Array.from({ length: concurrency }, (_, i) => worker(i));
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  measuring = true;
  // The /proc scans stay outside this process's CPU window.
  const pg0 = treeCpuMicros(pgPid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const pg1 = treeCpuMicros(pgPid);
  const count = latencies.length;
  stop = true;
  await Promise.all(running);
  await Promise.all(stores.map((s) => s.close()));
  if (failures > 0) throw new Error(`${impl.name}: ${failures} appends not created`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(count - 1, Math.floor(q * count))];
  return {
    perSecond: (count * 1000) / wall,
    p50: at(0.5),
    p99: at(0.99),
    cpu: (cpu.user + cpu.system) / count,
    pgCpu: pg0 === null || pg1 === null ? null : (pg1 - pg0) / count,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const server = args.url ? null : await startPostgres({ durable: true });
// Interrupted: the PostgreSQL started here goes too (its data is a temp dir).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server?.stop().finally(() => process.exit(130));
  });
}
try {
  const serverUrl = args.url ?? server!.url;
  const pgPid = server ? postmasterPid(server.port) : null;
  const makeDb = async (name: string) => {
    if (server) return server.createDatabase(name);
    // An external server: a database per implementation next to the given one.
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const impls: Impl[] = [];
  if (args.baseline) impls.push({ name: 'baseline', open: await loadImpl('baseline', resolve(args.baseline)), url: await makeDb('bench_baseline') });
  impls.push({ name: 'this', open: await loadImpl('this', resolve(import.meta.dirname, '..')), url: await makeDb('bench_this') });
  const seeded = new Map<string, Awaited<ReturnType<typeof seed>>>();
  for (const impl of impls) seeded.set(impl.name, await seed(impl.open, impl.url));

  const runs = new Map<string, Cell[]>();
  const key = (impl: string, nodes: number, c: number) => `${impl}|${nodes}|${c}`;
  for (let round = 0; round < ROUNDS; round++) {
    for (const nodes of NODES) {
      for (const concurrency of CONCURRENCY) {
        const order = round % 2 === 0 ? impls : [...impls].reverse();
        for (const impl of order) {
          const cell = await measureCell(impl, seeded.get(impl.name)!, nodes, concurrency, pgPid);
          const k = key(impl.name, nodes, concurrency);
          runs.set(k, [...(runs.get(k) ?? []), cell]);
          if (!args.json) process.stderr.write(`round ${round + 1} ${impl.name} nodes=${nodes} c=${concurrency}: ${cell.perSecond.toFixed(0)}/s\n`);
        }
      }
    }
  }

  const figures = [...runs].map(([k, cells]) => {
    const [impl, nodes, concurrency] = k.split('|');
    const pgCpus = cells.map((c) => c.pgCpu).filter((v): v is number => v !== null);
    return {
      impl,
      nodes: Number(nodes),
      concurrency: Number(concurrency),
      perSecond: median(cells.map((c) => c.perSecond)),
      p50: median(cells.map((c) => c.p50)),
      p99: median(cells.map((c) => c.p99)),
      cpu: median(cells.map((c) => c.cpu)),
      pgCpu: pgCpus.length ? median(pgCpus) : null,
      runs: cells.length,
    };
  });
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ conversations: CONVERSATIONS, seconds: SECONDS, rounds: ROUNDS, pool: POOL ?? null, figures })}\n`);
  } else {
    const rows = [
      `PostgreSQL store, ${CONVERSATIONS.toLocaleString('en-US')} active conversations, ${SECONDS} s per cell, median of ${ROUNDS} round(s)`,
      `${'store'.padEnd(10)}${'nodes'.padStart(6)}${'conc'.padStart(6)}${'appends/s'.padStart(11)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'cpu µs'.padStart(9)}${'pg cpu µs'.padStart(11)}`,
    ];
    for (const nodes of NODES) {
      for (const concurrency of CONCURRENCY) {
        for (const f of figures.filter((x) => x.nodes === nodes && x.concurrency === concurrency)) {
          rows.push(
            `${f.impl.padEnd(10)}${String(nodes).padStart(6)}${String(concurrency).padStart(6)}${f.perSecond.toFixed(0).padStart(11)}${f.p50.toFixed(2).padStart(9)}${f.p99.toFixed(2).padStart(9)}${f.cpu.toFixed(0).padStart(9)}${(f.pgCpu === null ? '—' : f.pgCpu.toFixed(0)).padStart(11)}`,
          );
        }
      }
    }
    process.stdout.write(`${rows.join('\n')}\n`);
  }
} finally {
  await server?.stop();
}
