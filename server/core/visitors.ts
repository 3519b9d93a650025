// Visitors: their identity (and its default name), their profile, the page they are on, and the
// context an agent sees beside a conversation. No transport: callers validate input first.

import { AppError, ErrorCode } from '../protocol/errors.ts';
import { defaultVisitorName } from '../protocol/names.ts';
import type { VisitorContext } from '../protocol/events.ts';
import type { Store, VisitorAttribute, VisitorRecord } from '../store/store.ts';
import type { IdentityRules } from './identity.ts';
import type { ActingAgent, ActingVisitor, ConversationService } from './conversations.ts';
import { parsePage } from './dashboard.ts';
import type { DomainEvents } from './events.ts';
import { personKey, type PresenceRegistry } from './presence-registry.ts';
import type { QueuePositions } from './queue-positions.ts';


export interface IdentifyInput {
  name?: string;
  email?: string;
  /** With hash: a verified identify (the host site's user id and its HMAC). */
  userId?: string;
  hash?: string;
}

export interface VisitorService {
  /**
   * The visitor of a session: the existing one (with the given name/email applied) or a new one. With
   * userId and a matching hash: the verified visitor of that user, on every device (`created` is then true
   * whenever the session's visitor changes). identity_invalid / identity_off / identity_required refuse,
   * nothing changed.
   */
  identify(existing: VisitorRecord | null, input: IdentifyInput): Promise<{ visitor: VisitorRecord; created: boolean }>;
  /** Parley.setAttributes: replaces the visitor's custom attributes (validated at the edge). */
  setAttributes(visitor: ActingVisitor, attributes: Record<string, VisitorAttribute>): Promise<VisitorRecord>;
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
  identity: IdentityRules;
}): VisitorService {
  const { store, registry, conversations, queue, events, identity } = deps;

  return {
    async identify(existing, input) {
      if (input.userId !== undefined || input.hash !== undefined) {
        if (!identity.enabled) throw new AppError(ErrorCode.IdentityOff, 'identity verification is not set up on this server (IDENTITY_SECRET)');
        // A wrong or missing hash changes nothing: it never reaches the store, so never a verified visitor.
        if (input.userId === undefined || input.hash === undefined || !identity.verify(input.userId, input.hash)) {
          throw new AppError(ErrorCode.IdentityInvalid, 'the identity hash does not match this userId');
        }
        // An anonymous visitor who logs in keeps their chat (it becomes the user's); a visitor verified as
        // someone else never does: they switch to the new user's visitor.
        const candidate = existing && existing.userId === null ? existing.id : null;
        let visitor = await store.bindVerifiedVisitor(input.userId, candidate, { name: input.name ?? '', email: input.email ?? null });
        // The hash proves the owner: their name and email may change with it.
        const patch = { ...(input.name !== undefined && input.name !== visitor.name ? { name: input.name } : {}), ...(input.email !== undefined && input.email !== visitor.email ? { email: input.email } : {}) };
        if (!visitor.name && patch.name === undefined) Object.assign(patch, { name: defaultVisitorName(visitor.id) });
        if (Object.keys(patch).length > 0) visitor = (await store.updateVisitor(visitor.id, patch)) ?? visitor;
        return { visitor, created: visitor.id !== existing?.id };
      }
      if (identity.required && !existing?.verified) throw new AppError(ErrorCode.IdentityRequired, 'this service only chats with signed-in users (identify with userId and hash)');
      if (existing) {
        const changed = input.name !== undefined || input.email !== undefined;
        return { visitor: changed ? ((await store.updateVisitor(existing.id, input)) ?? existing) : existing, created: false };
      }
      let visitor = await store.createVisitor({ name: input.name ?? '', email: input.email ?? null });
      if (input.name === undefined) visitor = (await store.updateVisitor(visitor.id, { name: defaultVisitorName(visitor.id) })) ?? visitor;
      return { visitor, created: true };
    },

    async setAttributes(visitor, attributes) {
      const updated = await store.setVisitorAttributes(visitor.id, attributes);
      if (!updated) throw new AppError(ErrorCode.NotFound, 'visitor is gone');
      const current = await store.getCurrentConversation(updated.id);
      if (current && current.status !== 'closed') events.conversationUpdated(current, await queue.positionOf(current.id));
      return updated;
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
      return { id: v.id, name: v.name, email: v.email, verified: v.verified, attributes: v.attributes, online, page: online ? parsePage(attrs.page) : null };
    },
  };
}
