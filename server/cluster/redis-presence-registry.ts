// The cluster-wide presence registry: connection counts per person in Redis,
// so two tabs on two nodes are one participant. Each connection is also listed
// under its node, so when a node dies (no heartbeat) another node removes its
// connections and settles the people who had only those.

import type { Redis } from 'ioredis';
import { type Clock, systemClock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { prefixKind, type PresenceRegistry } from '../core/presence-registry.ts';
import { LUA_CONNECT, LUA_DISCONNECT, LUA_RESTORE, LUA_SETTLE } from './presence-scripts.ts';

const P = 'parley:presence';
const keys = {
  conns: (key: string) => `${P}:${key}:conns`,
  attrs: (key: string) => `${P}:${key}:attrs`,
  announced: (kind: string) => `${P}:announced:${kind}`,
  nodeConns: (node: string) => `parley:node:${node}:conns`,
  tombstone: (node: string) => `parley:node:${node}:reaped`,
  reapLock: (node: string) => `parley:node:${node}:reaping`,
  nodes: 'parley:nodes',
  pendingSettle: `${P}:pending-settle`,
};

function split(key: string): { kind: string; id: string } {
  const i = key.indexOf(':');
  return { kind: key.slice(0, i), id: key.slice(i + 1) };
}

type Scripted = Redis & {
  parleyConnect(...args: string[]): Promise<number>;
  parleyDisconnect(...args: string[]): Promise<number>;
  parleySettle(...args: string[]): Promise<number>;
  parleyRestore(...args: string[]): Promise<number>;
};

export interface RedisPresenceRegistry extends PresenceRegistry {
  readonly nodeId: string;
  /**
   * One heartbeat: records this node alive, reaps dead nodes and overdue
   * settles. Returns the person keys whose leave may now be due, and whether
   * this node's own registrations were lost (reaped, or Redis lost its data).
   */
  tick(now: number): Promise<{ maybeGone: string[]; lost: 'reaped' | 'wiped' | null }>;
  /** Re-registers local connections after a loss. With `announce`, returns the keys that became announced (joins due). */
  restore(entries: Array<{ key: string; connectionId: string }>, announce: boolean): Promise<string[]>;
  /** Removes this node from the cluster (clean shutdown). */
  leave(): Promise<string[]>;
}

export function createRedisPresenceRegistry(deps: {
  redis: Redis;
  nodeId: string;
  logger: Logger;
  graceMs: number;
  deadAfterMs: number;
  /** Every node's registry must read the same time: pending settles are due by it. */
  clock?: Clock;
}): RedisPresenceRegistry {
  const { nodeId, logger, graceMs, deadAfterMs, clock = systemClock } = deps;
  const redis = deps.redis as Scripted;
  redis.defineCommand('parleyConnect', { numberOfKeys: 3, lua: LUA_CONNECT });
  redis.defineCommand('parleyDisconnect', { numberOfKeys: 3, lua: LUA_DISCONNECT });
  redis.defineCommand('parleySettle', { numberOfKeys: 4, lua: LUA_SETTLE });
  redis.defineCommand('parleyRestore', { numberOfKeys: 3, lua: LUA_RESTORE });
  let registered = false;

  /** Removes every connection a node listed, returning the people affected. */
  async function reap(node: string): Promise<string[]> {
    const members = await redis.smembers(keys.nodeConns(node));
    const affected = new Set<string>();
    const tx = redis.multi();
    for (const m of members) {
      const bar = m.lastIndexOf('|');
      const key = m.slice(0, bar);
      tx.hdel(keys.conns(key), m.slice(bar + 1));
      affected.add(key);
    }
    return finishReap(tx, node, affected);
  }

  async function finishReap(tx: ReturnType<Redis['multi']>, node: string, affected: Set<string>): Promise<string[]> {
    // Listed as pending too, so some node settles them even if this one stops before it can.
    for (const key of affected) tx.zadd(keys.pendingSettle, clock.now(), key);
    tx.del(keys.nodeConns(node));
    tx.zrem(keys.nodes, node);
    tx.set(keys.tombstone(node), '1', 'PX', 3_600_000);
    await tx.exec();
    return [...affected];
  }

  const registry: RedisPresenceRegistry = {
    nodeId,
    async connect(key, connectionId) {
      const { id, kind } = split(key);
      return (await redis.parleyConnect(keys.conns(key), keys.announced(kind), keys.nodeConns(nodeId), connectionId, nodeId, id, key)) === 1;
    },
    async disconnect(key, connectionId) {
      // When the count reaches 0 the person is listed as pending: any node settles them if this one dies first.
      return redis.parleyDisconnect(keys.conns(key), keys.nodeConns(nodeId), keys.pendingSettle, connectionId, key, String(clock.now() + graceMs));
    },
    async settle(key) {
      const { id, kind } = split(key);
      return (await redis.parleySettle(keys.conns(key), keys.announced(kind), keys.attrs(key), keys.pendingSettle, id, key)) === 1;
    },
    async list(prefix) {
      const kind = prefixKind(prefix);
      const idPrefix = prefix.slice(kind.length + 1);
      const members = await redis.smembers(keys.announced(kind));
      const ids = idPrefix === '' ? members : members.filter((id) => id.startsWith(idPrefix));
      const out = new Map<string, number>();
      if (ids.length === 0) return out;
      const pipe = redis.pipeline();
      for (const id of ids) pipe.hlen(keys.conns(`${kind}:${id}`));
      const results = (await pipe.exec()) ?? [];
      ids.forEach((id, i) => out.set(`${kind}:${id}`, Number(results[i]?.[1] ?? 0)));
      return out;
    },
    async isAnnounced(key) {
      const { id, kind } = split(key);
      return (await redis.sismember(keys.announced(kind), id)) === 1;
    },
    async setAttr(key, field, value) {
      if (value === null) await redis.hdel(keys.attrs(key), field);
      else await redis.hset(keys.attrs(key), field, value);
    },
    async getAttrs(key) {
      return redis.hgetall(keys.attrs(key));
    },
    async getAttrsMany(people) {
      const out = new Map<string, Record<string, string>>();
      if (people.length === 0) return out;
      const pipe = redis.pipeline();
      for (const key of people) pipe.hgetall(keys.attrs(key));
      const results = (await pipe.exec()) ?? [];
      people.forEach((key, i) => {
        const [err, attrs] = results[i] ?? [new Error('presence: no reply to a pipelined HGETALL'), null];
        if (err) throw err;
        out.set(key, attrs as Record<string, string>);
      });
      return out;
    },
    async tick(now) {
      const [alive, tombstone] = await Promise.all([redis.zscore(keys.nodes, nodeId), redis.get(keys.tombstone(nodeId))]);
      let lost: 'reaped' | 'wiped' | null = null;
      if (registered && alive === null) lost = tombstone ? 'reaped' : 'wiped';
      if (tombstone) await redis.del(keys.tombstone(nodeId));
      await redis.zadd(keys.nodes, now, nodeId);
      registered = true;

      const maybeGone = new Set<string>();
      const dead = await redis.zrangebyscore(keys.nodes, '-inf', now - deadAfterMs);
      for (const node of dead) {
        if (node === nodeId) continue;
        // One reaper per dead node, whichever node gets there first.
        if ((await redis.set(keys.reapLock(node), nodeId, 'PX', 30_000, 'NX')) !== 'OK') continue;
        const affected = await reap(node);
        logger.warn({ event: 'cluster.node_reaped', node, connections: affected.length }, 'reaped a dead node');
        for (const k of affected) maybeGone.add(k);
      }
      // Leaves whose grace ran out on a node that is gone (or paused) before it could settle them.
      const overdue = await redis.zrangebyscore(keys.pendingSettle, '-inf', now - 2 * graceMs - 1000);
      for (const k of overdue) maybeGone.add(k);
      return { maybeGone: [...maybeGone], lost };
    },
    async restore(entries, announce) {
      const announced: string[] = [];
      for (const { key, connectionId } of entries) {
        const { id, kind } = split(key);
        const added = await redis.parleyRestore(keys.conns(key), keys.announced(kind), keys.nodeConns(nodeId), connectionId, nodeId, id, key, announce ? '1' : '0');
        if (added === 1) announced.push(key);
      }
      return announced;
    },
    async leave() {
      registered = false;
      return reap(nodeId).then(async (affected) => {
        await redis.del(keys.tombstone(nodeId));
        return affected;
      });
    },
    async close() {},
  };
  return registry;
}
