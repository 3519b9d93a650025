// The runner's side of the load-generator processes: spawns them (pinned to
// the load core), sends commands and collects the replies of all of them.

import type { ChildProcess } from 'node:child_process';
import type { ProcessGroup } from '../lib/processes.ts';
import { within } from '../lib/stats.ts';
import type { Command, Reply } from '../load/protocol.ts';

export interface Generators {
  readonly count: number;
  /** Process ids of the load generators (to sample their CPU from /proc). */
  readonly pids: number[];
  /** Sends each generator its command (a function of its index) and waits for every reply. */
  all<T = Record<string, unknown>>(command: Command | ((index: number) => Command), timeoutMs: number): Promise<T[]>;
  /** Closes the workloads (bounded) and makes sure every process is gone. */
  close(): Promise<void>;
}

export function spawnGenerators(group: ProcessGroup, opts: { count: number; core: number | null; root: string }): Generators {
  const children: ChildProcess[] = [];
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 0;

  for (let i = 0; i < opts.count; i++) {
    const child = group.spawn(opts.core, process.execPath, ['bench/load/generator.ts'], {
      cwd: opts.root,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (raw) => {
      const reply = raw as Reply;
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`load generator ${i}: ${reply.error}`));
    });
    child.once('exit', (code, signal) => {
      for (const [id, waiter] of pending) {
        pending.delete(id);
        waiter.reject(new Error(`load generator ${i} exited (${signal ?? code})`));
      }
    });
    children.push(child);
  }

  function call(child: ChildProcess, command: Command): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (!child.connected) return reject(new Error('load generator is gone'));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, command });
    });
  }

  return {
    count: opts.count,
    pids: children.map((c) => c.pid).filter((pid): pid is number => pid !== undefined),
    async all<T>(command: Command | ((index: number) => Command), timeoutMs: number): Promise<T[]> {
      const make = typeof command === 'function' ? command : () => command;
      const name = make(0).type;
      return within(Promise.all(children.map((c, i) => call(c, make(i)))) as Promise<T[]>, timeoutMs, `load generators: ${name}`);
    },
    async close() {
      await within(Promise.allSettled(children.map((c) => call(c, { type: 'close' }))), 10_000, 'closing load generators').catch(() => {});
      await Promise.all(children.map((c) => group.stop(c, 2000)));
    },
  };
}
