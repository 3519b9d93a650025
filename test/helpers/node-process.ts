// Runs Parley nodes as real processes (`node server/main.ts`), for what only a
// process can show: kill -9, SIGSTOP/SIGCONT, clean SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { freePort } from './services.ts';
import { TEST_SECRET } from './start-app.ts';

export interface NodeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  signal(sig: NodeJS.Signals): void;
}

export async function spawnNode(env: Record<string, string>, opts: { port?: number; startTimeoutMs?: number } = {}): Promise<NodeProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, ['server/main.ts'], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      SESSION_SECRET: TEST_SECRET,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      NEW_VISITOR_RATE_LIMIT: '0',
      CONNECTIONS_PER_ADDRESS: '0',
      HTTP_RATE_LIMIT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running behind a failed test.
      child.kill('SIGKILL');
      reject(new Error(`node did not start within ${opts.startTimeoutMs ?? 20_000} ms:\n${out}`));
    }, opts.startTimeoutMs ?? 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"event":"server.listening"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`node exited before listening:\n${out}`));
    });
  });
  const node: NodeProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output: () => out,
    exited,
    signal: (sig) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
  };
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  });
  return node;
}
