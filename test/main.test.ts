// [MAIN] The real entry point as an operator runs it: first-start admin,
// configuration errors, clean shutdown on SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

interface Running {
  child: ChildProcess;
  url: Promise<string>;
  output: () => string;
  exit: Promise<number | null>;
}

function start(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['server/main.ts'], {
    cwd: join(import.meta.dirname, '..'),
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Parley listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => reject(new Error(`exited before listening:\n${out}`)));
  });
  url.catch(() => {});
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, output: () => out, exit };
}

describe('[MAIN] npm start', () => {
  let dir = '';
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Two starts through npm, each building the client bundles first: slow on a loaded machine.
  it('[MAIN1] first start prints a generated admin once; SIGTERM stops cleanly; the next start keeps it', { timeout: 90_000 }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-main-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'parley.db')}` };
    const first = start(env);
    children.push(first.child);
    const url = await first.url;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const creds = /email:\s+(\S+)\s+password:\s+(\S+)/.exec(first.output());
    expect(creds?.[1]).toBe('admin@localhost');
    // It says where the password is changed, and how a lost one is recovered.
    expect(first.output()).toContain('change it under "Your account"');
    expect(first.output()).toContain('npm run parley -- reset-password admin@localhost');
    const login = await fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: creds![1], password: creds![2] }),
    });
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ agent: { role: 'admin' } });
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(first.output()).toMatch(/"event":"server.stopped"/);
    // No password or email in structured logs.
    expect(first.output().split('\n').filter((l) => l.startsWith('{')).join('\n')).not.toContain(creds![2]);

    const second = start(env);
    children.push(second.child);
    await second.url;
    expect(second.output()).not.toMatch(/password:/);
    second.child.kill('SIGINT');
    expect(await second.exit).toBe(0);
  });

  it('[MAIN2] ADMIN_EMAIL/ADMIN_PASSWORD create that admin', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-main-'));
    const run = start({ DATABASE_URL: `sqlite:${join(dir, 'p.db')}`, ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'a strong password' });
    children.push(run.child);
    const url = await run.url;
    const login = await fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com', password: 'a strong password' }),
    });
    expect(login.status).toBe(200);
    expect(run.output()).not.toMatch(/password:/);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('[MAIN3] invalid configuration stops the start with a message naming the variable', async () => {
    const run = start({ MAX_MESSAGE_LENGTH: 'lots' });
    children.push(run.child);
    expect(await run.exit).toBe(78);
    expect(run.output()).toMatch(/MAX_MESSAGE_LENGTH/);
    const prod = start({ NODE_ENV: 'production' });
    children.push(prod.child);
    expect(await prod.exit).toBe(78);
    expect(prod.output()).toMatch(/SESSION_SECRET/);
  });
});
