// Starts the real Parley app on 127.0.0.1 port 0 with a temp SQLite database
// (or a store the test passes) and hands out real, authenticated clients.
// Registers its own teardown with vitest.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import type { Clock } from '../../server/clock.ts';
import type { EmailTiming } from '../../server/core/email.ts';
import type { WebhookTiming } from '../../server/core/webhooks.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import type { PresenceRegistry } from '../../server/core/presence-registry.ts';
import type { Cluster } from '../../server/cluster/cluster.ts';
import type { LoginLimits } from '../../server/core/accounts.ts';
import type { Agent, Role, Visitor } from '../../server/protocol/shapes.ts';
import type { Store } from '../../server/store/store.ts';
import { openSqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { type AdminClient, type AgentClient, type Clients, connect, type NamespacePath, type Transport, type VisitorClient } from './clients.ts';

export const TEST_SECRET = 'test-secret-0123456789abcdef';

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a database file (restart tests). */
  dbPath?: string;
  store?: Store;
  registry?: PresenceRegistry;
  /** Keep the store open on close (the caller owns it). */
  keepStore?: boolean;
  /** Cluster mode: the node's Redis adapter, registry and heartbeat (closed with the app). */
  cluster?: Cluster;
  loginLimits?: LoginLimits;
  sessionWatchMs?: number;
  /** How often the node polls for account changes made elsewhere (default 1 s). */
  accountWatchMs?: number;
  /** The app's clock, and the store's when the helper opens it. */
  clock?: Clock;
  /** Listen on this port instead of a free one (a restarted server keeps its address). */
  port?: number;
  register?: boolean;
  /** Email worker timings (short leases and retries for the email tests). */
  emailTiming?: EmailTiming;
  /** Webhook worker timings (short give-up and disabling times for the webhook tests). */
  webhookTiming?: WebhookTiming;
  /** Every log line at every level goes here (tests that read the logs). */
  logStream?: { write(line: string): void };
}

