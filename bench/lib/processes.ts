// Every child process of a bench run (servers, load generators) is started
// through one ProcessGroup, which pins it to a core where `taskset` exists and
// kills whatever is still running at the end — also after an error or Ctrl-C.

import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface ProcessGroup {
  /** True when children are pinned to cores (taskset found). */
  readonly pinning: boolean;
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

export function createProcessGroup(): ProcessGroup {
  const children = new Set<ChildProcess>();
  const pinning = hasTaskset();

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
    spawn(core, command, args, opts) {
      // taskset execs the command: the child's pid is the pinned process itself.
      const child = core !== null && pinning ? spawn('taskset', ['-c', String(core), command, ...args], opts) : spawn(command, args, opts);
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
