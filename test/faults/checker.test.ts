// The fault suite's checkers on histories written by hand: each anomaly they exist to find is
// found, counted once, and a clean history counts nothing (a checker that cannot fail proves nothing).

import { describe, expect, it } from 'vitest';
import type { Message } from '../../server/protocol/shapes.ts';
import { check, type CheckInput } from './checker.ts';
import type { Snapshot, StoredMessage } from './db-snapshot.ts';
import { checkPresence, outagesOf } from './presence-check.ts';
import type { AckRecord, ClientLog, WriteRecord } from './recorder.ts';

const V = 'visitor:v';
const A = 'agent:a';

function client(id: string, person: string, over: Partial<ClientLog> = {}): ClientLog {
  return {
    id,
    person,
    kind: person.startsWith('visitor') ? 'visitor' : 'agent',
    transport: 'websocket',
    replaces: null,
    openedAt: 0,
    closedAt: null,
    connects: [0],
    disconnects: [],
    receipts: [],
    seen: new Map(),
    finalView: null,
    presence: [],
    online: [],
    snapshots: [],
    notices: [],
    ...over,
  };
}

function stored(seq: number, clientId = `k${seq}`, conversationId = 'c'): StoredMessage {
  return { id: `m${seq}`, conversationId, seq, clientId, authorKind: 'visitor', authorId: 'v' };
}

function message(seq: number, clientId = `k${seq}`): Message {
  return { id: `m${seq}`, conversationId: 'c', seq, clientId, author: { kind: 'visitor', id: 'v', name: 'V' }, body: '', createdAt: '' };
}

function ack(seq: number, t: number, over: Partial<AckRecord> = {}): AckRecord {
  return { t, sentAt: t - 1, client: 'v1', event: 'message:send', conversationId: 'c', clientId: `k${seq}`, outcome: 'ok', code: null, message: message(seq), conversation: null, ...over };
}

function write(seq: number, t: number): WriteRecord {
  return { t, client: 'v1', person: V, conversationId: 'c', clientId: `k${seq}` };
}

function snapshot(messages: StoredMessage[]): Snapshot {
  return { conversations: new Map([['c', { id: 'c', status: 'active', visitorId: 'v', agentId: 'a', messages }]]) };
}

/** Three messages written by the visitor, acked, stored, and seen live by the agent in order. */
function clean(): CheckInput {
  const seen = (ts: number[]) => new Map(ts.map((t, i) => [`m${i + 1}`, { t, conversationId: 'c', seq: i + 1 }]));
  return {
    clients: [
      client('v1', V, { seen: seen([10, 20, 30]), finalView: new Map([['c', [1, 2, 3]]]) }),
      client('a1', A, {
        receipts: [1, 2, 3].map((seq) => ({ conn: 1, t: seq * 10 + 5, id: `m${seq}`, seq, conversationId: 'c', clientId: `k${seq}` })),
        seen: seen([15, 25, 35]),
        finalView: new Map([['c', [1, 2, 3]]]),
      }),
    ],
    writes: [write(1, 1), write(2, 11), write(3, 21)],
    acks: [ack(1, 10), ack(2, 20), ack(3, 30)],
    snapshot: snapshot([stored(1), stored(2), stored(3)]),
    participants: new Map([['c', [V, A]]]),
    end: 100,
  };
}

