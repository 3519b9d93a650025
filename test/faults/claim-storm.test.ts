// [FAULT-CLAIM] 200 queued conversations, 50 agents on two nodes claiming them from their consoles
// (each picks one of the first ten waiting, greets the visitor, takes a moment, picks the next), and
// one node killed with kill -9 once 40% are claimed (started again 5 s later). Each conversation ends
// up claimed exactly once, by the agent the database names, whose console lists it as theirs; none is
// left waiting unseen or active unknown to its agent; then the standard checkers over the greetings
// and a few more messages each way.

import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/clients.ts';
import { sample } from './checker.ts';
import { conclude } from './conclude.ts';
import { loadProfile } from './profile.ts';
import { type AckRecord, createRecorder } from './recorder.ts';
import { seconds } from './report.ts';
import { DEFAULT_BOUNDS, finish, sleep } from './scenario.ts';
import { startStack } from './stack.ts';
import { installSessionStorage } from './tab-storage.ts';
import { startTraffic } from './traffic.ts';
import { addAdmin, addAgents, addVisitors, type AgentPerson, createWorld, writers } from './world.ts';

const KILL_AT = 0.4;
const DOWN_MS = 5000;
const CLAIM_PHASE_MS = 90_000;
/** Conversations an agent picks from: the top of the queue, where everyone looks. */
const PICK_FROM = 10;
/** Between two claims of one agent, on average. */
const THINK_MS = 2000;
/** Messages per second each party writes once every conversation is claimed. */
const AFTER_RATE = 0.1;

