// Visitors: their identity (and its default name), their profile, the page they are on, and the
// context an agent sees beside a conversation. No transport: callers validate input first.

import { AppError, ErrorCode } from '../protocol/errors.ts';
import { defaultVisitorName } from '../protocol/names.ts';
import type { VisitorContext } from '../protocol/events.ts';
import type { Store, VisitorRecord } from '../store/store.ts';
import type { ActingAgent, ActingVisitor, ConversationService } from './conversations.ts';
import { parsePage } from './dashboard.ts';
import type { DomainEvents } from './events.ts';
import { personKey, type PresenceRegistry } from './presence-registry.ts';
import type { QueuePositions } from './queue-positions.ts';


export interface VisitorService {
  /** The visitor of a session: the existing one (with the given name/email applied) or a new one. */
  identify(existing: VisitorRecord | null, input: { name?: string; email?: string }): Promise<{ visitor: VisitorRecord; created: boolean }>;
  updateProfile(visitor: ActingVisitor, patch: { name?: string; email?: string }): Promise<VisitorRecord>;
  /** The page a connected visitor is on, for the dashboard and the agent's context panel. */
  pageView(visitor: ActingVisitor, page: { url: string; title?: string }): Promise<void>;
  /** Who the visitor of a conversation is, whether they are here, and where. */
  context(agent: ActingAgent, conversationId: string): Promise<VisitorContext>;
}

export function createVisitorService(deps: {
  store: Store;
  registry: PresenceRegistry;
  conversations: ConversationService;
  queue: QueuePositions;
  events: Pick<DomainEvents, 'conversationUpdated' | 'dashboardChanged'>;
}): VisitorService {
  const { store, registry, conversations, queue, events } = deps;

  return {
    async identify(existing, input) {
      if (existing) {
        const changed = input.name !== undefined || input.email !== undefined;
        return { visitor: changed ? ((await store.updateVisitor(existing.id, input)) ?? existing) : existing, created: false };
      }
      let visitor = await store.createVisitor({ name: input.name ?? '', email: input.email ?? null });
      if (input.name === undefined) visitor = (await store.updateVisitor(visitor.id, { name: defaultVisitorName(visitor.id) })) ?? visitor;
      return { visitor, created: true };
    },

    async updateProfile(visitor, patch) {
      const updated = await store.updateVisitor(visitor.id, patch);
      if (!updated) throw new AppError(ErrorCode.NotFound, 'visitor is gone');
      // The new name shows in the queue and in the agent's pane.
      const current = await store.getCurrentConversation(updated.id);
      if (current && current.status !== 'closed') events.conversationUpdated(current, await queue.positionOf(current.id));
      events.dashboardChanged();
      return updated;
    },

    async pageView(visitor, { url, title }) {
      await registry.setAttr(personKey('visitor', visitor.id), 'page', JSON.stringify({ url, title: title ?? null }));
      events.dashboardChanged();
    },

    async context(agent, conversationId) {
      const conversation = await conversations.requireViewable(agent, conversationId);
      const key = personKey('visitor', conversation.visitorId);
      const [v, online, attrs] = await Promise.all([store.getVisitor(conversation.visitorId), registry.isAnnounced(key), registry.getAttrs(key)]);
      if (!v) throw new AppError(ErrorCode.NotFound, 'no such visitor');
      return { id: v.id, name: v.name, email: v.email, online, page: online ? parsePage(attrs.page) : null };
    },
  };
}