describe('[FAULT-CHECK] the set checker', () => {
  it('[FAULT-CHECK1] a clean history has no anomaly; delivery latency is receipt minus ack', () => {
    const f = check(clean());
    expect([f.written, f.acked, f.stored, f.lost, f.duplicated, f.reordered, f.gaps, f.wrongAcks]).toEqual([3, 3, 3, 0, 0, 0, 0, 0]);
    expect(f.deliveryMs.max).toBe(5);
    expect(f.longestOutage).toBeNull();
  });

  it('[FAULT-CHECK2] lost: acked but not stored, written but never stored, stored but never seen by a participant', () => {
    const input = clean();
    input.snapshot = snapshot([stored(1), stored(2)]);
    input.writes.push(write(4, 40));
    input.clients[1].seen.delete('m2');
    const f = check(input);
    expect(f.detail.notStored).toEqual(['k3']);
    expect(f.detail.unsent).toEqual(['k4']);
    expect(f.detail.undelivered).toEqual([{ person: A, clientId: 'k2', seq: 2, conversationId: 'c' }]);
    expect(f.lost).toBe(3);
    expect(f.wrongAcks).toBe(1); // k3's ok ack names a row that does not exist
  });

  it('[FAULT-CHECK3] duplicated: one clientId stored twice, one message received twice on one connection', () => {
    const input = clean();
    input.snapshot = snapshot([stored(1), stored(2), stored(3), stored(4, 'k3')]);
    input.clients[1].receipts.push({ ...input.clients[1].receipts[2], t: 40 });
    const f = check(input);
    expect(f.detail.storedTwice).toEqual(['k3']);
    expect(f.detail.receivedTwice).toEqual([{ client: 'a1', conn: 1, id: 'm3' }]);
    expect(f.duplicated).toBe(2);
  });

  it('[FAULT-CHECK4] reordered: a lower seq after a higher one on one connection; a new connection starts over', () => {
    const input = clean();
    const r = input.clients[1].receipts;
    input.clients[1].receipts = [r[0], r[2], r[1], { ...r[0], conn: 2, t: 50 }];
    const f = check(input);
    expect(f.detail.reordered).toEqual([{ client: 'a1', conn: 1, conversationId: 'c', after: 3, seq: 2 }]);
  });

  it('[FAULT-CHECK5] gaps: a hole in the stored seqs, and a final view missing messages between its first and the last stored', () => {
    const input = clean();
    input.snapshot = snapshot([stored(1), stored(3)]);
    input.acks = [ack(1, 10), ack(3, 30)];
    input.writes = [write(1, 1), write(3, 21)];
    input.clients[0].finalView = new Map([['c', [1]]]);
    const f = check(input);
    expect(f.detail.dbGaps).toEqual([{ conversationId: 'c', missing: [2] }]);
    expect(f.detail.viewGaps.find((g) => g.client === 'v1')?.missing).toEqual([2, 3]);
  });

  it('[FAULT-CHECK6] wrong acks: another seq than stored, two ok acks that disagree, internal', () => {
    const input = clean();
    input.acks.push(ack(2, 31, { message: { ...message(2), seq: 7 } }), ack(1, 32, { outcome: 'error', code: 'internal', message: null }));
    const f = check(input);
    expect(f.detail.wrongAcks.map((w) => w.why)).toEqual(['acked as m2/seq 7, stored as m2/seq 2', 'acked twice differently: seq 2 then 7', 'answered internal']);
    expect(f.ackErrors).toEqual({ internal: 1 });
  });

  it('[FAULT-CHECK7] outage: from a disconnect to the reconnect plus catching up with what was acked meanwhile', () => {
    const input = clean();
    // The agent drops at 12, reconnects at 40 and holds m2 (acked at 20) only at 45.
    input.clients[1].disconnects = [{ t: 12, reason: 'transport close' }];
    input.clients[1].connects = [0, 40];
    input.clients[1].seen.set('m2', { t: 45, conversationId: 'c', seq: 2 });
    input.clients[1].seen.set('m3', { t: 46, conversationId: 'c', seq: 3 });
    const f = check(input);
    expect(f.longestOutage).toEqual({ client: 'a1', from: 12, ms: 34, via: 'reconnect' });
    expect(f.catchUpMs).toBe(6);
  });
});

describe('[FAULT-CHECK] the presence rule', () => {
  const online = { agents: [{ id: 'a', name: 'A', role: 'agent' as const, status: 'online' as const, connections: 1, activeConversations: 1 }], visitors: [{ id: 'v', name: 'V', connections: 1, conversationId: 'c', page: null }] };
  // The visitor saw the agent join on its (last) connection.
  const agentJoined = (conn: number) => [{ conn, t: 1, conversationId: 'c', action: 'join' as const, person: A }];
  const input = (visitor: Partial<ClientLog>, agent: Partial<ClientLog>) => ({
    clients: [client('v1', V, { presence: agentJoined(visitor.connects?.length ?? 1), ...visitor }), client('a1', A, agent)],
    participants: new Map([['c', [V, A]]]),
    finalOnline: online,
    end: 100_000,
  });

  it('[FAULT-CHECK8] a leave while the person stayed connected is a false leave; after an outage longer than the grace it is not', () => {
    const leaveAt = (t: number) => ({ conn: 1, t, conversationId: 'c', action: 'leave' as const, person: V });
    const join = (t: number) => ({ conn: 1, t, conversationId: 'c', action: 'join' as const, person: V });
    const stayed = checkPresence(input({}, { presence: [join(1), leaveAt(50_000), join(50_100)] }));
    expect(stayed.falseLeaves).toHaveLength(1);
    // Down from 40 s to 45 s (5 s > the 3 s grace): a leave at 44 s is the truth.
    const away = input({ connects: [0, 45_000], disconnects: [{ t: 40_000, reason: 'transport close' }] }, { presence: [join(1), leaveAt(44_000), join(45_500)] });
    expect(checkPresence(away).total).toBe(0);
    // Down for 1 s only (a reconnect within the grace): the same leave is flicker.
    const blip = input({ connects: [0, 41_000], disconnects: [{ t: 40_000, reason: 'transport close' }] }, { presence: [join(1), leaveAt(40_800), join(41_200)] });
    expect(checkPresence(blip).falseLeaves).toHaveLength(1);
    expect(outagesOf(blip.clients.slice(0, 1), 100_000)).toEqual([{ from: 40_000, to: 41_000 }]);
  });

  it('[FAULT-CHECK9] two joins without a leave, a connected peer shown absent at the end, a person not counted', () => {
    const join = (t: number) => ({ conn: 1, t, conversationId: 'c', action: 'join' as const, person: V });
    const doubled = checkPresence(input({}, { presence: [join(1), join(2)] }));
    expect(doubled.doubleJoins).toHaveLength(1);
    const absent = checkPresence(input({}, { presence: [] }));
    expect(absent.staleAbsent).toEqual([{ observer: 'a1', person: V, conversationId: 'c' }]);
    const uncounted = checkPresence({ ...input({}, { presence: [join(1)] }), finalOnline: { ...online, visitors: [] } });
    expect(uncounted.miscounted).toEqual([{ person: V, expected: 1, counted: 0 }]);
  });
});
