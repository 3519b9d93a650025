// Many conversations at once (the console): one conversation model each, live
// events routed by conversationId, and the totals a sidebar or a title needs.
// No DOM; the caller says how a model is made (its socket, its side).

import type { Conversation, Message, PresenceEvent, ReadEvent, TypingEvent } from '../../server/protocol/shapes.ts';
import type { ConversationModel } from './conversation-model.ts';

export interface ConversationSet {
  /** The conversation's model: made on first sight, else handed the new snapshot. */
  upsert(c: Conversation): ConversationModel;
  get(id: string): ConversationModel | undefined;
  remove(id: string): void;
  ids(): string[];
  /** Live events go to their conversation's model; those of conversations not held are dropped. */
  message(m: Message): void;
  presence(e: PresenceEvent): void;
  typing(e: TypingEvent): void;
  read(e: ReadEvent): void;
  /** Unread over every model held. */
  unread(): number;
  /** Grows on every change of any model and on every add or remove. */
  version(): number;
  subscribe(listener: () => void): () => void;
}

export function createConversationSet(create: (c: Conversation) => ConversationModel): ConversationSet {
  const models = new Map<string, { model: ConversationModel; off: () => void }>();
  const listeners = new Set<() => void>();
  let version = 0;
  const changed = () => {
    version++;
    for (const listener of [...listeners]) listener();
  };

  return {
    upsert(c) {
      const held = models.get(c.id);
      if (held) {
        held.model.conversation(c);
        return held.model;
      }
      const model = create(c);
      models.set(c.id, { model, off: model.subscribe(changed) });
      changed();
      return model;
    },
    get: (id) => models.get(id)?.model,
    remove(id) {
      const held = models.get(id);
      if (!held) return;
      held.off();
      models.delete(id);
      changed();
    },
    ids: () => [...models.keys()],
    message: (m) => models.get(m.conversationId)?.model.messages([m]),
    presence: (e) => models.get(e.conversationId)?.model.presence(e),
    typing: (e) => models.get(e.conversationId)?.model.typing(e),
    read: (e) => models.get(e.conversationId)?.model.read(e),
    unread: () => [...models.values()].reduce((n, { model }) => n + model.getState().unread, 0),
    version: () => version,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
