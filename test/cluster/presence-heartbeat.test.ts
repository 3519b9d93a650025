// [HEARTBEAT] The Redis presence registry's heartbeats (server/cluster/redis-presence-registry.ts)
// tell a stalled Redis from a dead node: two registries on a private redis-server, driven tick by
// tick. Redis paused with SIGSTOP for longer than the dead-after time reaps nobody; a node that
// really stopped heartbeating is reaped within dead-after plus a heartbeat or two.

import { describe, expect, it, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { createRedisPresenceRegistry, type Heartbeat, type RedisPresenceRegistry } from '../../server/cluster/redis-presence-registry.ts';
import { createLogger } from '../../server/logger.ts';
import { sleep } from '../helpers/clients.ts';
import { startRedis } from '../helpers/services.ts';

const HEARTBEAT_MS = 200;
const DEAD_AFTER_MS = 1000;

async function setup() {
  const server = await startRedis();
  const clients: Redis[] = [];
  onTestFinished(async () => {
    for (const c of clients) c.disconnect();
    await server.stop();
  });
  const node = (nodeId: string): RedisPresenceRegistry => {
    // As open-cluster.ts connects: commands wait (no retry limit) while Redis does not answer.
    const redis = new Redis(server.url, { maxRetriesPerRequest: null });
    clients.push(redis);
    return createRedisPresenceRegistry({ redis, nodeId, logger: createLogger('silent'), graceMs: 0, heartbeatMs: HEARTBEAT_MS, deadAfterMs: DEAD_AFTER_MS });
  };
  const plain = new Redis(server.url, { maxRetriesPerRequest: null });
  clients.push(plain);
  return { server, node, plain };
}

/**
 * Heartbeats as open-cluster.ts runs them: one every HEARTBEAT_MS on a timer, skipped while the previous
 * one is still waiting for Redis. Records every outcome until stopped.
 */
function beat(registry: RedisPresenceRegistry) {
  const outcomes: Heartbeat[] = [];
  const errors: unknown[] = [];
  let ticking: Promise<void> | null = null;
  const tick = () => {
    ticking ??= registry
      .tick()
      .then(
        (o) => void outcomes.push(o),
        (err: unknown) => void errors.push(err),
      )
      .finally(() => {
        ticking = null;
      });
  };
  const timer = setInterval(tick, HEARTBEAT_MS);
  tick();
  return {
    outcomes,
    /** Resolves once the heartbeat in flight, if any, has finished. */
    async stop() {
      clearInterval(timer);
      await ticking;
      if (errors.length) throw errors[0];
    },
    /** Resolves after `n` more heartbeats have finished. */
    async more(n: number) {
      const target = outcomes.length + n;
      while (outcomes.length < target) {
        if (errors.length) throw errors[0];
        await sleep(10);
      }
    },
  };
}

describe('[HEARTBEAT] a stalled Redis is not a dead node', () => {
  it('[HEARTBEAT1] Redis paused 3× the dead-after time: after SIGCONT nobody is reaped, nothing is lost, nobody is told to leave', { timeout: 30_000 }, async () => {
    const { server, node, plain } = await setup();
    const a = node('A');
    const b = node('B');
    await a.connect('visitor:on-a', 'conn-a');
    await b.connect('visitor:on-b', 'conn-b');
    // Nodes start at different moments, so their heartbeats keep different phases.
    const beatA = beat(a);
    await sleep(HEARTBEAT_MS / 2);
    const beatB = beat(b);
    await Promise.all([beatA.more(3), beatB.more(3)]);

    server.pause();
    // The stall is the scenario: both nodes' heartbeats wait in Redis's socket buffers meanwhile.
    await sleep(3 * DEAD_AFTER_MS);
    server.resume();
    // Well past the point where either node, judging by its own clock, would have found the other silent.
    await Promise.all([beatA.more(2 * DEAD_AFTER_MS / HEARTBEAT_MS), beatB.more(2 * DEAD_AFTER_MS / HEARTBEAT_MS)]);
    await Promise.all([beatA.stop(), beatB.stop()]);

    const gone = [...beatA.outcomes, ...beatB.outcomes].flatMap((o) => o.maybeGone);
    const lost = [...beatA.outcomes, ...beatB.outcomes].map((o) => o.lost).filter((l) => l !== null);
    expect(gone, 'people a heartbeat found gone').toEqual([]);
    expect(lost, 'registrations a node found lost').toEqual([]);
    expect((await plain.zrange('parley:nodes', 0, -1)).sort()).toEqual(['A', 'B']);
    expect(await a.list('visitor:')).toEqual(
      new Map([
        ['visitor:on-a', 1],
        ['visitor:on-b', 1],
      ]),
    );
    expect(await plain.exists('parley:node:A:reaped', 'parley:node:B:reaped')).toBe(0);
  });

  it('[HEARTBEAT3] every node and Redis frozen together (a suspended VM): the first node back judges nobody until its own heartbeats are on time again', { timeout: 30_000 }, async () => {
    const { node, plain } = await setup();
    const a = node('A');
    const b = node('B');
    await b.connect('visitor:on-b', 'conn-b');
    let beatA = beat(a);
    await sleep(HEARTBEAT_MS / 2);
    let beatB = beat(b);
    await Promise.all([beatA.more(3), beatB.more(3)]);

    // Nothing runs for three times the dead-after time: no heartbeat is even sent.
    await Promise.all([beatA.stop(), beatB.stop()]);
    await sleep(3 * DEAD_AFTER_MS);
    // A wakes first; B a moment later (its timer's phase).
    beatA = beat(a);
    await beatA.more(1);
    expect(beatA.outcomes[0], "A's first heartbeat after the freeze").toMatchObject({ maybeGone: [], lost: null, late: true });
    beatB = beat(b);
    await Promise.all([beatA.more(2 * DEAD_AFTER_MS / HEARTBEAT_MS), beatB.more(2 * DEAD_AFTER_MS / HEARTBEAT_MS)]);
    await Promise.all([beatA.stop(), beatB.stop()]);

    expect([...beatA.outcomes, ...beatB.outcomes].flatMap((o) => o.maybeGone)).toEqual([]);
    expect([...beatA.outcomes, ...beatB.outcomes].map((o) => o.lost).filter((l) => l !== null)).toEqual([]);
    expect((await plain.zrange('parley:nodes', 0, -1)).sort()).toEqual(['A', 'B']);
    expect(await a.list('visitor:')).toEqual(new Map([['visitor:on-b', 1]]));
  });

  it('[HEARTBEAT2] a node that stops heartbeating is reaped within dead-after + 2 heartbeats, by one node, once', { timeout: 30_000 }, async () => {
    const { node } = await setup();
    const a = node('A');
    const b = node('B');
    const c = node('C');
    await c.connect('visitor:on-c', 'conn-c');
    await b.connect('visitor:on-b', 'conn-b');
    const beats = [beat(a), beat(b), beat(c)];
    await Promise.all(beats.map((x) => x.more(3)));

    // C dies: no more heartbeats, no clean leave.
    await beats[2].stop();
    const diedAt = Date.now();
    const reapedBy = () => beats.slice(0, 2).flatMap((x, i) => (x.outcomes.some((o) => o.maybeGone.includes('visitor:on-c')) ? ['AB'[i]] : []));
    while (reapedBy().length === 0 && Date.now() - diedAt < 10_000) await sleep(10);
    const reapedAfter = Date.now() - diedAt;
    await Promise.all(beats.slice(0, 2).map((x) => x.more(3)));
    await Promise.all(beats.slice(0, 2).map((x) => x.stop()));

    expect(reapedBy(), 'nodes that reaped C').toHaveLength(1);
    expect(reapedAfter).toBeGreaterThanOrEqual(DEAD_AFTER_MS - HEARTBEAT_MS);
    // On a loaded two-core machine a heartbeat can be late; the bound is what the docs promise.
    expect(reapedAfter).toBeLessThan(DEAD_AFTER_MS + 3 * HEARTBEAT_MS + 1000);
    expect(await a.settle('visitor:on-c')).toBe(true); // the leave is due, once
    expect(await a.list('visitor:')).toEqual(new Map([['visitor:on-b', 1]]));
    // Nobody else was touched.
    for (const x of beats.slice(0, 2)) expect(x.outcomes.flatMap((o) => o.maybeGone).filter((k) => k !== 'visitor:on-c')).toEqual([]);
  });
});
