// The deployment under test, as an operator runs it: node processes (`node server/main.ts`,
// production mode) behind nginx with the shipped docs/nginx.conf, on PostgreSQL + Redis (a
// cluster) or on one SQLite file. Each scenario starts its own; everything is torn down when the
// test ends. The fault verbs (kill, terminate, start, Redis and PostgreSQL restarts) live here.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { createLogger } from '../../server/logger.ts';
import { openPostgresStore } from '../../server/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { Store } from '../../server/store/store.ts';
import { type Nginx, startNginx } from '../helpers/nginx.ts';
import { type NodeProcess, spawnNode } from '../helpers/node-process.ts';
import { freePort, type PostgresServer, type RedisServer, startPostgres, startRedis } from '../helpers/services.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';
import { type Account, seedAccounts } from './accounts.ts';
import { postgresSnapshot, type Snapshot, sqliteSnapshot } from './db-snapshot.ts';

export interface NodeSlot {
  name: string;
  port: number;
  proc: NodeProcess | null;
  /** Every incarnation of this node, oldest first. */
  incarnations: NodeProcess[];
}

export interface Stack {
  engine: 'postgres' | 'sqlite';
  /** The balancer's address: every client goes through it. */
  url: string;
  nginx: Nginx;
  nodes: NodeSlot[];
  redis: RedisServer | null;
  /** Set when the scenario owns its PostgreSQL server (to restart it). */
  postgres: PostgresServer | null;
  databaseUrl: string;
  sqlitePath: string | null;
  accounts: { admin: Account; agents: Account[] };
  /** kill -9; resolves once the process is gone. */
  kill(i: number): Promise<void>;
  /** SIGTERM; resolves with the exit code and how long the node took to exit. */
  terminate(i: number): Promise<{ code: number | null; ms: number }>;
  /** Starts the node again on its port; resolves with the milliseconds until it listened. */
  start(i: number): Promise<number>;
  up(i: number): boolean;
  /** Every node incarnation's output, joined. */
  logs(): string;
  /** The database now. SQLite: read alongside the node; with every node stopped, integrity_check too. */
  snapshot(): Promise<Snapshot & { integrity: string | null }>;
}

export interface StackOptions {
  engine: 'postgres' | 'sqlite';
  nodes: number;
  agents: number;
  /** A PostgreSQL server of the scenario's own (the run's shared one must never be restarted). */
  ownPostgres?: boolean;
  env?: Record<string, string>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  let redis: RedisServer | null = null;
  let postgres: PostgresServer | null = null;
  let sqliteDir: string | null = null;
  const nodes: NodeSlot[] = [];
  let nginx: Nginx | null = null;
  onTestFinished(async () => {
    for (const n of nodes) if (n.proc) await stopProcess(n.proc);
    await nginx?.stop();
    await redis?.stop();
    await postgres?.stop();
    if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  });

  let databaseUrl: string;
  let sqlitePath: string | null = null;
  let store: Store;
  if (opts.engine === 'postgres') {
    if (opts.ownPostgres) {
      postgres = await startPostgres();
      databaseUrl = postgres.url;
    } else {
      databaseUrl = await freshPostgresUrl();
    }
    redis = await startRedis();
    store = await openPostgresStore(databaseUrl, { logger: createLogger('silent') });
  } else {
    sqliteDir = mkdtempSync(join(tmpdir(), 'parley-faults-'));
    sqlitePath = join(sqliteDir, 'parley.db');
    databaseUrl = `sqlite:${sqlitePath}`;
    store = await openSqliteStore(sqlitePath);
  }
  let accounts: Stack['accounts'];
  try {
    await store.migrate();
    accounts = await seedAccounts(store, opts.agents);
  } finally {
    await store.close();
  }

  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    ...(redis ? { REDIS_URL: redis.url } : {}),
    TRUST_PROXY: 'loopback',
    // The limiter is not what these scenarios test (the attack suite does): writers stay far below this.
    MESSAGE_RATE_LIMIT: '1000',
    ...opts.env,
  };
  for (let i = 0; i < opts.nodes; i++) nodes.push({ name: String.fromCharCode(65 + i), port: await freePort(), proc: null, incarnations: [] });

  const start = async (i: number): Promise<number> => {
    const slot = nodes[i];
    const began = performance.now();
    const proc = await spawnNode(env, { port: slot.port, startTimeoutMs: 60_000 });
    slot.proc = proc;
    slot.incarnations.push(proc);
    return performance.now() - began;
  };
  await Promise.all(nodes.map((_, i) => start(i)));
  nginx = await startNginx(
    nodes.map((n) => n.port),
    { accessLog: true },
  );

  const stack: Stack = {
    engine: opts.engine,
    url: nginx.url,
    nginx,
    nodes,
    redis,
    postgres,
    databaseUrl,
    sqlitePath,
    accounts,
    async kill(i) {
      const proc = nodes[i].proc;
      if (!proc) return;
      proc.signal('SIGKILL');
      await proc.exited;
      nodes[i].proc = null;
    },
    async terminate(i) {
      const proc = nodes[i].proc;
      if (!proc) return { code: null, ms: 0 };
      const began = performance.now();
      proc.signal('SIGTERM');
      const code = await proc.exited;
      nodes[i].proc = null;
      return { code, ms: performance.now() - began };
    },
    start,
    up: (i) => nodes[i].proc !== null,
    logs: () => nodes.flatMap((n) => n.incarnations.map((p) => p.output())).join('\n'),
    async snapshot() {
      if (opts.engine === 'postgres') return { ...(await postgresSnapshot(databaseUrl)), integrity: null };
      return sqliteSnapshot(sqlitePath!, { integrity: nodes.every((n) => n.proc === null) });
    },
  };
  return stack;
}

async function stopProcess(proc: NodeProcess): Promise<void> {
  proc.signal('SIGCONT');
  proc.signal('SIGKILL');
  await proc.exited;
}

/** Lines of a node log with this `event`. */
export function logEvents(logs: string, event: string): string[] {
  return logs.split('\n').filter((l) => l.includes(`"event":"${event}"`));
}
