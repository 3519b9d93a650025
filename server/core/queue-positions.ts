// Keeps every waiting visitor's queue position current. Changes are coalesced
// per short window, so a storm of claims costs one queue read per window, and
// only conversations behind the change are told (and read). Places asked in
// the same turn of the event loop are read together.

import type { Logger } from '../logger.ts';
import type { ConversationRecord, Store } from '../store/store.ts';
import type { DomainEvents } from './events.ts';
import type { Conversation } from '../protocol/shapes.ts';
import { toConversation } from './mappers.ts';

export interface QueuePositions {
  /** The queue changed at (or after) this queuedAt; everyone from there on may have moved. */
  changed(fromQueuedAt: number): void;
  positionOf(conversationId: string): Promise<number | null>;
  /** A conversation as clients see it: with its queue position when it is queued. */
  view(conversation: ConversationRecord): Promise<Conversation>;
  /** The queue as clients see it, in order. */
  list(): Promise<Conversation[]>;
  close(): void;
}

/** Most conversations one position read asks for; a bigger batch is read in parts. */
const MAX_BATCH = 500;

export function createQueuePositions(deps: {
  store: Store;
  events: Pick<DomainEvents, 'queuePositionChanged' | 'dashboardChanged'>;
  logger: Logger;
  windowMs?: number;
}): QueuePositions {
  const { store, events, logger, windowMs = 100 } = deps;
  let from: number | null = null;
  let timer: NodeJS.Timeout | null = null;

  async function flush(): Promise<void> {
    timer = null;
    const since = from;
    from = null;
    if (since === null) return;
    // Only those queued from the change on can have moved: the queue ahead of them is counted, not read.
    const { ahead, queue } = await store.listQueueFrom(since);
    queue.forEach((c, i) => events.queuePositionChanged(c, ahead + i + 1));
    events.dashboardChanged();
  }

  // Every open, release and snapshot asks for a place. Those asked in the same turn of the event
  // loop (a storm of visitors opening conversations, whose appends share one commit) are read
  // together: one count for the batch, where one each would count the whole queue ahead every time.
  let batch: Map<string, { resolve: (p: number | null) => void; reject: (err: unknown) => void }[]> | null = null;

  async function readBatch(asked: NonNullable<typeof batch>): Promise<void> {
    const ids = [...asked.keys()];
    for (let i = 0; i < ids.length; i += MAX_BATCH) {
      const part = ids.slice(i, i + MAX_BATCH);
      try {
        const positions = await store.queuePositions(part);
        for (const id of part) for (const w of asked.get(id)!) w.resolve(positions.get(id) ?? null);
      } catch (err) {
        for (const id of part) for (const w of asked.get(id)!) w.reject(err);
      }
    }
  }

  function positionOf(conversationId: string): Promise<number | null> {
    return new Promise((resolve, reject) => {
      if (!batch) {
        batch = new Map();
        setImmediate(() => {
          const asked = batch!;
          batch = null;
          void readBatch(asked);
        });
      }
      const waiting = batch.get(conversationId);
      if (waiting) waiting.push({ resolve, reject });
      else batch.set(conversationId, [{ resolve, reject }]);
    });
  }

  return {
    changed(fromQueuedAt) {
      from = from === null ? fromQueuedAt : Math.min(from, fromQueuedAt);
      if (timer) return;
      timer = setTimeout(() => {
        flush().catch((err: unknown) => logger.error({ event: 'queue.flush_failed', err }, 'queue position flush failed'));
      }, windowMs);
    },
    async view(conversation) {
      return toConversation(conversation, conversation.status === 'queued' ? await positionOf(conversation.id) : null);
    },
    async list() {
      return (await store.listQueue()).map((c, i) => toConversation(c, i + 1));
    },
    positionOf,
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
