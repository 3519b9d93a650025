// The set checker (after Jepsen's): given what every client wrote, was acked and received, and
// what the database holds at the end, count what went wrong. Pure: plain data in, figures out.
//
//   lost        acked ok but not stored; written but never stored (after the outboxes drained);
//               or stored but never in the view of some participant (any of their tabs)
//   duplicated  a clientId stored twice; a message received twice live on one connection
//   reordered   live `message` events of one conversation not in strictly increasing seq on one
//               connection ([ORDER1])
//   gaps        seqs missing in the database (1..n), or in a client's final view between the
//               first seq it holds and the conversation's last
//   wrong acks  acked ok but not stored, or with an id/seq/conversation other than the stored
//               row's, two ok acks of one clientId that disagree, or answered `internal`
//   catch-up    after each reconnect, until the view held every message acked before it
//   outage      from a client's disconnect (or its tab's reload) to its reconnect + catch-up

import type { Snapshot, StoredMessage } from './db-snapshot.ts';
import type { AckRecord, ClientLog, PersonKey, WriteRecord } from './recorder.ts';

export interface CheckInput {
  clients: ClientLog[];
  writes: WriteRecord[];
  acks: AckRecord[];
  snapshot: Snapshot;
  /** The conversations under test and who must receive each one's messages. */
  participants: Map<string, PersonKey[]>;
  /** When the scenario ended (an outage still open counts until then). */
  end: number;
  /**
   * When a person became a participant (`<conversationId>|<person>`), if not from the start: an
   * agent who claimed it later receives the earlier messages then, not late.
   */
  joined?: Map<string, number>;
}

export interface Outage {
  client: string;
  from: number;
  ms: number;
  /** How the client came back: its reconnect (`reconnect`) or a reload (`reload`). */
  via: 'reconnect' | 'reload' | 'never';
}

export interface Figures {
  written: number;
  acked: number;
  stored: number;
  lost: number;
  duplicated: number;
  reordered: number;
  gaps: number;
  wrongAcks: number;
  /** `message:send` answers other than ok, by code (timeouts and disconnects included). */
  ackErrors: Record<string, number>;
  deliveryMs: { p50: number; p99: number; max: number };
  catchUpMs: number;
  longestOutage: Outage | null;
  disconnects: number;
  detail: {
    notStored: string[];
    unsent: string[];
    undelivered: Array<{ person: PersonKey; clientId: string; seq: number; conversationId: string }>;
    storedTwice: string[];
    receivedTwice: Array<{ client: string; conn: number; id: string }>;
    reordered: Array<{ client: string; conn: number; conversationId: string; after: number; seq: number }>;
    dbGaps: Array<{ conversationId: string; missing: number[] }>;
    viewGaps: Array<{ client: string; conversationId: string; missing: number[] }>;
    wrongAcks: Array<{ clientId: string | null; why: string }>;
    /** The slowest deliveries: who got which message when (scenario times, ms). */
    slowest: Array<{ person: PersonKey; conversationId: string; seq: number; acked: number; seen: number }>;
  };
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0);