export interface TestApp {
  url: string;
  app: App;
  store: Store;
  config: Config;
  dbPath: string;
  /** A new visitor session (HTTP) and its cookie. */
  visitorSession(body?: { name?: string; email?: string }): Promise<{ visitor: Visitor; cookie: string }>;
  visitor(transport: Transport, cookie?: string): Promise<{ socket: VisitorClient; cookie: string; visitor: Visitor }>;
  /** Creates an agent account (once per email) and logs in over HTTP. */
  login(email: string, opts?: { role?: Role; name?: string; password?: string }): Promise<{ agent: Agent; cookie: string }>;
  agent(transport: Transport, email?: string, opts?: { role?: Role; name?: string }): Promise<{ socket: AgentClient; cookie: string; agent: Agent }>;
  admin(transport: Transport, email?: string): Promise<{ socket: AdminClient; cookie: string; agent: Agent }>;
  connectAs<N extends NamespacePath>(ns: N, transport: Transport, cookie?: string, origin?: string): Promise<Clients[N]>;
  http(path: string, init?: RequestInit & { cookie?: string; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export function cookieOf(res: Response): string {
  const set = res.headers.getSetCookie();
  const sid = set.find((c) => c.startsWith('parley.sid='));
  if (!sid) throw new Error(`no session cookie in response (${res.status})`);
  return sid.split(';')[0];
}

export async function startApp(opts: StartOptions = {}): Promise<TestApp> {
  const dir = opts.dbPath ? null : mkdtempSync(join(tmpdir(), 'parley-test-'));
  const dbPath = opts.dbPath ?? join(dir!, 'parley.db');
  const config = loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PRESENCE_GRACE_MS: '0',
    DATABASE_URL: `sqlite:${dbPath}`,
    // Tests make hundreds of visitors and connections from one address; the attack suite tests the limits.
    NEW_VISITOR_RATE_LIMIT: '0',
    CONNECTIONS_PER_ADDRESS: '0',
    HTTP_RATE_LIMIT: '0',
    ...opts.env,
  });
  const logger = opts.logStream ? createLogger('trace', opts.logStream) : createLogger(config.logLevel);
  const store = opts.store ?? (await openSqliteStore(dbPath, { clock: opts.clock }));
  if (!opts.store) await store.migrate();
  const app = createApp({
    config,
    sessionSecret: TEST_SECRET,
    logger,
    store,
    registry: opts.registry,
    cluster: opts.cluster,
    // Tests log in hundreds of times from one address.
    loginLimits: opts.loginLimits ?? { perAccount: 5, perAddress: 10_000, perDevice: 10, windowMs: 15 * 60_000 },
    sessionWatchMs: opts.sessionWatchMs,
    accountWatchMs: opts.accountWatchMs,
    clock: opts.clock,
    emailTiming: opts.emailTiming,
    webhookTiming: opts.webhookTiming,
    // Tests create and sign in dozens of agents at once; production hashes one at a time (docs/SECURITY.md).
    passwordHashing: { concurrency: 4, maxWaiting: 1000 },
  });
  const address = await app.listen(opts.port ?? 0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}`;
  const sockets: Array<{ close(): void }> = [];
  const passwords = new Map<string, string>();

  async function http(path: string, init: RequestInit & { cookie?: string; json?: unknown } = {}) {
    const headers = new Headers(init.headers);
    if (init.cookie) headers.set('cookie', init.cookie);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(url + path, { ...init, headers, body });
  }

  async function connectAs<N extends NamespacePath>(ns: N, transport: Transport, cookie?: string, origin?: string): Promise<Clients[N]> {
    const socket = await connect(url, ns, { transport, cookie, origin });
    sockets.push(socket);
    return socket;
  }

  async function visitorSession(body: { name?: string; email?: string } = {}) {
    const res = await http('/api/visitor/session', { method: 'POST', json: body });
    if (res.status !== 200) throw new Error(`visitor session: ${res.status} ${await res.text()}`);
    const { visitor } = (await res.json()) as { visitor: Visitor };
    return { visitor, cookie: cookieOf(res) };
  }

  async function login(email: string, o: { role?: Role; name?: string; password?: string } = {}) {
    if (!passwords.has(email)) {
      const password = o.password ?? `pw-${email}-secret`;
      if (!(await store.getAgentByEmail(email))) {
        await app.accounts.createAgent({ email, name: o.name ?? email.split('@')[0], password, role: o.role ?? 'agent' });
      }
      passwords.set(email, password);
    }
    const res = await http('/api/login', { method: 'POST', json: { email, password: passwords.get(email) } });
    if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
    const { agent } = (await res.json()) as { agent: Agent };
    return { agent, cookie: cookieOf(res) };
  }

  let closed = false;
  const testApp: TestApp = {
    url,
    app,
    store,
    config,
    dbPath,
    visitorSession,
    async visitor(transport, cookie) {
      const session = cookie ? { cookie, visitor: null } : await visitorSession();
      const socket = await connectAs('/visitor', transport, session.cookie);
      const me = (await (await http('/api/me', { cookie: session.cookie })).json()) as { visitor: Visitor };
      return { socket, cookie: session.cookie, visitor: me.visitor };
    },
    login,
    async agent(transport, email = `agent-${sockets.length}-${Math.random().toString(36).slice(2, 8)}@example.com`, o = {}) {
      const { agent, cookie } = await login(email, o);
      return { socket: await connectAs('/agent', transport, cookie), cookie, agent };
    },
    async admin(transport, email = 'admin@example.com') {
      const { agent, cookie } = await login(email, { role: 'admin', name: 'Admin' });
      return { socket: await connectAs('/admin', transport, cookie), cookie, agent };
    },
    connectAs,
    http,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.close();
      await app.close();
      await opts.cluster?.close();
      if (!opts.keepStore && !opts.store) await store.close().catch(() => {});
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.register !== false) onTestFinished(() => testApp.close());
  return testApp;
}
