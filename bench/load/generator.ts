// A load-generator process: started by the runner with an IPC channel, runs
// one workload for one run, answering each command when it is done. Exits when
// told to, when the runner goes away, or on any error (reported first).

import { createChatWorkload } from './chat.ts';
import { createClaimWorkload } from './claims.ts';
import { createIdleWorkload } from './idle.ts';
import type { Command, GeneratorSetup, Reply, Workload } from './protocol.ts';

const factories: Record<GeneratorSetup['workload'], (setup: GeneratorSetup) => Workload> = {
  chat: createChatWorkload,
  idle: createIdleWorkload,
  claims: createClaimWorkload,
};

let workload: Workload | null = null;

function reply(message: Reply): void {
  process.send?.(message);
}

async function handle(command: Command): Promise<unknown> {
  if (command.type === 'setup') {
    workload = factories[command.setup.workload](command.setup);
    return {};
  }
  if (!workload) throw new Error(`${command.type} before setup`);
  switch (command.type) {
    case 'step':
      return workload.step(command.name, command.args);
    case 'start':
      workload.start();
      return {};
    case 'measure':
      workload.measure();
      return {};
    case 'phase':
      if (!workload.phase) throw new Error('this workload has no load phases');
      return workload.phase(command.phase);
    case 'stop':
      return workload.stop();
    case 'close':
      await workload.close();
      setTimeout(() => process.exit(0), 50);
      return {};
  }
}

process.on('message', (raw) => {
  const { id, command } = raw as { id: number; command: Command };
  handle(command).then(
    (result) => reply({ id, ok: true, result }),
    (err: unknown) => reply({ id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});

// The runner is gone (crashed or killed): nothing else will stop us.
process.on('disconnect', () => process.exit(1));
process.on('uncaughtException', (err) => {
  process.stderr.write(`generator: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
