// Delivers each conversation's messages to this node's sockets in `seq` order
// (SPEC §6). Appends commit on any node and their fan-outs race (two nodes
// publish independently; pooled PostgreSQL commits can answer out of order), so
// a message that arrives ahead of a missing one waits briefly, then the gap is
// read from the database, where every fanned-out message already is.

import { logFailure } from '../edge/failures.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Message } from '../protocol/shapes.ts';
import type { Store } from '../store/store.ts';
import { toMessage } from '../core/mappers.ts';

interface Stream {
  /** Highest seq delivered; everything above `floor` up to here went out in order. */
  last: number;
  /** Where this node started following the conversation. */
  floor: number;
  startedAt: number;
  /** Seqs at or below `floor` that still arrived (late) and were delivered once. */
  late: Set<number>;
  pending: Map<number, { message: Message; origin: string | null }>;
  timer: NodeJS.Timeout | null;
  touchedAt: number;
}

export interface MessageSequencer {
  accept(message: Message, origin: string | null): void;
  close(): void;
}

export function createMessageSequencer(deps: {
  store: Store;
  logger: Logger;
  clock: Clock;
  deliver(message: Message, origin: string | null): void;
  /** How long a message may wait for a missing predecessor before the gap is read from the database. */
  gapMs?: number;
  idleMs?: number;
}): MessageSequencer {
  const { store, logger, clock, deliver, gapMs = 40, idleMs = 10 * 60_000 } = deps;
  const streams = new Map<string, Stream>();

  function drain(s: Stream) {
    for (let next = s.pending.get(s.last + 1); next; next = s.pending.get(s.last + 1)) {
      s.pending.delete(s.last + 1);
      s.last++;
      deliver(next.message, next.origin);
    }
    if (s.pending.size === 0 && s.timer) {
      clearTimeout(s.timer);
      s.timer = null;
    }
  }

  async function fill(conversationId: string, s: Stream) {
    s.timer = null;
    if (s.pending.size === 0) return;
    const upTo = Math.min(...s.pending.keys());
    const missing = await store.getMessages(conversationId, { afterSeq: s.last, beforeSeq: upTo, limit: 200 });
    for (const record of missing) {
      if (record.seq !== s.last + 1) break;
      s.last = record.seq;
      deliver(toMessage(record), null);
    }
    drain(s);
    if (s.pending.size > 0 && !s.timer) s.timer = setTimeout(() => run(conversationId, s), gapMs);
  }

  function run(conversationId: string, s: Stream) {
    fill(conversationId, s).catch((err: unknown) => {
      logFailure(logger, 'sequencer.fill_failed', err);
      if (!s.timer) s.timer = setTimeout(() => run(conversationId, s), gapMs * 5);
    });
  }

  const sweep = setInterval(() => {
    const cutoff = clock.now() - idleMs;
    for (const [id, s] of streams) if (s.touchedAt < cutoff && s.pending.size === 0) streams.delete(id);
  }, Math.min(idleMs, 60_000));
  sweep.unref();

  return {
    accept(message, origin) {
      const now = clock.now();
      let s = streams.get(message.conversationId);
      if (!s) {
        s = { last: message.seq - 1, floor: message.seq - 1, startedAt: now, late: new Set(), pending: new Map(), timer: null, touchedAt: now };
        streams.set(message.conversationId, s);
      }
      s.touchedAt = now;
      if (message.seq <= s.floor) {
        // Arrived late, just after this node began following the conversation: deliver once rather than lose it.
        if (now - s.startedAt < 5000 && !s.late.has(message.seq)) {
          s.late.add(message.seq);
          deliver(message, origin);
        }
        return;
      }
      if (message.seq <= s.last || s.pending.has(message.seq)) return; // already delivered or waiting: a re-send
      if (message.seq === s.last + 1 && s.pending.size === 0) {
        // In order, nothing waiting (the usual case): straight out.
        s.last++;
        deliver(message, origin);
        return;
      }
      s.pending.set(message.seq, { message, origin });
      drain(s);
      if (s.pending.size > 0 && !s.timer) s.timer = setTimeout(() => run(message.conversationId, s), gapMs);
    },
    close() {
      clearInterval(sweep);
      for (const s of streams.values()) if (s.timer) clearTimeout(s.timer);
      streams.clear();
    },
  };
}
