// Presence with no flicker, decided from what the clients saw. The rule asserted:
//
// [FLICKER1] A `leave` (seen by the other party of a conversation) or `offline` (seen by an
//   admin) for person P at time t is justified only by an outage of P: an interval in which
//   none of P's tabs was connected, at least PRESENCE_GRACE_MS − 500 ms long, that began
//   before t and ended (P connected again) no more than 2 s before t. Anything else is a false
//   leave: P's clients stayed connected, or came back within the grace period (a killed node's
//   clients reconnect to the other node within it), and observers must see nothing.
// [FLICKER2] On one observer connection, no two joins (online) of P without a leave (offline)
//   between them.
// [FLICKER3] At the end, every observer's last connection shows each participant who is
//   connected as present (its last event about them is a join), and the admin's `online:get`
//   lists exactly the people connected, each with at least the connections they have open (a
//   connection not counted is a registration lost: closing another tab would make them leave).
//   More than they have open is reported, not failed: a long-polling session whose client nginx
//   moved to another node (a restarted one) lives on its old node until the ping timeout (45 s).
//
// Tolerances: 500 ms for when a client notices a drop versus when its server does, 2 s for a
// leave on its way when the person came back.

import type { OnlineSnapshot } from './admin-observer.ts';
import type { ClientLog, PersonKey } from './recorder.ts';

export const PRESENCE_GRACE_MS = 3000; // the server's default (PRESENCE_GRACE_MS unset)
const NOTICE_SLACK_MS = 500;
const IN_FLIGHT_MS = 2000;

export interface PresenceInput {
  clients: ClientLog[];
  /** The conversations under test and their participants. */
  participants: Map<string, PersonKey[]>;
  /** The admin's online:get at the end. */
  finalOnline: OnlineSnapshot;
  end: number;
  graceMs?: number;
}

export interface PresenceFigures {
  falseLeaves: Array<{ observer: string; person: PersonKey; t: number; event: string }>;
  doubleJoins: Array<{ observer: string; person: PersonKey; t: number; event: string }>;
  staleAbsent: Array<{ observer: string; person: PersonKey; conversationId: string }>;
  miscounted: Array<{ person: PersonKey; expected: number; counted: number }>;
  /** Connections counted beyond those open (sessions abandoned by their clients, until their ping timeout). */
  extraConnections: Array<{ person: PersonKey; expected: number; counted: number }>;
  /** Outages at least as long as the grace period (a leave for them is justified). */
  longOutages: number;
  total: number;
}

/** Intervals in which none of the person's clients was connected, from their first connect on. */
export function outagesOf(logs: ClientLog[], end: number): Array<{ from: number; to: number }> {
  const intervals: Array<[number, number]> = [];
  for (const c of logs) {
    const stop = c.closedAt ?? end;
    for (const t of c.connects) {
      const drop = c.disconnects.find((d) => d.t > t)?.t ?? stop;
      intervals.push([t, Math.min(drop, stop)]);
    }
  }
  if (!intervals.length) return [];
  intervals.sort((a, b) => a[0] - b[0]);
  const gaps: Array<{ from: number; to: number }> = [];
  let covered = intervals[0][1];
  for (const [from, to] of intervals.slice(1)) {
    if (from > covered) gaps.push({ from: covered, to: from });
    covered = Math.max(covered, to);
  }
  if (covered < end) gaps.push({ from: covered, to: Infinity });
  return gaps;
}

export function connectedAtEnd(logs: ClientLog[]): number {
  return logs.filter((c) => c.closedAt === null && c.connects.length > 0 && (c.disconnects.at(-1)?.t ?? -1) < c.connects.at(-1)!).length;
}

/** [FLICKER3]'s rule for one person: listed iff connected, no connection missing. */
export function countedRight(expected: number, counted: number): boolean {
  return counted >= expected && (expected === 0) === (counted === 0);
}

export function checkPresence(input: PresenceInput): PresenceFigures {
  const grace = input.graceMs ?? PRESENCE_GRACE_MS;
  const people = new Map<PersonKey, ClientLog[]>();
  for (const c of input.clients) if (c.kind !== 'admin') people.set(c.person, [...(people.get(c.person) ?? []), c]);
  const outages = new Map([...people].map(([p, logs]) => [p, outagesOf(logs, input.end).filter((g) => g.to - g.from >= grace - NOTICE_SLACK_MS)]));
  const justified = (person: PersonKey, t: number) => (outages.get(person) ?? []).some((g) => g.from < t && t <= g.to + IN_FLIGHT_MS);

  const falseLeaves: PresenceFigures['falseLeaves'] = [];
  const doubleJoins: PresenceFigures['doubleJoins'] = [];
  const staleAbsent: PresenceFigures['staleAbsent'] = [];
  const ours = new Set(people.keys());
  for (const observer of input.clients) {
    const last = new Map<string, string>();
    for (const e of observer.presence) {
      if (!ours.has(e.person) || e.person === observer.person) continue;
      const key = `${e.conn}/${e.conversationId}/${e.person}`;
      if (e.action === 'leave' && !justified(e.person, e.t)) falseLeaves.push({ observer: observer.id, person: e.person, t: e.t, event: `leave in ${e.conversationId}` });
      if (e.action === 'join' && last.get(key) === 'join') doubleJoins.push({ observer: observer.id, person: e.person, t: e.t, event: `join in ${e.conversationId}` });
      last.set(key, e.action);
    }
    for (const e of observer.online) {
      if (!ours.has(e.person)) continue;
      const key = `${e.conn}/${e.person}`;
      if (e.action === 'offline' && !justified(e.person, e.t)) falseLeaves.push({ observer: observer.id, person: e.person, t: e.t, event: 'offline' });
      if (e.action === 'online' && last.get(key) === 'online') doubleJoins.push({ observer: observer.id, person: e.person, t: e.t, event: 'online' });
      last.set(key, e.action);
    }
    // [FLICKER3] the observer's last connection, for the conversations it takes part in.
    if (observer.kind === 'admin' || observer.closedAt !== null || !observer.connects.length) continue;
    const conn = observer.connects.length;
    for (const [conversationId, participants] of input.participants) {
      if (!participants.includes(observer.person)) continue;
      for (const person of participants) {
        if (person === observer.person || connectedAtEnd(people.get(person) ?? []) === 0) continue;
        const events = observer.presence.filter((e) => e.conn === conn && e.conversationId === conversationId && e.person === person);
        if (events.at(-1)?.action !== 'join') staleAbsent.push({ observer: observer.id, person, conversationId });
      }
    }
  }

  const miscounted: PresenceFigures['miscounted'] = [];
  const extraConnections: PresenceFigures['extraConnections'] = [];
  const counted = new Map<PersonKey, number>([
    ...input.finalOnline.visitors.map((v) => [`visitor:${v.id}`, v.connections] as const),
    ...input.finalOnline.agents.map((a) => [`agent:${a.id}`, a.connections] as const),
  ]);
  for (const [person, logs] of people) {
    const expected = connectedAtEnd(logs);
    const got = counted.get(person) ?? 0;
    if (!countedRight(expected, got)) miscounted.push({ person, expected, counted: got });
    else if (got > expected) extraConnections.push({ person, expected, counted: got });
  }
  return {
    falseLeaves,
    doubleJoins,
    staleAbsent,
    miscounted,
    extraConnections,
    longOutages: [...outages.values()].reduce((n, g) => n + g.length, 0),
    total: falseLeaves.length + doubleJoins.length + staleAbsent.length + miscounted.length,
  };
}
