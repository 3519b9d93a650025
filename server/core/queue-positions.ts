// Keeps every waiting visitor's queue position current. Changes are coalesced
// per short window, so a storm of claims costs one queue read per window, and
// only conversations behind the change are told.

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
    const queue = await store.listQueue();
    queue.forEach((c, i) => {
      if (c.queuedAt >= since) events.queuePositionChanged(c, i + 1);
    });
    events.dashboardChanged();
  }

  // A COUNT in the store, not the queue read: every open, release and snapshot asks this.
  const positionOf = (conversationId: string) => store.queuePosition(conversationId);

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
