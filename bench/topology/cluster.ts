// Two nodes behind the shipped nginx configuration, every server-side process
// pinned to the server core: either two Parley nodes (`node server/main.ts` on
// PostgreSQL and Redis, a fresh copy of the seeded database per run) or two bare
// Socket.IO relays (bench/baseline-server.ts) on the Socket.IO Redis adapter.
// Redis and PostgreSQL are started once per invocation, the way the tests start
// them (test/helpers/services.ts: private servers on free loopback ports; this
// PostgreSQL with production durability), and Redis is emptied before each run.
// nginx has one entry point per node (bench/topology/nginx.ts): visitors connect
// through node 1's, agents through node 2's, so every message crosses Redis.
// CPU and memory are summed over the whole server side: both nodes, nginx and
// its worker, Redis, and — for Parley — the postmaster and every backend.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type PostgresServer, type RedisServer, startPostgres, startRedis } from '../../test/helpers/services.ts';
import { connectProfiler, inspectorUrl } from '../lib/inspector.ts';
import { pinProcess, type ProcessGroup } from '../lib/processes.ts';
import { processTree, sampleTrees } from '../lib/proc-stats.ts';
import { type BenchNginx, startBenchNginx } from './nginx.ts';
import { type Seeded, seedIdentities } from './seed.ts';
import { BENCH_PARLEY_ENV, freePort, type Started, spawnServer } from './single-node.ts';
import type { Deployment, SeedNeeds, ServerKind, Topology } from './topology.ts';

const TEMPLATE_DB = 'bench_template';

