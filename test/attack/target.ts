// The attack suite's target: a real Parley process (`node server/main.ts`, production mode,
// its own SQLite file) whose memory is read from /proc, plus a control conversation — a
// visitor and an agent talking over WebSocket — that every case checks is unaffected.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type AgentClient, type VisitorClient, connect, next, ok } from '../helpers/clients.ts';
import { freePort } from '../helpers/services.ts';
import { TEST_SECRET, cookieOf } from '../helpers/start-app.ts';

export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };

export interface Target {
  url: string;
  port: number;
  pid: number;
  dir: string;
  /** Resident memory of the server process, in MiB. */
  rssMiB(): number;
  output(): string;
  /**
   * POST /api/visitor/session from `address` (X-Forwarded-For: the target trusts loopback proxies);
   * without one, from an address of its own, as distinct visitors would be (the limit per address is tested on purpose).
   */
  visitorSession(opts?: { address?: string; body?: object }): Promise<{ status: number; cookie: string | null }>;
  /** Logs in over HTTP as the same-origin console would. */
  login(email: string, password: string, opts?: { address?: string; cookie?: string }): Promise<Response>;
  adminCookie(): Promise<string>;
  /** A visitor and an agent in one claimed conversation, both over WebSocket. */
  control(): Promise<Control>;
  alive(): boolean;
  close(): Promise<void>;
}

export interface Control {
  visitor: VisitorClient;
  agent: AgentClient;
  conversationId: string;
  /** One message from the visitor, acked and delivered to the agent; resolves with the milliseconds it took. */
  roundTrip(): Promise<number>;
  close(): void;
}

export async function startTarget(env: Record<string, string> = {}): Promise<Target> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'parley-attack-'));
  const child: ChildProcess = spawn(process.execPath, ['server/main.ts'], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      SESSION_SECRET: TEST_SECRET,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: `sqlite:${join(dir, 'parley.db')}`,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      TRUST_PROXY: 'loopback',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 1_000_000) out = out.slice(-500_000);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const url = `http://127.0.0.1:${port}`;
  // Logs are at warn (an attack makes many info lines): readiness is asked, not read off the log.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`target exited before listening:\n${out}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`target did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const alive = () => child.exitCode === null && child.signalCode === null;
  let visitors = 0;

  const target: Target = {
    url,
    port,
    pid: child.pid!,
    dir,
    alive,
    output: () => out,
    rssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      return kb / 1024;
    },
    async visitorSession(opts = {}) {
      const n = ++visitors;
      const address = opts.address ?? `10.200.${(n >> 8) & 255}.${n & 255}`;
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': address };
      const res = await fetch(`${url}/api/visitor/session`, { method: 'POST', headers, body: JSON.stringify(opts.body ?? {}) });
      await res.arrayBuffer();
      return { status: res.status, cookie: res.ok ? cookieOf(res) : null };
    },
    login(email, password, opts = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', origin: url };
      if (opts.address) headers['x-forwarded-for'] = opts.address;
      if (opts.cookie) headers.cookie = opts.cookie;
      return fetch(`${url}/api/login`, { method: 'POST', headers, body: JSON.stringify({ email, password }) });
    },
    async adminCookie() {
      const res = await target.login(ADMIN.email, ADMIN.password, { address: '10.255.255.1' });
      expect(res.status).toBe(200);
      return cookieOf(res);
    },
    async control() {
      const { cookie: vCookie } = await target.visitorSession({ address: '10.255.255.2' });
      const visitor = await connect(url, '/visitor', { transport: 'websocket', cookie: vCookie! });
      const agent = await connect(url, '/agent', { transport: 'websocket', cookie: await target.adminCookie(), origin: url });
      const { message } = await ok(visitor, 'message:send', { clientId: `control-0`, body: 'control' });
      const conversationId = message.conversationId;
      await ok(agent, 'conversation:claim', { conversationId });
      let n = 0;
      return {
        visitor,
        agent,
        conversationId,
        async roundTrip() {
          const start = performance.now();
          const clientId = `control-${++n}`;
          const delivered = next(agent, 'message', (m) => m.clientId === clientId, 10_000);
          await ok(visitor, 'message:send', { clientId, body: `control ${n}` });
          await delivered;
          return performance.now() - start;
        },
        close() {
          visitor.close();
          agent.close();
        },
      };
    },
    async close() {
      if (alive()) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return target;
}

/**
 * Samples the target's RSS every 25 ms while `attack` runs (and for `settleMs` after), and returns the
 * peak growth over the RSS before it, in MiB.
 */
export async function peakGrowth(target: Target, attack: () => Promise<unknown>, settleMs = 250): Promise<number> {
  const before = target.rssMiB();
  let peak = before;
  const timer = setInterval(() => {
    if (target.alive()) peak = Math.max(peak, target.rssMiB());
  }, 25);
  try {
    await attack();
    await new Promise((r) => setTimeout(r, settleMs));
  } finally {
    clearInterval(timer);
  }
  if (target.alive()) peak = Math.max(peak, target.rssMiB());
  return peak - before;
}

/** Memory bound of every case (issue #11): the server grows by less than this under one attack. */
export const MEMORY_BUDGET_MIB = 50;

/**
 * Liveness bound for "other users are unaffected": a control round trip normally takes a few
 * milliseconds; a server stalled by one client (the ReDoS took 2.3 s) misses this by far.
 */
export const CONTROL_DEADLINE_MS = 1000;

/** The checks every case ends with: the server is up, answers /healthz, and the control conversation works. */
export async function expectUnharmed(target: Target, control: Control): Promise<void> {
  expect(target.alive(), `server died:\n${target.output().slice(-2000)}`).toBe(true);
  const health = await fetch(`${target.url}/healthz`);
  expect(health.status).toBe(200);
  const ms = await control.roundTrip();
  expect(ms).toBeLessThan(CONTROL_DEADLINE_MS);
}
