// Records what crosses one client's socket without changing it: connects and disconnects,
// live `message`, `presence` and `online` events, and every acked call the product's client
// code makes (client/lib/ack.ts goes through `socket.timeout(ms).emitWithAck`, which is
// wrapped here to note the call and its answer, then hand both on untouched).

import type { Socket } from 'socket.io-client';
import type { Ack } from '../../server/protocol/errors.ts';
import type { Conversation, Message, OnlineEvent, PresenceEvent } from '../../server/protocol/shapes.ts';
import { type AckRecord, type ClientLog, personKey, type Recorder } from './recorder.ts';

/** An acked call as it went out, and its answer once it comes (never rejects). */
export interface TappedCall {
  event: string;
  payload: unknown;
  done: Promise<AckRecord>;
}

export interface Tap {
  /** The number of the current connection (0 before the first). */
  conn(): number;
  /** Called synchronously with every acked call this socket makes, from now on. */
  onCall(listener: (call: TappedCall) => void): () => void;
}

interface Emitting {
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
  on(event: string, fn: (...args: never[]) => void): unknown;
}

export function tapSocket(socket: Socket, log: ClientLog, rec: Recorder): Tap {
  let conn = 0;
  const listeners = new Set<(call: TappedCall) => void>();
  const s = socket as unknown as Emitting;
  s.on('connect', () => {
    conn++;
    log.connects.push(rec.now());
  });
  s.on('disconnect', (reason: string) => {
    log.disconnects.push({ t: rec.now(), reason });
  });
  s.on('message', (m: Message) => {
    log.receipts.push({ conn, t: rec.now(), id: m.id, seq: m.seq, conversationId: m.conversationId, clientId: m.clientId });
  });
  s.on('presence', (e: PresenceEvent) => {
    log.presence.push({ conn, t: rec.now(), conversationId: e.conversationId, action: e.action, person: personKey(e.participant.kind, e.participant.id) });
  });
  s.on('conversation', (c: Conversation) => {
    log.snapshots.push({ conn, t: rec.now(), conversationId: c.id, status: c.status, agentId: c.agent?.id ?? null, queuePosition: c.queuePosition });
  });
  s.on('online', (e: OnlineEvent) => {
    log.online.push({ conn, t: rec.now(), action: e.action, person: personKey(e.kind, e.id) });
  });

  const original = s.emitWithAck.bind(socket);
  // socket.timeout(ms) sets a flag on the socket itself and returns it, so this wrapper sees every
  // emitWithAck, with or without a timeout, and the flag is still in place when it calls through.
  s.emitWithAck = (event: string, ...args: unknown[]) => {
    const sentAt = rec.now();
    const result = original(event, ...args);
    const payload = args[0] as { clientId?: string; conversationId?: string } | undefined;
    const done = result.then(
      (ack) => answered(event, payload, sentAt, ack as Ack<{ message?: Message; conversation?: Conversation }>),
      (err: unknown) => rejected(event, payload, sentAt, err),
    );
    for (const listener of listeners) listener({ event, payload, done });
    return result;
  };

  function record(r: AckRecord): AckRecord {
    rec.acks.push(r);
    return r;
  }
  function answered(event: string, payload: { clientId?: string; conversationId?: string } | undefined, sentAt: number, ack: Ack<{ message?: Message; conversation?: Conversation }>): AckRecord {
    const base = { t: rec.now(), sentAt, client: log.id, event, clientId: payload?.clientId ?? null };
    if (ack.ok) {
      const conversationId = ack.message?.conversationId ?? ack.conversation?.id ?? payload?.conversationId ?? null;
      // A history page's conversation is not kept: only what a send or a claim answered.
      const conversation = event === 'history:get' ? null : (ack.conversation ?? null);
      const r: AckRecord = { ...base, conversationId, outcome: 'ok', code: null, message: ack.message ?? null, conversation };
      if (event === 'history:get') {
        const { conversationId: _, ...query } = (payload ?? {}) as Record<string, unknown>;
        const seqs = ((ack as unknown as { messages?: Message[] }).messages ?? []).map((m) => m.seq);
        r.page = { query: JSON.stringify(query), seqs: seqs.length ? `${seqs[0]}..${seqs.at(-1)} (${seqs.length})` : 'none' };
        r.conversationId = payload?.conversationId ?? (ack as unknown as { conversation?: Conversation | null }).conversation?.id ?? null;
      }
      return record(r);
    }
    return record({ ...base, conversationId: payload?.conversationId ?? null, outcome: 'error', code: ack.error.code, message: null, conversation: null });
  }
  function rejected(event: string, payload: { clientId?: string; conversationId?: string } | undefined, sentAt: number, err: unknown): AckRecord {
    const text = err instanceof Error ? err.message : String(err);
    const code = /timed out/.test(text) ? 'timeout' : /disconnected/.test(text) ? 'disconnected' : text;
    return record({ t: rec.now(), sentAt, client: log.id, event, clientId: payload?.clientId ?? null, conversationId: payload?.conversationId ?? null, outcome: 'rejected', code, message: null, conversation: null });
  }

  return {
    conn: () => conn,
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
