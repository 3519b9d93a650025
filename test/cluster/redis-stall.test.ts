// [REDISSTALL] Issue #15: a Redis stall longer than the dead-after time reaped a healthy node (a 20 s
// SIGSTOP of Redis: node B reaped node A and its 12 connections, then 28–31 false leave/offline
// events). Two nodes with clients through a SIGSTOPped redis-server: after SIGCONT nobody is reaped
// and nobody is told anyone left; a third node killed (-9) meanwhile is still reaped within its bound.

import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { type AdminClient, type AgentClient, type VisitorClient, connect, eventually, next, ok, record, sleep, visitorTyped } from '../helpers/clients.ts';
import { spawnNode } from '../helpers/node-process.ts';
import type { TestApp } from '../helpers/start-app.ts';
import { startCluster } from '../helpers/topology.ts';

const HEARTBEAT_MS = 300;
const DEAD_AFTER_MS = 1500;
/** Paused for over three times the dead-after time (the issue: 20 s against 12 s). */
const STALL_MS = 5000;

const actions = (events: Array<{ action: string; participant: { id: string } }>) => events.map((p) => `${p.action}:${p.participant.id}`);

describe('[REDISSTALL] a stalled Redis is not a dead node', () => {
  it('[REDISSTALL1] Redis SIGSTOPped 5 s (dead-after 1.5 s): after SIGCONT no node is reaped and no leave or offline reaches agents or admins; a node killed meanwhile is reaped within dead-after + 3 heartbeats', { timeout: 120_000 }, async () => {
    const c = await startCluster({ heartbeatMs: HEARTBEAT_MS, deadAfterMs: DEAD_AFTER_MS });
    const [a, b] = c.nodes;
    // The node that dies: a real process, so that kill -9 leaves its registrations behind as a crash does.
    const dying = await spawnNode({
      REDIS_URL: c.redis.url,
      DATABASE_URL: c.postgresUrl,
      PRESENCE_GRACE_MS: '0',
      CLUSTER_HEARTBEAT_MS: String(HEARTBEAT_MS),
      CLUSTER_DEAD_AFTER_MS: String(DEAD_AFTER_MS),
    });
    const { cookie: adminCookie } = await b.login('admin@example.com', { role: 'admin' });
    const admins: AdminClient[] = [await a.connectAs('/admin', 'websocket', adminCookie), await b.connectAs('/admin', 'websocket', adminCookie)];
    const { cookie: agentCookie } = await b.login('agent@example.com', { name: 'Agent' });
    // One agent with a tab on each node: every visitor's presence reaches both tabs.
    const agents: AgentClient[] = [await a.connectAs('/agent', 'websocket', agentCookie), await b.connectAs('/agent', 'websocket', agentCookie)];

    /** A visitor on `node` whose conversation the agent claimed; resolves once both agent tabs saw the visitor's join. */
    const visitorOn = async (node: TestApp | string) => {
      const { cookie, visitor } = await a.visitorSession();
      const socket: VisitorClient = typeof node === 'string' ? await connect(node, '/visitor', { transport: 'websocket', cookie }) : await node.connectAs('/visitor', 'websocket', cookie);
      const { message } = await ok(socket, 'message:send', { clientId: 'hello', body: 'hello' });
      const joins = agents.map((tab) => next(tab, 'presence', (p) => p.participant.id === visitor.id && p.action === 'join'));
      await ok(agents[1], 'conversation:claim', { conversationId: message.conversationId });
      await Promise.all(joins);
      return { id: visitor.id, socket, resyncs: record(socket, 'resync') };
    };
    // Twelve connections on each healthy node, as in the issue.
    const onA = [];
    const onB = [];
    for (let i = 0; i < 12; i++) {
      onA.push(await visitorOn(a));
      onB.push(await visitorOn(b));
    }
    const onDying = await visitorOn(dying.url);
    const healthy = [...onA, ...onB];
    // Every node's registrations are in and announced: each admin counts all 25 visitors and the agent's two tabs.
    for (const admin of admins) {
      await eventually(
        async () => {
          const s = await ok(admin, 'online:get');
          return s.visitors.length === 25 && s.visitors.every((v) => v.connections === 1) && s.agents.find((x) => x.name === 'Agent')?.connections === 2;
        },
        10_000,
        'every visitor and both agent tabs counted',
      );
    }
    const presence = agents.map((tab) => record(tab, 'presence'));
    const online = admins.map((admin) => record(admin, 'online'));

    c.redis.pause();
    dying.signal('SIGKILL');
    await dying.exited;
    // The stall is the scenario: every node's heartbeat waits in Redis's socket buffers meanwhile.
    await sleep(STALL_MS);
    c.redis.resume();
    const resumedAt = Date.now();

    // The dead node's visitor leaves, seen on both agent tabs.
    await eventually(
      () => presence.every((seen) => seen.some((p) => p.participant.id === onDying.id && p.action === 'leave')),
      15_000,
      () => `the dead node's visitor's leave on both agent tabs; seen: ${JSON.stringify(presence.map(actions))}`,
    );
    const leaveAfter = Date.now() - resumedAt;
    // Heartbeats stamped after the leave was seen, on both healthy nodes: every heartbeat before them, with
    // whatever it reaped and settled (and the events of that), has finished. And a few more rounds.
    await heartbeatsAfter(c.redis.url, ['A', 'B'], Date.now() + 3 * HEARTBEAT_MS);
    // Barriers: for each agent tab, a visitor on each healthy node types; anything that node sent that tab
    // before (locally, or through its one Redis publisher) came first. Then a round trip on each admin socket.
    for (const tab of agents) for (const v of [onA[0], onB[0]]) await visitorTyped(tab, v.socket, v.id);
    const snapshots = await Promise.all(admins.map((admin) => ok(admin, 'online:get')));

    expect(presence.map(actions), 'presence seen by the agent tabs on A and B').toEqual([[`leave:${onDying.id}`], [`leave:${onDying.id}`]]);
    expect(online.map((seen) => seen.map((e) => `${e.action}:${e.id}`)), 'online events seen by the admins on A and B').toEqual([
      [`offline:${onDying.id}`],
      [`offline:${onDying.id}`],
    ]);
    for (const s of snapshots) {
      expect(s.visitors.map((v) => [v.id, v.connections]).sort(), 'visitors online').toEqual(healthy.map((v) => [v.id, 1]).sort());
      expect(s.agents.find((x) => x.name === 'Agent')?.connections).toBe(2);
    }
    // A node that finds itself reaped re-registers and tells its clients to resync: none did.
    expect(healthy.flatMap((v) => v.resyncs.filter((r) => r.reason === 'node_resumed'))).toEqual([]);
    expect(healthy.every((v) => v.socket.connected)).toBe(true);
    const redis = new Redis(c.redis.url);
    try {
      expect((await redis.zrange('parley:nodes', 0, -1)).sort()).toEqual(['A', 'B']);
    } finally {
      redis.disconnect();
    }
    // The bound for the dead node: its last heartbeat may have landed at the resume; then dead-after, the
    // heartbeat that noticed, and one more for the healthy nodes' own first (late) heartbeat after the stall.
    expect(leaveAfter).toBeLessThan(DEAD_AFTER_MS + 3 * HEARTBEAT_MS + 1000);
  });
});

/** Resolves once every node in `nodes` has a heartbeat stamped after `after` (epoch ms) in `parley:nodes`. */
async function heartbeatsAfter(redisUrl: string, nodes: string[], after: number): Promise<void> {
  const redis = new Redis(redisUrl);
  let scores: Array<string | null> = [];
  try {
    await eventually(
      async () => {
        scores = await Promise.all(nodes.map((n) => redis.zscore('parley:nodes', n)));
        return scores.every((s) => s !== null && Number(s) > after);
      },
      10_000,
      () => `heartbeats of ${nodes.join(', ')} after ${after}; last: ${JSON.stringify(scores)}`,
    );
  } finally {
    redis.disconnect();
  }
}
