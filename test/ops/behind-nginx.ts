// Two real nodes (PostgreSQL, a private Redis) behind the shipped nginx configuration, restartable
// in place, and clients through the proxy that reconnect by themselves: for the [ROLL] and [GHOST] tests.

import { Manager, type Socket } from 'socket.io-client';
import { onTestFinished } from 'vitest';
import { type Transport, type VisitorClient, eventually } from '../helpers/clients.ts';
import { startNginx, type Nginx } from '../helpers/nginx.ts';
import { type NodeProcess, spawnNode } from '../helpers/node-process.ts';
import { startRedis } from '../helpers/services.ts';
import { cookieOf } from '../helpers/start-app.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';

export const ADMIN = { email: 'admin@example.com', password: 'admin password' };

export async function visitorCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/api/visitor/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return cookieOf(res);
}

/** Two nodes on PostgreSQL and a private Redis, behind the shipped nginx configuration. */
export async function twoNodesBehindNginx() {
  const redis = await startRedis();
  onTestFinished(() => redis.stop());
  const env = {
    REDIS_URL: redis.url,
    DATABASE_URL: await freshPostgresUrl(),
    TRUST_PROXY: 'loopback',
    PRESENCE_GRACE_MS: '1000',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  };
  const nodes: NodeProcess[] = [await spawnNode(env), await spawnNode(env)];
  // The access log: which handshakes the proxy answered how ([ROLL1]).
  const nginx = await startNginx(nodes.map((n) => n.port), { accessLog: true });
  onTestFinished(() => nginx.stop());
  /** Stops node i (drain or crash) and starts it again on its address; resolves once /readyz says 200. */
  async function restart(i: number, how: 'SIGTERM' | 'SIGKILL'): Promise<{ exitedAfterMs: number; readyAfterMs: number }> {
    const old = nodes[i];
    const t0 = Date.now();
    old.signal(how);
    await old.exited;
    const exitedAfterMs = Date.now() - t0;
    nodes[i] = await spawnNode(env, { port: old.port });
    await eventually(async () => (await fetch(`${nodes[i].url}/readyz`)).status === 200, 10_000, `node ${i} ready again`);
    return { exitedAfterMs, readyAfterMs: Date.now() - t0 };
  }
  return { env, nodes, nginx, restart };
}

/** A visitor through the proxy that reconnects by itself, recording how long each outage lasted and each failed attempt. */
export async function reconnectingVisitor(nginx: Nginx, transport: Transport) {
  const cookie = await visitorCookie(nginx.url);
  const manager = new Manager(nginx.url, { transports: [transport], extraHeaders: { cookie }, reconnectionDelay: 100, reconnectionDelayMax: 1000, timeout: 5000 });
  onTestFinished(() => {
    manager.reconnection(false);
    manager.engine?.close();
  });
  const socket = manager.socket('/visitor') as Socket as VisitorClient;
  const outages: number[] = [];
  let downAt: number | null = null;
  /** Reconnection attempts that failed (each is one more reconnection delay for the person). */
  const failedAttempts: string[] = [];
  socket.on('disconnect', () => (downAt = Date.now()));
  manager.on('reconnect_error', (err) => failedAttempts.push(err.message));
  socket.on('connect', () => {
    if (downAt !== null) outages.push(Date.now() - downAt);
    downAt = null;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { transport, socket, manager, cookie, outages, failedAttempts, down: () => downAt !== null };
}

