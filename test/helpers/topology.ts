// Runs the same protocol tests on one node (SQLite) or on two nodes sharing
// PostgreSQL and a private Redis. In the cluster, visitors connect to node A,
// agents to node B, and extra tabs alternate between the nodes.

import { onTestFinished } from 'vitest';
import { openCluster } from '../../server/cluster/open-cluster.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { openPostgresStore } from '../../server/store/postgres/postgres-store.ts';
import type { Store } from '../../server/store/store.ts';
import { TRANSPORTS, type Transport } from './clients.ts';
import { startRedis, type RedisServer } from './services.ts';
import { type StartOptions, type TestApp, TEST_SECRET, startApp } from './start-app.ts';
import { freshPostgresUrl } from './test-services.ts';

export type Topology = 'single' | 'cluster';
export const TOPOLOGIES: Topology[] = ['single', 'cluster'];
export const MATRIX: Array<[Topology, Transport]> = TOPOLOGIES.flatMap((t) => TRANSPORTS.map((tr): [Topology, Transport] => [t, tr]));

export interface ClusterTestApp extends TestApp {
  nodes: TestApp[];
  redis: RedisServer;
  postgresUrl: string;
  /** Starts one more node on the same database and Redis (e.g. to replace a dead one). */
  addNode(options?: { heartbeatMs?: number; deadAfterMs?: number }): Promise<TestApp>;
}

export interface ClusterOptions {
  env?: Record<string, string>;
  /** How often each node polls for account changes (a long one leaves Redis as the only way between nodes). */
  accountWatchMs?: number;
  heartbeatMs?: number;
  deadAfterMs?: number;
  emailTiming?: StartOptions['emailTiming'];
  webhookTiming?: StartOptions['webhookTiming'];
}

export async function startNode(
  redisUrl: string,
  postgresUrl: string,
  nodeId: string,
  opts: ClusterOptions & { register?: boolean } = {},
): Promise<TestApp> {
  const env = { REDIS_URL: redisUrl, DATABASE_URL: postgresUrl, ...opts.env };
  const config = loadConfig({ NODE_ENV: 'test', SESSION_SECRET: TEST_SECRET, PRESENCE_GRACE_MS: '0', ...env });
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const store: Store = await openPostgresStore(postgresUrl, { logger });
  await store.migrate();
  const cluster = await openCluster(config, logger, { nodeId, heartbeatMs: opts.heartbeatMs ?? 300, deadAfterMs: opts.deadAfterMs ?? 1500 });
  const node = await startApp({ store, cluster: cluster!, env, register: opts.register, accountWatchMs: opts.accountWatchMs, emailTiming: opts.emailTiming, webhookTiming: opts.webhookTiming });
  const close = node.close;
  node.close = async () => {
    await close();
    await store.close().catch(() => {});
  };
  return node;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<ClusterTestApp> {
  const redis = await startRedis();
  const postgresUrl = await freshPostgresUrl();
  const nodes = [await startNode(redis.url, postgresUrl, 'A', { ...opts, register: false }), await startNode(redis.url, postgresUrl, 'B', { ...opts, register: false })];
  const [a, b] = nodes;
  let tabs = 0;
  let closed = false;
  const clusterApp: ClusterTestApp = {
    ...a,
    nodes,
    redis,
    postgresUrl,
    async addNode(o = {}) {
      const node = await startNode(redis.url, postgresUrl, String.fromCharCode(65 + nodes.length), { ...opts, ...o, register: false });
      nodes.push(node);
      return node;
    },
    visitorSession: (body) => a.visitorSession(body),
    visitor: (transport, cookie) => a.visitor(transport, cookie),
    login: (email, o) => b.login(email, o),
    agent: (transport, email, o) => b.agent(transport, email, o),
    admin: (transport, email) => b.admin(transport, email),
    connectAs: (ns, transport, cookie, origin) => nodes[tabs++ % 2].connectAs(ns, transport, cookie, origin),
    http: (path, init) => a.http(path, init),
    async close() {
      if (closed) return;
      closed = true;
      for (const n of nodes) await n.close();
      await redis.stop();
    },
  };
  onTestFinished(() => clusterApp.close());
  return clusterApp;
}

/** One node or a two-node cluster, with the same TestApp surface. */
export function startTopology(topology: Topology, opts: StartOptions = {}): Promise<TestApp> {
  return topology === 'single' ? startApp(opts) : startCluster({ env: opts.env });
}
