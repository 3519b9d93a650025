// Cluster mode (REDIS_URL): the Socket.IO Redis adapter for fan-out, the Redis
// presence registry, node heartbeats, and a resync of every local client when
// Redis comes back (Pub/Sub is at most once; history:get fills the gap).
// Without REDIS_URL this returns null and nothing changes.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createAdapter } from '@socket.io/redis-adapter';
import { type Clock, systemClock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Cluster } from './cluster.ts';
import type { Logger } from '../logger.ts';
import { backlog, createRedis, guardPublish } from './redis-clients.ts';
import { createRedisPresenceRegistry } from './redis-presence-registry.ts';

export interface ClusterOptions {
  /** Default: config.clusterHeartbeatMs (CLUSTER_HEARTBEAT_MS). */
  heartbeatMs?: number;
  /** Default: config.clusterDeadAfterMs (CLUSTER_DEAD_AFTER_MS). */
  deadAfterMs?: number;
  maxBacklog?: number;
  nodeId?: string;
  clock?: Clock;
}

export async function openCluster(config: Config, logger: Logger, opts: ClusterOptions = {}): Promise<Cluster | null> {
  if (config.redisUrl === null) return null;
  const { heartbeatMs = config.clusterHeartbeatMs, deadAfterMs = config.clusterDeadAfterMs, maxBacklog = 5000, clock = systemClock } = opts;
  const nodeId = opts.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = logger.child({ node: nodeId });
  const pub = createRedis(config.redisUrl, log, 'pub');
  const sub = createRedis(config.redisUrl, log, 'sub');
  const state = createRedis(config.redisUrl, log, 'state');
  guardPublish(pub, log);
  const registry = createRedisPresenceRegistry({ redis: state, nodeId, logger: log, graceMs: config.presenceGraceMs, heartbeatMs, deadAfterMs });
  let timer: NodeJS.Timeout | null = null;
  let ticking = false;

  return {
    nodeId,
    registry,
    installAdapter(io) {
      io.adapter(createAdapter(pub, sub, { key: 'parley', requestsTimeout: 3000 }));
    },
    attach(hooks) {
      const tick = async () => {
        if (ticking) return;
        ticking = true;
        try {
          const started = clock.now();
          const { maybeGone, lost, gapMs, late, reaped } = await registry.tick();
          if (late) {
            // Our own heartbeats were held up (Redis stalled or unreachable, or this process paused): the
            // other nodes' were too, so their silence proves nothing this round.
            log.warn({ event: 'cluster.heartbeat_late', gapMs, waitedMs: clock.now() - started }, 'heartbeats were held up: judging no node this round');
          }
          if (lost) {
            // Reaped while paused: others saw our people leave, so they must join again.
            // Redis lost its data: nobody saw a leave, so restore silently.
            const announced = await registry.restore(hooks.localConnections(), lost === 'reaped');
            log.warn({ event: 'cluster.registrations_restored', cause: lost, joins: announced.length }, 'presence re-registered');
            for (const key of announced) await hooks.online(key);
            hooks.resync(lost === 'reaped' ? 'node_resumed' : 'presence_restored');
          }
          for (const key of maybeGone) await hooks.settle(key);
          // What the dead node committed but had not yet published (a claim's queue:remove and
          // snapshot, a message) reached nobody: every client in the cluster asks again.
          if (reaped.length) hooks.resync('node_reaped', 'cluster');
        } catch (err) {
          log.warn({ event: 'cluster.tick_failed', err: { message: (err as Error).message } }, 'cluster heartbeat failed');
        } finally {
          ticking = false;
        }
      };
      timer = setInterval(() => void tick(), heartbeatMs);
      timer.unref();
      void tick();
      // The subscriber missed whatever was published while it was away.
      let subDown = false;
      sub.on('close', () => {
        subDown = true;
      });
      sub.on('ready', () => {
        if (!subDown) return;
        subDown = false;
        hooks.resync('redis_reconnected');
      });
    },
    readinessChecks: [
      {
        name: 'redis',
        check: async () => {
          if (state.status !== 'ready') throw new Error(`redis ${state.status}`);
          await state.ping();
        },
      },
    ],
    overloaded: () => backlog(pub) > maxBacklog,
    async close() {
      if (timer) clearInterval(timer);
      try {
        if (state.status === 'ready') await registry.leave();
      } catch (err) {
        log.warn({ event: 'cluster.leave_failed', err: { message: (err as Error).message } }, 'could not leave the cluster cleanly');
      }
      for (const c of [pub, sub, state]) c.disconnect();
    },
  };
}
