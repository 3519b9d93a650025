// The cluster-wide presence registry: connection counts per person in Redis,
// so two tabs on two nodes are one participant. Each connection is also listed
// under its node, so when a node dies (no heartbeat) another node removes its
// connections and settles the people who had only those.

import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { prefixKind, type PresenceRegistry } from '../core/presence-registry.ts';
import { LUA_CONNECT, LUA_DISCONNECT, LUA_HEARTBEAT, LUA_REAP, LUA_RESTORE, LUA_SETTLE } from './presence-scripts.ts';

const P = 'parley:presence';
const keys = {
  conns: (key: string) => `${P}:${key}:conns`,
  attrs: (key: string) => `${P}:${key}:attrs`,
  announced: (kind: string) => `${P}:announced:${kind}`,
  nodeConns: (node: string) => `parley:node:${node}:conns`,
  tombstone: (node: string) => `parley:node:${node}:reaped`,
  nodes: 'parley:nodes',
  pendingSettle: `${P}:pending-settle`,
};

/** How long a reaped node's tombstone tells it, when it comes back, that others saw its people leave. */
const TOMBSTONE_MS = 3_600_000;

function split(key: string): { kind: string; id: string } {
  const i = key.indexOf(':');
  return { kind: key.slice(0, i), id: key.slice(i + 1) };
}

type HeartbeatReply = [listed: number, reaped: number, gapMs: number, candidates: string[], overdue: string[]];

type Scripted = Redis & {
  parleyConnect(...args: string[]): Promise<number>;
  parleyDisconnect(...args: string[]): Promise<number>;
  parleySettle(...args: string[]): Promise<number>;
  parleyRestore(...args: string[]): Promise<number>;
  parleyHeartbeat(...args: string[]): Promise<HeartbeatReply>;
  /** numberOfKeys first: a reap names one key per connection. */
  parleyReap(...args: Array<string | number>): Promise<number>;
};

export interface Heartbeat {
  /** Person keys whose leave may now be due (a reaped node's people, overdue settles). */
  maybeGone: string[];
  /** This node's own registrations were lost: reaped by another node, or Redis lost its data. */
  lost: 'reaped' | 'wiped' | null;
  /** Milliseconds between this node's previous heartbeat and this one, by Redis's clock (null on the first). */
  gapMs: number | null;
  /** The gap was over dead-after minus one heartbeat: this heartbeat judged no other node. */
  late: boolean;
  /** Nodes this heartbeat found dead and reaped. */
  reaped: string[];
}

export interface RedisPresenceRegistry extends PresenceRegistry {
  readonly nodeId: string;
  /**
   * One heartbeat: records this node alive (at Redis's time), reaps dead nodes and finds overdue
   * settles. A node only reaps others while its own heartbeats arrive on time.
   */
  tick(): Promise<Heartbeat>;
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
  /** How often tick() is called. */
  heartbeatMs: number;
  /** A node whose last heartbeat is older than this (by Redis's clock) is dead. */
  deadAfterMs: number;
}): RedisPresenceRegistry {
  const { nodeId, logger, graceMs, heartbeatMs, deadAfterMs } = deps;
  if (!(deadAfterMs > heartbeatMs)) throw new Error(`presence: deadAfterMs (${deadAfterMs}) must exceed heartbeatMs (${heartbeatMs})`);
  // The longest this node's own heartbeats may be apart for it to judge others. A stall (of Redis, of
  // the network to it, of the whole host) delays every node's heartbeat alike, and then whoever lands
  // first would see the others silent; a node that was heard itself all along, at most this gap apart,
  // knows that a node silent for dead-after went silent while it was heard.
  const maxGapMs = deadAfterMs - heartbeatMs;
  const redis = deps.redis as Scripted;
  redis.defineCommand('parleyConnect', { numberOfKeys: 3, lua: LUA_CONNECT });
  redis.defineCommand('parleyDisconnect', { numberOfKeys: 3, lua: LUA_DISCONNECT });
  redis.defineCommand('parleySettle', { numberOfKeys: 4, lua: LUA_SETTLE });
  redis.defineCommand('parleyRestore', { numberOfKeys: 3, lua: LUA_RESTORE });
  redis.defineCommand('parleyHeartbeat', { numberOfKeys: 3, lua: LUA_HEARTBEAT });
  redis.defineCommand('parleyReap', { lua: LUA_REAP });
  let registered = false;

  /**
   * Removes every connection `node` listed (`reaper` null: this node leaving), returning the people
   * affected, or null when the script refused (the node is alive again, or this node's heartbeat is stale).
   */
  async function reap(node: string, reaper: string | null): Promise<string[] | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const members = await redis.smembers(keys.nodeConns(node));
      const connKeys: string[] = [];
      const args: string[] = [];
      const affected = new Set<string>();
      for (const m of members) {
        const bar = m.lastIndexOf('|');
        const key = m.slice(0, bar);
        connKeys.push(keys.conns(key));
        args.push(m.slice(bar + 1), key);
        affected.add(key);
      }
      const scriptKeys = [keys.nodes, keys.nodeConns(node), keys.tombstone(node), keys.pendingSettle, ...connKeys];
      const result = await redis.parleyReap(
        scriptKeys.length,
        ...scriptKeys,
        node,
        reaper ?? '',
        String(deadAfterMs),
        String(maxGapMs),
        String(TOMBSTONE_MS),
        String(members.length),
        ...args,
      );
      if (result === -1) return null;
      if (result >= 0) return [...affected];
      // -2: its list changed between SMEMBERS and the script (this node leaving while sockets close): read it again.
    }
    return null;
  }

  const registry: RedisPresenceRegistry = {
    nodeId,
    async connect(key, connectionId) {
      const { id, kind } = split(key);
      return (await redis.parleyConnect(keys.conns(key), keys.announced(kind), keys.nodeConns(nodeId), connectionId, nodeId, id, key)) === 1;
    },
    async disconnect(key, connectionId) {
      // When the count reaches 0 the person is listed as pending: any node settles them if this one dies first.
      return redis.parleyDisconnect(keys.conns(key), keys.nodeConns(nodeId), keys.pendingSettle, connectionId, key, String(graceMs));
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
    async tick() {
      const [listed, wasReaped, gap, candidates, overdue] = await redis.parleyHeartbeat(
        keys.nodes,
        keys.tombstone(nodeId),
        keys.pendingSettle,
        nodeId,
        String(deadAfterMs),
        String(maxGapMs),
        // Leaves whose grace ran out on a node that is gone (or paused) before it could settle them.
        String(2 * graceMs + 1000),
      );
      let lost: Heartbeat['lost'] = null;
      if (registered && listed === 0) lost = wasReaped ? 'reaped' : 'wiped';
      registered = true;

      const maybeGone = new Set<string>(overdue);
      const reaped: string[] = [];
      for (const node of candidates) {
        if (node === nodeId) continue;
        const affected = await reap(node, nodeId);
        if (affected === null) continue; // back, reaped by another node, or this one fell behind meanwhile
        logger.warn({ event: 'cluster.node_reaped', node, connections: affected.length }, 'reaped a dead node');
        reaped.push(node);
        for (const k of affected) maybeGone.add(k);
      }
      const gapMs = listed === 1 ? gap : null;
      return { maybeGone: [...maybeGone], lost, gapMs, late: gapMs !== null && gapMs > maxGapMs, reaped };
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
      const affected = (await reap(nodeId, null)) ?? [];
      await redis.del(keys.tombstone(nodeId));
      return affected;
    },
    async close() {},
  };
  return registry;
}
