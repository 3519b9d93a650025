// Every child process of a bench run (servers, load generators) is started
// through one ProcessGroup, which pins it to a core where `taskset` exists and
// kills whatever is still running at the end — also after an error or Ctrl-C.

import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The open-files limit (RLIMIT_NOFILE) every child gets, and how. */
export interface FileLimit {
  /** Descriptors each child process may open. */
  limit: number;
  /** True when children are started through `prlimit --nofile=limit:limit` (raised above what we inherited). */
  raised: boolean;
}

/** This process's hard open-files limit (what a child may raise its soft limit to without privileges). */
function hardFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const hard = line?.trim().split(/\s+/)[4];
    if (hard === 'unlimited') return Number.MAX_SAFE_INTEGER;
    if (hard && /^\d+$/.test(hard)) return Number(hard);
  } catch {
    // Not Linux: fall through.
  }
  return 1024;
}

/**
 * The open-files limit children can get, up to `wanted`. Raising the hard limit takes CAP_SYS_RESOURCE
 * (root, unless a container drops it): then children are spawned through `prlimit --nofile=N:N`
 * (which execs, so the child's pid is still the process itself). Otherwise they inherit our hard
 * limit, and Node raises its own soft limit to it at startup — so the hard limit is what they get.
 */
export function fileLimitFor(wanted: number): FileLimit {
  const hard = hardFileLimit();
  if (hard >= wanted) return { limit: hard, raised: false };
  if (process.platform === 'linux' && spawnSync('prlimit', [`--nofile=${wanted}:${wanted}`, 'true'], { stdio: 'ignore' }).status === 0) {
    return { limit: wanted, raised: true };
  }
  return { limit: hard, raised: false };
}

export interface ProcessGroup {
  /** True when children are pinned to cores (taskset found). */
  readonly pinning: boolean;
  /** The open-files limit of every child (see fileLimitFor). */
  readonly files: FileLimit;
  /** Starts `command args`, pinned to `core` when pinning is available (null: not pinned). */
  spawn(core: number | null, command: string, args: string[], opts: SpawnOptions): ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
  stop(child: ChildProcess, graceMs?: number): Promise<void>;
  /** Synchronous SIGKILL of every child still running (safe in an 'exit' handler). */
  killAll(): void;
  /** Stops every child still running. */
  stopAll(): Promise<void>;
}

let tasksetFound: boolean | null = null;

/**
 * taskset exists and there are two cores to pin to (server on 0, load on 1). Decided once: after
 * the runner pinned itself to one core, availableParallelism() says 1.
 */
export function hasTaskset(): boolean {
  tasksetFound ??=
    process.platform === 'linux' &&
    availableParallelism() >= 2 &&
    spawnSync('taskset', ['-c', '1', 'true'], { stdio: 'ignore' }).status === 0;
  return tasksetFound;
}

/** Pins an already running process (all its threads) to `core`; false when not possible. */
export function pinProcess(pid: number, core: number): boolean {
  if (!hasTaskset()) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' }).status === 0;
}

const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/** `wantedFiles`: the open-files limit children should get where it can be raised (fileLimitFor). */
export function createProcessGroup(wantedFiles = 0): ProcessGroup {
  const children = new Set<ChildProcess>();
  const pinning = hasTaskset();
  const files = fileLimitFor(wantedFiles);

  function stop(child: ChildProcess, graceMs = 5000): Promise<void> {
    if (!running(child)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  return {
    pinning,
    files,
    spawn(core, command, args, opts) {
      // prlimit and taskset exec the command: the child's pid is the process itself.
      let argv = [command, ...args];
      if (core !== null && pinning) argv = ['taskset', '-c', String(core), ...argv];
      if (files.raised) argv = ['prlimit', `--nofile=${files.limit}:${files.limit}`, ...argv];
      const child = spawn(argv[0], argv.slice(1), opts);
      children.add(child);
      child.once('exit', () => children.delete(child));
      child.once('error', () => children.delete(child));
      return child;
    },
    stop,
    killAll() {
      for (const child of children) if (running(child)) child.kill('SIGKILL');
    },
    async stopAll() {
      await Promise.all([...children].map((c) => stop(c, 2000)));
    },
  };
}
