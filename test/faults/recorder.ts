// Everything a fault scenario observed, as plain data for the checker: every message written
// and every `message:send` ack, and per client (one tab or console, one incarnation) its
// connections, live receipts, what its view held and when, and the presence it was told.
// Times are milliseconds since the scenario started (monotonic clock).

import type { Conversation, Message } from '../../server/protocol/shapes.ts';

export type Transport = 'websocket' | 'polling';
export type ClientKind = 'visitor' | 'agent' | 'admin';

/** `visitor:<id>` or `agent:<id>`: whom presence is about. */
export type PersonKey = string;
export const personKey = (kind: 'visitor' | 'agent', id: string): PersonKey => `${kind}:${id}`;

export interface Receipt {
  /** Which connection of this client (1 = the first `connect`). */
  conn: number;
  t: number;
  id: string;
  seq: number;
  conversationId: string;
  clientId: string;
}

export interface PresenceSeen {
  conn: number;
  t: number;
  conversationId: string;
  action: 'join' | 'leave';
  person: PersonKey;
}

export interface OnlineSeen {
  conn: number;
  t: number;
  action: 'online' | 'offline';
  person: PersonKey;
}

export interface ClientLog {
  /** Readable and unique: `v3/tab1#2` is visitor 3's first tab after its second reload. */
  id: string;
  person: PersonKey;
  kind: ClientKind;
  transport: Transport;
  /** The incarnation this one replaced (a reloaded tab), if any. */
  replaces: string | null;
  openedAt: number;
  /** When the harness closed it (a reload); null while open. */
  closedAt: number | null;
  connects: number[];
  disconnects: Array<{ t: number; reason: string }>;
  receipts: Receipt[];
  /** First time each message id was in the client's view (the conversation model's state). */
  seen: Map<string, { t: number; conversationId: string; seq: number }>;
  /** What the view held when the client closed or the scenario ended: conversation → seqs, ascending. */
  finalView: Map<string, number[]> | null;
  presence: PresenceSeen[];
  online: OnlineSeen[];
  /** Live `conversation` snapshots received: their status and agent. */
  snapshots: Array<{ conn: number; t: number; conversationId: string; status: string; agentId: string | null; queuePosition: number | null }>;
  /** Things the app would have shown the person (console toasts, failed sends, sign-in prompts). */
  notices: Array<{ t: number; text: string }>;
}

export interface WriteRecord {
  t: number;
  client: string;
  person: PersonKey;
  /** The conversation written in, when the writer knows it (an agent always; a visitor once one is open). */
  conversationId: string | null;
  clientId: string;
}

export interface AckRecord {
  /** When the answer (or the rejection) came, and when the call went out. */
  t: number;
  sentAt: number;
  client: string;
  event: string;
  conversationId: string | null;
  clientId: string | null;
  outcome: 'ok' | 'error' | 'rejected';
  /** The error code, or for a rejection what socket.io-client said (timeout, disconnect). */
  code: string | null;
  message: Message | null;
  conversation: Conversation | null;
  /** history:get only: what was asked, and the seqs of the page that came back. */
  page?: { query: string; seqs: string };
}

export interface FaultRecord {
  t: number;
  label: string;
}

export interface Recorder {
  readonly t0: number;
  now(): number;
  clients: ClientLog[];
  writes: WriteRecord[];
  acks: AckRecord[];
  faults: FaultRecord[];
  client(init: Pick<ClientLog, 'id' | 'person' | 'kind' | 'transport'> & { replaces?: string }): ClientLog;
  fault(label: string): void;
  /** Notes the messages a view holds now; the first sighting of each is its delivery time to that client. */
  view(log: ClientLog, messages: readonly Message[]): void;
}

export function createRecorder(): Recorder {
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const rec: Recorder = {
    t0,
    now,
    clients: [],
    writes: [],
    acks: [],
    faults: [],
    client(init) {
      const log: ClientLog = {
        ...init,
        replaces: init.replaces ?? null,
        openedAt: now(),
        closedAt: null,
        connects: [],
        disconnects: [],
        receipts: [],
        seen: new Map(),
        finalView: null,
        presence: [],
        online: [],
        snapshots: [],
        notices: [],
      };
      rec.clients.push(log);
      return log;
    },
    fault(label) {
      rec.faults.push({ t: now(), label });
    },
    view(log, messages) {
      const t = now();
      for (const m of messages) if (!log.seen.has(m.id)) log.seen.set(m.id, { t, conversationId: m.conversationId, seq: m.seq });
    },
  };
  return rec;
}

/** The view a client holds, per conversation: the seqs, ascending. */
export function viewOf(conversations: Iterable<{ conversationId: string | null; messages: readonly Message[] }>): Map<string, number[]> {
  const view = new Map<string, number[]>();
  for (const c of conversations) {
    if (c.conversationId === null) continue;
    view.set(
      c.conversationId,
      c.messages.filter((m) => m.conversationId === c.conversationId).map((m) => m.seq),
    );
  }
  return view;
}