/** The postmaster of `server`: the parent of the backend that answers a query. */
async function postmasterPid(server: PostgresServer): Promise<number> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    // The backend serving this query is a child of the postmaster.
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const stat = readFileSync(`/proc/${rows[0].pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } finally {
    await client.end();
  }
}

function redisPid(redis: RedisServer): Promise<number> {
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  return client
    .connect()
    .then(() => client.info('server'))
    .then((info) => Number(/process_id:(\d+)/.exec(info)?.[1]))
    .finally(() => client.disconnect());
}

async function flushRedis(redis: RedisServer): Promise<void> {
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    await client.flushall();
  } finally {
    client.disconnect();
  }
}

/** Redis commands processed and PostgreSQL commits so far (the latter only for Parley). */
async function serviceCounters(redis: RedisServer, postgres: PostgresServer | null): Promise<Record<string, number>> {
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  let info: string;
  try {
    info = await client.info('all');
  } finally {
    client.disconnect();
  }
  const redisCommands = Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? Number.NaN);
  const publishes = Number(/cmdstat_publish:calls=(\d+)/.exec(info)?.[1] ?? 0);
  const counters: Record<string, number> = { redisCommands, redisPublishes: publishes };
  if (postgres) {
    const pgClient = new pg.Client({ connectionString: postgres.url });
    await pgClient.connect();
    try {
      // Backends report their counts at most once a second: over a window of seconds at a steady
      // rate the delay is the same at both edges.
      const { rows } = await pgClient.query<{ commits: string }>('SELECT sum(xact_commit)::text AS commits FROM pg_stat_database');
      counters.postgresCommits = Number(rows[0].commits);
    } finally {
      await pgClient.end();
    }
  }
  return counters;
}

async function adminQuery(server: PostgresServer, sql: string): Promise<void> {
  const url = new URL(server.url);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const dbUrl = (server: PostgresServer, name: string) => {
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
};

export function createClusterTopology(opts: {
  group: ProcessGroup;
  root: string;
  /** Core every server-side process is pinned to (null: not pinned). */
  serverCore: number | null;
  log(line: string): void;
  /** More environment for the Parley nodes (--parley-env). */
  parleyEnv?: Record<string, string>;
  /** PostgreSQL with production durability (default); false (--pg-no-fsync): fsync and synchronous commits off, to see what the flushes cost. */
  durable?: boolean;
}): Topology {
  const { group, root, log } = opts;
  const secret = randomBytes(24).toString('hex');
  const admin = { email: 'bench-admin@example.com', password: randomBytes(12).toString('hex') };
  let redis: RedisServer | null = null;
  let postgres: PostgresServer | null = null;
  let pids: { redis: number; postmaster: number } | null = null;
  let seeded: Seeded | null = null;
  let prepared: SeedNeeds = { visitors: 0, agents: 0 };
  let runs = 0;

  /** Pins a process tree (all threads of every process in it) to the server core. */
  const pinTree = (pid: number) => {
    if (opts.serverCore === null) return;
    for (const p of processTree([pid])) pinProcess(p, opts.serverCore);
  };

  const parleyEnv = (database: string): Record<string, string> => ({
    ...opts.parleyEnv,
    DATABASE_URL: dbUrl(postgres!, database),
    REDIS_URL: redis!.url,
    TRUST_PROXY: 'loopback',
    SESSION_SECRET: secret,
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    ...BENCH_PARLEY_ENV,
  });

  async function startServices() {
    if (redis && postgres) return;
    const t0 = performance.now();
    redis = await startRedis();
    // Production durability: every commit's WAL flushed before the ack.
    postgres = await startPostgres({ durable: opts.durable ?? true });
    pids = { redis: await redisPid(redis), postmaster: await postmasterPid(postgres) };
    // New backends are forked by the postmaster and inherit its affinity.
    pinTree(pids.redis);
    pinTree(pids.postmaster);
    if (opts.durable === false) log('cluster: PostgreSQL without fsync nor synchronous commits (--pg-no-fsync): not a production setting');
    log(`cluster: Redis and PostgreSQL started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  return {
    name: 'cluster',

    async prepare(needs, kinds) {
      prepared = needs;
      await startServices();
      if (!kinds.includes('parley')) return;
      const t0 = performance.now();
      await adminQuery(postgres!, `CREATE DATABASE ${TEMPLATE_DB}`);
      // Not pinned: seeding hashes passwords (scrypt) and is not measured. The node migrates the database.
      const server = await spawnServer({ group, root, kind: 'parley', core: null, env: parleyEnv(TEMPLATE_DB), nodeArgs: [] });
      try {
        seeded = await seedIdentities(server.url, admin, needs);
      } finally {
        await group.stop(server.child, 10_000);
      }
      log(`cluster: seeded ${needs.agents} agents and ${needs.visitors} visitor sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    },

    async deploy(kind, { cpuProfileDir, profile }) {
      if (!redis || !postgres || !pids) throw new Error('prepare() first');
      await flushRedis(redis);
      let database: string | null = null;
      if (kind === 'parley') {
        if (!seeded) throw new Error('prepare() first');
        database = `bench_run_${++runs}`;
        await adminQuery(postgres, `CREATE DATABASE ${database} TEMPLATE ${TEMPLATE_DB}`);
      }
      const env = kind === 'parley' ? parleyEnv(database!) : { REDIS_URL: redis.url };
      const nodes: Started[] = [];
      let nginx: BenchNginx | null = null;
      const stop = async () => {
        await nginx?.stop();
        await Promise.all(nodes.map((n) => group.stop(n.child, 10_000)));
        if (database) await adminQuery(postgres!, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
      };
      try {
        for (let i = 0; i < 2; i++) {
          // Only node 1 runs under the inspector when profiling: one profile per run.
          const nodeArgs = cpuProfileDir && i === 0 ? ['--inspect=127.0.0.1:0'] : [];
          nodes.push(await spawnServer({ group, root, kind, core: opts.serverCore, env, nodeArgs }));
        }
        nginx = await startBenchNginx({ group, core: opts.serverCore, upstreams: nodes.map((n) => [n.port]), freePort });
      } catch (err) {
        await stop();
        throw err;
      }
      const url = cpuProfileDir ? inspectorUrl(nodes[0].output()) : null;
      const profiler = url && cpuProfileDir ? await connectProfiler(url, cpuProfileDir, profile) : null;
      const roots = [...nodes.map((n) => n.child.pid!), nginx.pid, pids.redis, ...(kind === 'parley' ? [pids.postmaster] : [])];
      const count = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
      const entries = nginx.urls;
      return {
        kind,
        urls: entries,
        roleUrls: { visitors: [entries[0]], agents: [entries[1]] },
        identities:
          kind === 'parley'
            ? { visitors: seeded!.visitors, agents: seeded!.agents }
            : { visitors: count(prepared.visitors, 'v'), agents: count(prepared.agents, 'a') },
        adminCookie: kind === 'parley' ? seeded!.adminCookie : null,
        sample: () => sampleTrees(roots),
        sampleParts: () => ({
          nodes: sampleTrees(nodes.map((n) => n.child.pid!)),
          nginx: sampleTrees([nginx!.pid]),
          redis: sampleTrees([pids!.redis]),
          ...(kind === 'parley' ? { postgres: sampleTrees([pids!.postmaster]) } : {}),
        }),
        counters: () => serviceCounters(redis!, kind === 'parley' ? postgres : null),
        profiler,
        output: () => nodes.map((n, i) => `--- node ${i + 1}\n${n.output().slice(-3000)}`).join('\n') + `\n--- nginx\n${nginx!.errorLog().slice(-2000)}`,
        async stop() {
          profiler?.close();
          await stop();
        },
      };
    },

    async close() {
      await group.stopAll();
      await postgres?.stop();
      await redis?.stop();
    },

    abandon() {
      group.killAll();
      // The services' own helpers kill their processes when this process exits.
      void postgres?.stop();
      void redis?.stop();
    },
  };
}