describe('[FAULT-CLAIM] claim storm with a node killed mid-claim', () => {
  it('[FAULT-CLAIM1] every conversation claimed exactly once, none orphaned; 0 lost, 0 duplicated, 0 reordered; no flicker', { timeout: loadProfile().name === 'long' ? 600_000 : 300_000 }, async () => {
    installSessionStorage();
    const profile = loadProfile();
    const began = performance.now();
    const rec = createRecorder();
    const stack = await startStack({ engine: 'postgres', nodes: 2, agents: profile.claimAgents });
    const world = createWorld(stack, rec);
    await addAdmin(world);
    await addVisitors(world, profile.claimConversations, { width: 20 });
    await addAgents(world, stack.accounts.agents);
    const total = world.visitors.length;
    await eventually(() => world.agents.every((a) => a.console.queue().length === total), 30_000, `every console shows the ${total} waiting`);

    const notes: string[] = [`set up ${total} visitors, ${world.agents.length} agents and an admin in ${((performance.now() - began) / 1000).toFixed(1)} s`];
    const failures: string[] = [];
    const fail = (ok: boolean, text: string) => {
      expect.soft(ok, text).toBe(true);
      if (!ok) failures.push(text);
    };
    const claims: Array<{ agent: AgentPerson; conversationId: string; answer: AckRecord }> = [];
    const okClaims = () => claims.filter((c) => c.answer.outcome === 'ok').length;
    const deadline = performance.now() + CLAIM_PHASE_MS;
    let queuedLeft = total;
    const watchQueue = (async () => {
      while (queuedLeft > 0 && performance.now() < deadline) {
        const s = await stack.snapshot();
        queuedLeft = [...s.conversations.values()].filter((c) => c.status === 'queued').length;
        await sleep(500);
      }
    })();
    const claimLoop = async (a: AgentPerson) => {
      while (queuedLeft > 0 && performance.now() < deadline) {
        if (!a.console.socket.connected) {
          await eventually(() => a.console.socket.connected, 30_000).catch(() => {});
          continue;
        }
        const queue = a.console.queue();
        if (!queue.length) {
          await sleep(250);
          continue;
        }
        const conversationId = queue[Math.floor(Math.random() * Math.min(PICK_FROM, queue.length))];
        const answer = await a.console.claim(conversationId);
        claims.push({ agent: a, conversationId, answer });
        if (answer.outcome === 'ok') a.console.write(conversationId, `a${a.n} greets`);
        // Reading the conversation, greeting, looking back at the queue.
        await sleep(THINK_MS * (0.5 + Math.random()));
      }
    };
    const fault = (async () => {
      await eventually(() => okClaims() >= total * KILL_AT, CLAIM_PHASE_MS, `${KILL_AT * 100}% claimed`);
      rec.fault('kill -9 A');
      const killedAt = rec.now();
      await stack.kill(0);
      const claimedBefore = okClaims();
      await sleep(DOWN_MS);
      rec.fault('start A');
      await stack.start(0);
      const inFlight = claims.filter((c) => c.answer.outcome === 'rejected' && c.answer.sentAt <= killedAt && c.answer.t >= killedAt).length;
      notes.push(`node A killed when ${claimedBefore} of ${total} claims had succeeded; ${inFlight} claims in flight on it were answered by the disconnect; restarted ${DOWN_MS / 1000} s later`);
    })();
    const claimsBegan = performance.now();
    await Promise.all([...world.agents.map(claimLoop), watchQueue, fault]);
    notes.push(`claim phase: ${((performance.now() - claimsBegan) / 1000).toFixed(1)} s`);

    // Who has what, by the database; then a few messages each way in every conversation.
    const claimed = await stack.snapshot();
    /** When each agent took part: their ok answer, else the first snapshot telling them. */
    const joined = new Map<string, number>();
    for (const v of world.visitors) {
      const id = v.conversationId!;
      const agentId = claimed.conversations.get(id)?.agentId;
      const agent = world.agents.find((a) => a.agent.id === agentId);
      world.participants.set(id, agent ? [v.key, agent.key] : [v.key]);
      if (!agent) continue;
      const ok = claims.find((l) => l.conversationId === id && l.answer.outcome === 'ok');
      const told = agent.console.log.snapshots.find((x) => x.conversationId === id && x.status === 'active');
      joined.set(`${id}|${agent.key}`, ok?.answer.t ?? told?.t ?? rec.now());
    }
    rec.fault('traffic');
    const traffic = startTraffic(writers(world), { rate: AFTER_RATE, maxMs: 60_000 });
    await sleep(profile.recoveryMs);
    const c = await conclude(world, traffic, { joined });

    // ---- claims: exactly once, by the database's agent, known to that agent's console only.
    const byConversation = new Map<string, typeof claims>();
    for (const cl of claims) byConversation.set(cl.conversationId, [...(byConversation.get(cl.conversationId) ?? []), cl]);
    const stillQueued = [...c.snapshot.conversations.values()].filter((x) => x.status === 'queued');
    const twice = [...byConversation].filter(([, list]) => list.filter((l) => l.answer.outcome === 'ok').length > 1).map(([id]) => id);
    const wrongAgent = claims.filter((l) => l.answer.outcome === 'ok' && c.snapshot.conversations.get(l.conversationId)?.agentId !== l.agent.agent.id);
    const active = [...c.snapshot.conversations.values()].filter((x) => x.status === 'active');
    const unknownToAgent = active.filter((x) => !world.agents.find((a) => a.agent.id === x.agentId)?.console.mine().includes(x.id));
    const heldByOthers = world.agents.flatMap((a) => a.console.mine().filter((id) => c.snapshot.conversations.get(id)?.agentId !== a.agent.id).map((id) => `${a.console.log.id}:${id}`));
    const staleQueue = world.agents.flatMap((a) => a.console.queue().filter((id) => c.snapshot.conversations.get(id)?.status !== 'queued').map((id) => `${a.console.log.id}:${id}`));
    const answers = claims.reduce<Record<string, number>>((m, l) => ({ ...m, [l.answer.code ?? 'ok']: (m[l.answer.code ?? 'ok'] ?? 0) + 1 }), {});
    const withoutOkAck = active.filter((x) => !(byConversation.get(x.id) ?? []).some((l) => l.answer.outcome === 'ok')).length;
    notes.unshift(
      `claims: ${claims.length} attempts by ${world.agents.length} agents, answers ${JSON.stringify(answers)}; ${active.length} active, ${stillQueued.length} still queued; ${withoutOkAck} claimed whose ok never reached the agent (learned on reconnect)`,
    );
    fail(stillQueued.length === 0, `[CLAIM-STORM1] every conversation claimed: ${stillQueued.length} still queued ${sample(stillQueued.map((x) => x.id))}`);
    fail(twice.length === 0, `[CLAIM-STORM1] no conversation claimed twice: ${twice.length} ${sample(twice)}`);
    fail(wrongAgent.length === 0, `[CLAIM-STORM1] every ok claim is the database's: ${wrongAgent.length} acked ok to another agent ${sample(wrongAgent.map((l) => l.conversationId))}`);
    /** What an agent's console was told and answered about one conversation. */
    const trace = (conversationId: string, agentId: string | null) => {
      const a = world.agents.find((x) => x.agent.id === agentId);
      if (!a) return `${conversationId}: agent ${agentId} unknown`;
      const log = a.console.log;
      const mineClaims = claims.filter((l) => l.conversationId === conversationId).map((l) => `a${l.agent.n}:${l.answer.code ?? 'ok'}@${seconds(l.answer.t)}`);
      const snaps = log.snapshots.filter((x) => x.conversationId === conversationId).map((x) => `${x.conn}:${x.status}:${x.agentId?.slice(0, 6) ?? '-'}@${seconds(x.t)}`);
      const drops = log.disconnects.map((d) => `${seconds(d.t)} ${d.reason}`);
      return `${conversationId.slice(0, 8)} of ${log.id}: claims ${mineClaims.join(' ')}; snapshots ${snaps.join(' ') || 'none'}; model ${a.console.con.model(conversationId)?.getState().conversation?.status ?? 'none'}; disconnects ${drops.join(', ') || 'none'}`;
    };
    fail(unknownToAgent.length === 0, `[CLAIM-STORM2] none orphaned: ${unknownToAgent.length} active conversations not listed by their agent's console: ${unknownToAgent.slice(0, 3).map((x) => trace(x.id, x.agentId)).join(' | ')}`);
    fail(heldByOthers.length === 0, `[CLAIM-STORM2] no console lists another's conversation as its own: ${sample(heldByOthers)}`);
    fail(staleQueue.length === 0, `[CLAIM-STORM2] no console still shows a claimed conversation waiting: ${staleQueue.length} ${sample(staleQueue)}`);
    finish({ id: 'claim-storm', title: `${total} queued conversations claimed by ${world.agents.length} agents, a node killed mid-claim` }, profile, c, began, notes, failures, stack, DEFAULT_BOUNDS);
  });
});
