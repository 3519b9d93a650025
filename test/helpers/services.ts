// Real Redis and PostgreSQL servers for tests: each on a free 127.0.0.1 port in
// its own temp directory, stopped and removed by stop(). Processes only; no
// module-level state. scripts/provision.ts installs the binaries.

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export interface RedisServer {
  /** redis://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Graceful stop; removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; the port and dir stay reserved for start(). */
  kill(): Promise<void>;
  /** Starts again on the same port (after kill()); no data survives. */
  start(): Promise<void>;
  /** kill() then start(). */
  restart(): Promise<void>;
  /**
   * SIGSTOP: the server stops answering but keeps its connections open, as a stalled Redis
   * (swapping, a slow fork, a frozen VM) does; commands sent meanwhile wait in its socket buffers.
   */
  pause(): void;
  /** SIGCONT after pause(): the waiting commands run, in the order each connection sent them. */
  resume(): void;
}

export interface PostgresServer {
  /** postgres://parley@127.0.0.1:PORT/parley — a database owned by the caller. */
  url: string;
  port: number;
  /** A fresh empty database on this server; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server and removes its data. Idempotent. */
  stop(): Promise<void>;
  /**
   * Shuts the server down and keeps its data, as an operator's restart does: `smart` (SIGTERM) refuses
   * new connections (57P03) and waits for the open sessions to end; `fast` (SIGINT) ends them (57P01).
   * Resolves once the server has exited (for `smart`, after the last session ended).
   */
  halt(mode: 'smart' | 'fast'): Promise<void>;
  /** Starts again after halt(), on the same port and data. */
  start(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const PG_SUPERUSER = 'parley';

export class MissingBinaryError extends Error {
  constructor(what: string) {
    super(`${what} is not installed: run \`npm test\` as root (scripts/provision.ts installs it) or install it yourself`);
    this.name = 'MissingBinaryError';
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir !== '' && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** The directory holding initdb and postgres: PATH first, then the newest /usr/lib/postgresql/N/bin. */
function findPostgresBin(): string {
  const initdb = findOnPath('initdb');
  if (initdb && findOnPath('postgres')) return join(initdb, '..');
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (isExecutable(join(bin, 'initdb')) && isExecutable(join(bin, 'postgres'))) return bin;
  }
  throw new MissingBinaryError('PostgreSQL server (initdb, postgres)');
}

/** A port that was free a moment ago: listen on 0, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Sends `signal`, escalates to SIGKILL after the timeout, resolves when the process is gone. */
async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (exited(child)) return;
  child.kill(signal);
  if (await waitForExit(child, STOP_TIMEOUT_MS)) return;
  child.kill('SIGKILL');
  await waitForExit(child, STOP_TIMEOUT_MS);
}

/**
 * Kills the child if the test process exits without stopping it, so a crashed
 * run leaves no server behind. Returns the unregister function.
 */
function killOnExit(child: ChildProcess): () => void {
  const onExit = () => {
    if (!exited(child)) child.kill('SIGKILL');
  };
  process.once('exit', onExit);
  return () => process.off('exit', onExit);
}

/** Keeps the last few KiB a child printed, for error messages. */
function captureOutput(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}

async function pollUntil(what: string, child: ChildProcess, output: () => string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`${what} exited during start (code ${child.exitCode}, signal ${child.signalCode}):\n${output()}`);
    if (await probe()) return;
    await sleep(25);
  }
  child.kill('SIGKILL');
  throw new Error(`${what} was not ready within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** Starts redis-server on a free loopback port, no persistence. */
export async function startRedis(): Promise<RedisServer> {
  const binary = findOnPath('redis-server');
  if (!binary) throw new MissingBinaryError('redis-server');
  let port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'parley-redis-'));
  let child: ChildProcess | null = null;
  let unregister = () => {};

  const start = async () => {
    if (child && !exited(child)) return;
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    unregister = killOnExit(proc);
    await pollUntil(`redis-server on port ${port}`, proc, captureOutput(proc), () => redisPing(port));
  };
  const kill = async () => {
    if (child) await terminate(child, 'SIGKILL');
    unregister();
  };
  const signal = (sig: NodeJS.Signals) => {
    if (!child || exited(child)) throw new Error(`redis-server on port ${port} is not running (${sig})`);
    child.kill(sig);
  };

  // freePort() closes the port before redis-server binds it: another process (a parallel test file's
  // server) can take it in between. A first start that lost that race tries another port.
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (err) {
      await kill();
      if (attempt < 3 && String((err as Error).message).includes('Address already in use')) {
        port = await freePort();
        continue;
      }
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    kill,
    restart: async () => {
      await kill();
      await start();
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stop: async () => {
      // A paused server would sit on SIGTERM until the timeout.
      if (child && !exited(child)) child.kill('SIGCONT');
      if (child) await terminate(child, 'SIGTERM');
      unregister();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface RunAs {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` (or `nobody`) user. */
function unprivilegedUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  const entry = passwd.find((f) => f[0] === 'postgres') ?? passwd.find((f) => f[0] === 'nobody');
  if (!entry) throw new Error('running as root and neither a postgres nor a nobody user exists to run PostgreSQL');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** setpriv execs in place (no fork), so the child we hold is the server itself and signals reach it. */
function command(runAs: RunAs | null, binary: string, args: string[]): [string, string[]] {
  if (!runAs) return [binary, args];
  const setpriv = findOnPath('setpriv') ?? '/usr/bin/setpriv';
  return [setpriv, [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', '--', binary, ...args]];
}

async function pgReady(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** CREATE DATABASE on the server of `serverUrl`; returns the new database's URL. */
export async function createDatabase(serverUrl: string, name = `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const client = new pg.Client({ connectionString: serverUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    // template0 + FILE_COPY: no WAL for the copy, and nothing another test left in template1.
    await client.query(`CREATE DATABASE ${name} TEMPLATE template0 STRATEGY FILE_COPY`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * initdb in a temp dir and start postgres on a free loopback port, durability off (tests only).
 * `durable`: fsync, synchronous commits and full-page writes on, as production runs it (benchmarks).
 */
export async function startPostgres({ durable = false }: { durable?: boolean } = {}): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const runAs = unprivilegedUser();
  const dir = mkdtempSync(join(tmpdir(), 'parley-pg-'));
  const data = join(dir, 'data');
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const port = await freePort();
  const serverUrl = `postgres://${PG_SUPERUSER}@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | null = null;
  let unregister = () => {};
  const stop = async () => {
    // SIGINT is postgres' "fast" shutdown: disconnect clients, no waiting.
    if (child) await terminate(child, 'SIGINT');
    unregister();
    rmSync(dir, { recursive: true, force: true });
  };
  const start = async () => {
    if (child && !exited(child)) return;
    const [cmd, args] = command(runAs, join(bin, 'postgres'), [
      '-D', data,
      '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${dir}`,
      '-c', 'max_connections=200',
      // Durability is worthless for a throw-away test server and costs seconds.
      ...(durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ]);
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    unregister = killOnExit(proc);
    await pollUntil(`postgres on port ${port}`, proc, captureOutput(proc), () => pgReady(serverUrl));
  };
  const halt = async (mode: 'smart' | 'fast') => {
    if (!child || exited(child)) return;
    child.kill(mode === 'smart' ? 'SIGTERM' : 'SIGINT');
    await waitForExit(child, 60_000);
    unregister();
  };

  try {
    const [initCmd, initArgs] = command(runAs, join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', PG_SUPERUSER, '--no-sync', '-E', 'UTF8', '--locale=C']);
    const init = spawnSync(initCmd, initArgs, { encoding: 'utf8', timeout: READY_TIMEOUT_MS });
    if (init.status !== 0) throw new Error(`initdb failed (${init.error?.message ?? `exit ${init.status}`}):\n${init.stderr ?? ''}`);
    await start();
    const url = await createDatabase(serverUrl, 'parley');
    return { url, port, stop, halt, start, createDatabase: (name) => createDatabase(serverUrl, name) };
  } catch (err) {
    await stop();
    throw err;
  }
}
