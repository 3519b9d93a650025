// Tags on conversations (#17 item 6): agents add and remove them on the conversations they may
// read (queued, closed, their own active ones; admins any); every agent hears the change (`tags`).
// Tag names are checked here (protocol/search.ts normalizeTag). No SQL, no transport.

import { AppError, ErrorCode } from '../protocol/errors.ts';
import { MAX_TAG_LENGTH, MAX_TAGS_PER_CONVERSATION, normalizeTag } from '../protocol/search.ts';
import type { Clock } from '../clock.ts';
import type { Store, TagChangeResult } from '../store/store.ts';
import type { ActingAgent, ConversationService } from './conversations.ts';
import { conversationNotFound } from './store-outcomes.ts';

/** A `tags:get` asks for at most this many conversations. */
export const TAGS_GET_MAX = 200;

export interface Tags {
  add(agent: ActingAgent, conversationId: string, tag: string): Promise<string[]>;
  remove(agent: ActingAgent, conversationId: string, tag: string): Promise<string[]>;
  /** The tags of these conversations (those that have any). */
  of(conversationIds: readonly string[]): Promise<Record<string, string[]>>;
}

function valid(input: string): string {
  const tag = normalizeTag(input);
  if (tag === null) {
    throw new AppError(
      ErrorCode.InvalidPayload,
      `a tag is 1 to ${MAX_TAG_LENGTH} letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
  return tag;
}

export function createTags(deps: {
  store: Store;
  conversations: Pick<ConversationService, 'requireViewable'>;
  clock: Clock;
  /** Tells every agent (fanout.ts); called only when the tags changed. */
  changed(conversationId: string, tags: string[]): void;
}): Tags {
  const { store, conversations, clock } = deps;

  function settle(conversationId: string, result: TagChangeResult): string[] {
    if (result.kind === 'not_found') throw conversationNotFound();
    if (result.kind === 'too_many') {
      throw new AppError(ErrorCode.Conflict, `a conversation has at most ${MAX_TAGS_PER_CONVERSATION} tags`);
    }
    if (result.changed) deps.changed(conversationId, result.tags);
    return result.tags;
  }

  return {
    async add(agent, conversationId, input) {
      const tag = valid(input);
      await conversations.requireViewable(agent, conversationId);
      return settle(conversationId, await store.addTag(conversationId, tag, MAX_TAGS_PER_CONVERSATION, clock.now()));
    },
    async remove(agent, conversationId, input) {
      const tag = valid(input);
      await conversations.requireViewable(agent, conversationId);
      return settle(conversationId, await store.removeTag(conversationId, tag));
    },
    of(conversationIds) {
      if (conversationIds.length > TAGS_GET_MAX) throw new AppError(ErrorCode.InvalidPayload, `at most ${TAGS_GET_MAX} conversations at once`);
      return store.getTags(conversationIds);
    },
  };
}
