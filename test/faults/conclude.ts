// The end of every scenario: stop the traffic, let the outboxes drain, wait for every view and
// every presence observer to converge on the database, then run the checkers on what was
// recorded. Waits are on the observable state, each with a deadline; what did not converge in
// time is not hidden: the checkers count it.

import { eventually } from '../helpers/clients.ts';
import type { OnlineSnapshot } from './admin-observer.ts';
import { check, type Figures } from './checker.ts';
import type { Snapshot } from './db-snapshot.ts';
import { checkPresence, connectedAtEnd, countedRight, type PresenceFigures } from './presence-check.ts';
import { type AckRecord, type ClientLog, type PersonKey, viewOf } from './recorder.ts';
import type { Traffic } from './traffic.ts';
import { allClientsConnected, closeAll, describeClient, notToldPresent, openTabs, toldPresent, type World, writers } from './world.ts';

export interface Conclusion {
  figures: Figures;
  presence: PresenceFigures;
  snapshot: Snapshot & { integrity: string | null };
  /** How long each phase took to converge (ms), or null when it did not within its deadline. */
  reconnectMs: number | null;
  drainMs: number | null;
  convergeMs: number | null;
  presenceMs: number | null;
  /** What was still off when presence did not converge in time. */
  presenceLag: string;
  /** [VIEW1] Open views whose conversation snapshot (status, agent) disagrees with the database at the end. */
  staleViews: string[];
  /** The client ids of a person (for evidence). */
  clientsOf(person: PersonKey): string[];
  /** Every client's record and every acked call (for evidence). */
  clients: ClientLog[];
  acks: AckRecord[];
  refused: number;
  traffic: { written: number; skipped: number; retried: number; rate: number };
}

const DRAIN_MS = 60_000;
const CONVERGE_MS = 20_000;
/** Long enough for another node to reap a dead one (12 s) and settle its people. */
const PRESENCE_MS = 30_000;

async function timed(what: string, ms: number, condition: () => boolean | Promise<boolean>): Promise<number | null> {
  const began = performance.now();
  try {
    await eventually(condition, ms, what);
    return performance.now() - began;
  } catch {
    return null;
  }
}

export async function waitReconnected(world: World, ms = 60_000): Promise<number | null> {
  return timed('every client connected again', ms, () => allClientsConnected(world));
}