export function check(input: CheckInput): Figures {
  const { clients, writes, snapshot, participants, end } = input;
  const sendAcks = input.acks.filter((a) => a.event === 'message:send');
  const underTest = [...participants.keys()].flatMap((id) => (snapshot.conversations.get(id) ? [snapshot.conversations.get(id)!] : []));
  const stored = underTest.flatMap((c) => c.messages);
  const allStored = [...snapshot.conversations.values()].flatMap((c) => c.messages);
  const byClientId = new Map<string, StoredMessage[]>();
  for (const m of allStored) byClientId.set(m.clientId, [...(byClientId.get(m.clientId) ?? []), m]);

  // ---- acks
  const okAcks = sendAcks.filter((a) => a.outcome === 'ok');
  const firstOk = new Map<string, AckRecord>();
  for (const a of okAcks) if (a.clientId && !firstOk.has(a.clientId)) firstOk.set(a.clientId, a);
  const ackErrors: Record<string, number> = {};
  for (const a of sendAcks) if (a.outcome !== 'ok') ackErrors[a.code ?? '?'] = (ackErrors[a.code ?? '?'] ?? 0) + 1;
  const wrongAcks: Figures['detail']['wrongAcks'] = [];
  for (const a of sendAcks) {
    if (a.outcome === 'error' && a.code === 'internal') wrongAcks.push({ clientId: a.clientId, why: 'answered internal' });
    if (a.outcome !== 'ok' || !a.message) continue;
    const rows = byClientId.get(a.message.clientId)?.filter((m) => m.conversationId === a.message!.conversationId) ?? [];
    const row = rows[0];
    if (!row) wrongAcks.push({ clientId: a.clientId, why: `acked ok (seq ${a.message.seq}) but not stored` });
    else if (row.id !== a.message.id || row.seq !== a.message.seq) wrongAcks.push({ clientId: a.clientId, why: `acked as ${a.message.id}/seq ${a.message.seq}, stored as ${row.id}/seq ${row.seq}` });
    const first = a.clientId ? firstOk.get(a.clientId) : undefined;
    if (first && first !== a && first.message && (first.message.id !== a.message.id || first.message.seq !== a.message.seq)) {
      wrongAcks.push({ clientId: a.clientId, why: `acked twice differently: seq ${first.message.seq} then ${a.message.seq}` });
    }
  }

  // ---- lost
  const notStored = [...firstOk.keys()].filter((id) => !byClientId.has(id));
  const unsent = [...new Set(writes.map((w) => w.clientId))].filter((id) => !byClientId.has(id) && !firstOk.has(id));
  const byPerson = new Map<PersonKey, ClientLog[]>();
  for (const c of clients) if (c.kind !== 'admin') byPerson.set(c.person, [...(byPerson.get(c.person) ?? []), c]);
  const firstSeen = (person: PersonKey, id: string): number | null => {
    let t: number | null = null;
    for (const c of byPerson.get(person) ?? []) {
      const s = c.seen.get(id);
      if (s && (t === null || s.t < t)) t = s.t;
    }
    return t;
  };
  const undelivered: Figures['detail']['undelivered'] = [];
  const latencies: number[] = [];
  const deliveries: Figures['detail']['slowest'] = [];
  for (const m of stored) {
    const author = m.authorKind === 'system' ? null : `${m.authorKind}:${m.authorId}`;
    for (const person of participants.get(m.conversationId) ?? []) {
      const t = firstSeen(person, m.id);
      if (t === null) {
        undelivered.push({ person, clientId: m.clientId, seq: m.seq, conversationId: m.conversationId });
        continue;
      }
      const acked = firstOk.get(m.clientId);
      if (person !== author && acked) {
        const from = Math.max(acked.t, input.joined?.get(`${m.conversationId}|${person}`) ?? 0);
        latencies.push(Math.max(0, t - from));
        deliveries.push({ person, conversationId: m.conversationId, seq: m.seq, acked: Math.round(from), seen: Math.round(t) });
      }
    }
  }
  latencies.sort((a, b) => a - b);

  // ---- duplicates
  const storedTwice = [...byClientId.entries()].filter(([, rows]) => rows.length > 1).map(([id]) => id);
  const receivedTwice: Figures['detail']['receivedTwice'] = [];
  const reordered: Figures['detail']['reordered'] = [];
  for (const c of clients) {
    const ids = new Set<string>();
    const last = new Map<string, number>();
    for (const r of c.receipts) {
      const key = `${r.conn}/${r.id}`;
      if (ids.has(key)) receivedTwice.push({ client: c.id, conn: r.conn, id: r.id });
      ids.add(key);
      const lastKey = `${r.conn}/${r.conversationId}`;
      const before = last.get(lastKey);
      if (before !== undefined && r.seq <= before) reordered.push({ client: c.id, conn: r.conn, conversationId: r.conversationId, after: before, seq: r.seq });
      last.set(lastKey, Math.max(before ?? 0, r.seq));
    }
  }

  // ---- gaps
  const dbGaps: Figures['detail']['dbGaps'] = [];
  for (const c of underTest) {
    const seqs = new Set(c.messages.map((m) => m.seq));
    const n = Math.max(0, ...seqs);
    const missing = range(1, n).filter((s) => !seqs.has(s));
    if (missing.length || seqs.size !== c.messages.length) dbGaps.push({ conversationId: c.id, missing });
  }
  const viewGaps: Figures['detail']['viewGaps'] = [];
  for (const c of clients) {
    if (c.kind === 'admin' || !c.finalView) continue;
    const open = c.closedAt === null;
    const expected = open ? [...participants.entries()].filter(([, people]) => people.includes(c.person)).map(([id]) => id) : [...c.finalView.keys()];
    for (const conversationId of expected) {
      const conversation = snapshot.conversations.get(conversationId);
      if (!conversation) continue;
      const view = c.finalView.get(conversationId) ?? [];
      const held = new Set(view);
      const top = open ? Math.max(0, ...conversation.messages.map((m) => m.seq)) : Math.max(0, ...view);
      const from = view.length ? Math.min(...view) : 1;
      const missing = range(from, top).filter((s) => !held.has(s));
      if (missing.length) viewGaps.push({ client: c.id, conversationId, missing });
    }
  }

  // ---- catch-up and outages
  const byId = new Map(clients.map((c) => [c.id, c]));
  const ackedBefore = (conversationId: string, t: number) =>
    (snapshot.conversations.get(conversationId)?.messages ?? []).filter((m) => {
      const a = firstOk.get(m.clientId);
      return a !== undefined && a.t < t;
    });
  /** When `c`, connected at `at`, held every message acked before then in the conversations it already followed. */
  const caughtUp = (c: ClientLog, at: number, followed: Set<string>): number => {
    let done = at;
    for (const conversationId of followed) {
      const seen = [...c.seen.values()].filter((s) => s.conversationId === conversationId).map((s) => s.seq);
      const floor = seen.length ? Math.min(...seen) - 1 : 0;
      for (const m of ackedBefore(conversationId, at)) {
        if (m.seq <= floor) continue;
        const s = c.seen.get(m.id);
        if (!s) return Infinity;
        done = Math.max(done, s.t);
      }
    }
    return done;
  };
  const followedBefore = (logs: ClientLog[], t: number) => {
    const set = new Set<string>();
    for (const l of logs) for (const s of l.seen.values()) if (s.t < t && participants.has(s.conversationId)) set.add(s.conversationId);
    return set;
  };
  let catchUpMs = 0;
  let longestOutage: Outage | null = null;
  let disconnects = 0;
  const note = (o: Outage) => {
    if (!longestOutage || o.ms > longestOutage.ms) longestOutage = o;
  };
  for (const c of clients) {
    const closedAt = c.closedAt ?? Infinity;
    const drops = c.disconnects.filter((d) => d.t < closedAt && d.reason !== 'io client disconnect');
    disconnects += drops.length;
    for (const d of drops) {
      const back = c.connects.find((t) => t > d.t);
      if (back === undefined) {
        if (c.closedAt === null) note({ client: c.id, from: d.t, ms: end - d.t, via: 'never' });
        continue; // a tab reloaded while down: its successor's first connect ends the outage
      }
      const at = caughtUp(c, back, followedBefore([c], back));
      catchUpMs = Math.max(catchUpMs, at - back);
      note({ client: c.id, from: d.t, ms: Math.min(at, end) - d.t, via: 'reconnect' });
    }
    const previous = c.replaces ? byId.get(c.replaces) : undefined;
    if (previous && previous.closedAt !== null) {
      const first = c.connects[0];
      const lastDrop = previous.disconnects.filter((d) => d.t < previous.closedAt! && d.reason !== 'io client disconnect').at(-1);
      const wasDown = lastDrop !== undefined && !previous.connects.some((t) => t > lastDrop.t);
      const from = wasDown ? lastDrop.t : previous.closedAt;
      if (first === undefined) {
        if (c.closedAt === null) note({ client: c.id, from, ms: end - from, via: 'never' });
        continue;
      }
      const at = caughtUp(c, first, followedBefore([previous], first));
      catchUpMs = Math.max(catchUpMs, at - first);
      note({ client: c.id, from, ms: Math.min(at, end) - from, via: 'reload' });
    }
  }

  const lost = notStored.length + unsent.length + undelivered.length;
  return {
    written: new Set(writes.map((w) => w.clientId)).size,
    acked: firstOk.size,
    stored: stored.length,
    lost,
    duplicated: storedTwice.length + receivedTwice.length,
    reordered: reordered.length,
    gaps: dbGaps.reduce((n, g) => n + Math.max(1, g.missing.length), 0) + viewGaps.reduce((n, g) => n + g.missing.length, 0),
    wrongAcks: wrongAcks.length,
    ackErrors,
    deliveryMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    catchUpMs: Number.isFinite(catchUpMs) ? catchUpMs : Infinity,
    longestOutage,
    disconnects,
    detail: {
      notStored,
      unsent,
      undelivered,
      storedTwice,
      receivedTwice,
      reordered,
      dbGaps,
      viewGaps,
      wrongAcks,
      slowest: deliveries.sort((a, b) => b.seen - b.acked - (a.seen - a.acked)).slice(0, 3),
    },
  };
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let s = from; s <= to; s++) out.push(s);
  return out;
}

/** The first few items of a list, for a failure message. */
export function sample<T>(list: T[], n = 5): string {
  return list.length ? `${JSON.stringify(list.slice(0, n))}${list.length > n ? ` … ${list.length - n} more` : ''}` : 'none';
}
