// One server process on 127.0.0.1, pinned to its own core: either Parley
// (`node server/main.ts` on embedded SQLite, a fresh copy of the seeded
// database per run) or the bare Socket.IO relay (bench/baseline-server.ts).

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectProfiler, inspectorUrl } from '../lib/inspector.ts';
import type { ProcessGroup } from '../lib/processes.ts';
import { sampleProcess } from '../lib/proc-stats.ts';
import { sleep } from '../lib/stats.ts';
import { type Seeded, seedIdentities } from './seed.ts';
import type { Deployment, SeedNeeds, ServerKind, Topology } from './topology.ts';

const READY_TIMEOUT_MS = 30_000;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  url: string;
  port: number;
  output(): string;
}

/** What every bench run of Parley sets besides its database: no limits that 127.0.0.1 clients would hit. */
export const BENCH_PARLEY_ENV: Record<string, string> = {
  MESSAGE_RATE_LIMIT: '0',
  // Every load-generator client comes from 127.0.0.1.
  NEW_VISITOR_RATE_LIMIT: '0',
  CONNECTIONS_PER_ADDRESS: '0',
  HTTP_RATE_LIMIT: '0',
  LOG_LEVEL: 'warn',
};

/** Starts Parley (`server/main.ts`) or the relay on a free loopback port and waits for /healthz. */
export async function spawnServer(opts: {
  group: ProcessGroup;
  root: string;
  kind: ServerKind;
  core: number | null;
  env: Record<string, string>;
  nodeArgs: string[];
}): Promise<Started> {
  const { group, kind } = opts;
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOST: '127.0.0.1',
    PORT: String(port),
    NODE_ENV: 'production',
    ...opts.env,
  };
  const script = kind === 'parley' ? 'server/main.ts' : 'bench/baseline-server.ts';
  const child = group.spawn(opts.core, process.execPath, [...opts.nodeArgs, script], { cwd: opts.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${kind} server exited before it was ready:\n${out}`);
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await group.stop(child, 1000);
      throw new Error(`${kind} server not ready after ${READY_TIMEOUT_MS} ms:\n${out}`);
    }
    await sleep(50);
  }
  return { child, url, port, output: () => out };
}

export function createSingleNodeTopology(opts: {
  group: ProcessGroup;
  /** Repository root (where server/ and bench/ are). */
  root: string;
  /** Core the server is pinned to (null: not pinned). */
  serverCore: number | null;
  log(line: string): void;
  /** More environment for the Parley process (--parley-env). */
  parleyEnv?: Record<string, string>;
}): Topology {
  const { group, root, log } = opts;
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const template = join(dir, 'template.db');
  const secret = randomBytes(24).toString('hex');
  const admin = { email: 'bench-admin@example.com', password: randomBytes(12).toString('hex') };
  let seeded: Seeded | null = null;
  let prepared: SeedNeeds = { visitors: 0, agents: 0 };
  let runs = 0;

  async function start(kind: ServerKind, core: number | null, dbPath: string | null, nodeArgs: string[]): Promise<Started> {
    const env: Record<string, string> = {};
    if (kind === 'parley') {
      Object.assign(env, {
        ...opts.parleyEnv,
        DATABASE_URL: `sqlite:${dbPath}`,
        SESSION_SECRET: secret,
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
        ...BENCH_PARLEY_ENV,
      });
      // The overload bounds are the server's defaults unless the runner's environment sets them (experiments).
      for (const name of ['SEND_QUEUE_MAX', 'SEND_QUEUE_MAX_AGE_MS']) if (process.env[name] !== undefined) env[name] = process.env[name]!;
    }
    return spawnServer({ group, root, kind, core, env, nodeArgs });
  }

  function copyDatabase(to: string) {
    // After a clean stop the WAL is checkpointed; copy its files too in case it is not.
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(template + suffix)) copyFileSync(template + suffix, to + suffix);
  }

  return {
    name: 'single',

    async prepare(needs, kinds) {
      prepared = needs;
      if (!kinds.includes('parley')) return;
      const t0 = performance.now();
      // Not pinned: seeding hashes passwords (scrypt) and is not measured.
      const server = await start('parley', null, template, []);
      try {
        seeded = await seedIdentities(server.url, admin, needs);
      } finally {
        await group.stop(server.child, 10_000);
      }
      log(`seeded ${needs.agents} agents and ${needs.visitors} visitor sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    },

    async deploy(kind, { cpuProfileDir, profile }) {
      const nodeArgs = cpuProfileDir ? ['--inspect=127.0.0.1:0'] : [];
      let dbPath: string | null = null;
      if (kind === 'parley') {
        if (!seeded) throw new Error('prepare() first');
        dbPath = join(dir, `run-${++runs}.db`);
        copyDatabase(dbPath);
      }
      const server = await start(kind, opts.serverCore, dbPath, nodeArgs);
      const pid = server.child.pid!;
      const url = cpuProfileDir ? inspectorUrl(server.output()) : null;
      const profiler = url && cpuProfileDir ? await connectProfiler(url, cpuProfileDir, profile) : null;
      const count = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
      return {
        kind,
        urls: [server.url],
        identities:
          kind === 'parley'
            ? { visitors: seeded!.visitors, agents: seeded!.agents }
            : { visitors: count(prepared.visitors, 'v'), agents: count(prepared.agents, 'a') },
        adminCookie: kind === 'parley' ? seeded!.adminCookie : null,
        sample: () => sampleProcess(pid),
        profiler,
        output: server.output,
        async stop() {
          profiler?.close();
          await group.stop(server.child, 10_000);
          if (dbPath) for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
        },
      };
    },

    async close() {
      await group.stopAll();
      rmSync(dir, { recursive: true, force: true });
    },

    abandon() {
      group.killAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