export async function conclude(world: World, traffic: Traffic, opts: { joined?: Map<string, number> } = {}): Promise<Conclusion> {
  const { rec, stack } = world;
  const ws = writers(world);
  const reconnectMs = await waitReconnected(world);
  await traffic.stop();
  const drainMs = await timed('every outbox drained', DRAIN_MS, () => {
    for (const w of ws) w.retryFailed();
    return ws.every((w) => w.sending() === 0);
  });
  const refused = openTabs(world).reduce((n, t) => n + t.refused(), 0) + world.agents.reduce((n, a) => n + a.console.refused(), 0);

  // Nothing is written any more: the database's last seqs are final.
  let snapshot = await stack.snapshot();
  const lastSeq = (id: string) => snapshot.conversations.get(id)?.messages.at(-1)?.seq ?? 0;
  const covers = (messages: readonly { seq: number; conversationId: string }[], id: string) => {
    const seqs = new Set(messages.filter((m) => m.conversationId === id).map((m) => m.seq));
    const from = Math.min(...seqs);
    for (let s = from; s <= lastSeq(id); s++) if (!seqs.has(s)) return false;
    return seqs.size > 0 || lastSeq(id) === 0;
  };
  const convergeMs = await timed('every view holds every stored message', CONVERGE_MS, () =>
    openTabs(world).every((t) => {
      const s = t.model.getState();
      return s.conversationId !== null && covers(s.messages, s.conversationId);
    }) &&
    world.agents.every((a) =>
      [...world.participants].every(([id, people]) => !people.includes(a.key) || covers(a.console.con.model(id)?.getState().messages ?? [], id)),
    ),
  );

  let finalOnline: OnlineSnapshot = { agents: [], visitors: [] };
  let presenceLag = '';
  const presenceMs = await timed('presence converged', PRESENCE_MS, async () => {
    if (!world.admin) return true;
    finalOnline = await world.admin.online();
    const counts = new Map([...finalOnline.visitors, ...finalOnline.agents].map((p) => [p.id, p.connections]));
    const people = new Set(rec.clients.filter((c) => c.kind !== 'admin').map((c) => c.person));
    const off = [...people].filter((person) => !countedRight(connectedAtEnd(rec.clients.filter((c) => c.person === person)), counts.get(person.split(':')[1]) ?? 0));
    const absent = notToldPresent(world);
    presenceLag = `${off.length} people miscounted by online:get, ${absent.length} views not told their peer is present: ${absent.slice(0, 2).join(' | ')}`;
    return off.length === 0 && absent.length === 0;
  });
  if (world.admin && presenceMs === null) finalOnline = await world.admin.online().catch(() => finalOnline);

  snapshot = await stack.snapshot();
  for (const t of openTabs(world)) {
    const s = t.model.getState();
    t.log.finalView = viewOf([{ conversationId: s.conversationId, messages: s.messages }]);
  }
  for (const a of world.agents) {
    a.console.log.finalView = viewOf(a.console.mine().map((id) => ({ conversationId: id, messages: a.console.con.model(id)?.getState().messages ?? [] })));
  }
  const staleViews = staleSnapshots(world, snapshot);
  const end = rec.now();
  const figures = check({ clients: rec.clients, writes: rec.writes, acks: rec.acks, snapshot, participants: world.participants, end, joined: opts.joined });
  const presence = checkPresence({ clients: rec.clients, participants: world.participants, finalOnline, end });
  closeAll(world);
  return {
    figures,
    presence,
    snapshot,
    reconnectMs,
    drainMs,
    convergeMs,
    presenceMs,
    presenceLag: presenceMs === null ? presenceLag : '',
    staleViews,
    clientsOf: (person) => rec.clients.filter((x) => x.person === person).map((x) => x.id),
    clients: rec.clients,
    acks: rec.acks,
    refused,
    traffic: { written: traffic.written(), skipped: traffic.skipped(), retried: traffic.retried(), rate: traffic.rate() },
  };
}

/**
 * [VIEW1] Each open tab's and console's snapshot of its conversation says what the database says
 * (status and agent), each agent's console lists as its own the active conversations the database
 * gives that agent, and a view told its peer is present shows them present. A stale snapshot shows
 * a visitor "in the queue" while an agent talks to them, or drops a claimed conversation from its
 * agent's list.
 */
function staleSnapshots(world: World, snapshot: Snapshot): string[] {
  const out: string[] = [];
  const differs = (held: { status: string; agent: { id: string } | null } | null | undefined, id: string) => {
    const db = snapshot.conversations.get(id);
    return !db || !held || held.status !== db.status || (held.agent?.id ?? null) !== db.agentId;
  };
  // Told the other party is present (its last presence event on this connection), yet shown absent.
  const absent = (log: ClientLog, id: string, people: PersonKey[], peerOnline: boolean | undefined) =>
    !peerOnline && people.some((p) => p !== log.person && toldPresent(log, id, p));
  for (const v of world.visitors) {
    for (const t of v.tabs) {
      const s = t.model.getState();
      const people = s.conversationId ? (world.participants.get(s.conversationId) ?? []) : [];
      if (s.conversationId && (differs(s.conversation, s.conversationId) || absent(t.log, s.conversationId, people, s.peerOnline))) out.push(describeClient(t.log, s));
    }
  }
  for (const a of world.agents) {
    const mine = new Set(a.console.mine());
    for (const [id, people] of world.participants) {
      if (!people.includes(a.key)) continue;
      const s = a.console.con.model(id)?.getState();
      if (differs(s?.conversation, id) || !mine.has(id) || absent(a.console.log, id, people, s?.peerOnline)) out.push(`${describeClient(a.console.log, s)}${mine.has(id) ? '' : ' (not listed as its own)'}`);
    }
  }
  return out;
}
