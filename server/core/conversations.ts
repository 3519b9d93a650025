// The conversation lifecycle (queued → active → closed, release, transfer)
// and messaging rules: who may act on which conversation, and what follows
// from each change. No Socket.IO, express or SQL here.

import type { Clock } from '../clock.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { HistoryQuery, Role } from '../protocol/shapes.ts';
import { HISTORY_DEFAULT_LIMIT } from '../protocol/shapes.ts';
import type { AppendResult, ConversationRecord, MessageRecord, Store } from '../store/store.ts';
import type { DomainEvents } from './events.ts';
import type { QueuePositions } from './queue-positions.ts';
import { attachmentForSend } from './attachments.ts';
import { appendRefused, conversationNotFound, notAssigned, openContended, transitionRefused } from './store-outcomes.ts';

export interface ActingAgent {
  id: string;
  name: string;
  role: Role;
}

export interface ActingVisitor {
  id: string;
  name: string;
}

export interface ConversationService {
  /** `attachmentId`: an upload of this visitor's (core/attachments.ts), carried by the message. */
  sendVisitorMessage(visitor: ActingVisitor, input: { clientId: string; body: string; attachmentId?: string }, origin: string | null): Promise<MessageRecord>;
  sendAgentMessage(
    agent: ActingAgent,
    input: { conversationId: string; clientId: string; body: string; attachmentId?: string },
    origin: string | null,
  ): Promise<MessageRecord>;
  /**
   * A message from the system (an integration, docs/api.md): into any open conversation, with
   * the given author name; idempotent by clientId and delivered live like any other.
   */
  sendSystemMessage(input: { conversationId: string; clientId: string; body: string; authorId: string; authorName: string }, origin: string | null): Promise<MessageRecord>;
  claim(agent: ActingAgent, conversationId: string): Promise<ConversationRecord>;
  release(agent: ActingAgent, conversationId: string): Promise<ConversationRecord>;
  transfer(agent: ActingAgent, conversationId: string, toAgentId: string): Promise<ConversationRecord>;
  close(agent: ActingAgent, conversationId: string): Promise<ConversationRecord>;
  /** The visitor's open (queued or active) conversation, if any. */
  currentOf(visitorId: string): Promise<ConversationRecord | null>;
  /** The agent's active conversations. */
  activeOf(agentId: string): Promise<ConversationRecord[]>;
  visitorHistory(visitorId: string, query: HistoryQuery): Promise<{ conversation: ConversationRecord | null; messages: MessageRecord[] }>;
  agentHistory(agent: ActingAgent, conversationId: string, query: HistoryQuery): Promise<{ conversation: ConversationRecord; messages: MessageRecord[] }>;
  visitorRead(visitor: ActingVisitor, seq: number): Promise<void>;
  agentRead(agent: ActingAgent, conversationId: string, seq: number): Promise<void>;
  visitorTyping(visitor: ActingVisitor, typing: boolean, origin: string | null): Promise<void>;
  agentTyping(agent: ActingAgent, conversationId: string, typing: boolean, origin: string | null): Promise<void>;
  /**
   * Every active conversation of this agent back to the queue (their account was disabled). Each is
   * one conditional release: when several nodes do this at once, each conversation is released,
   * and announced, once.
   */
  releaseAllOf(agentId: string): Promise<ConversationRecord[]>;
  /** The agent's active conversations carry a new name (the store renamed them): tell their rooms. */
  agentRenamed(agentId: string): Promise<void>;
  /** The conversation an agent may act on (active and theirs), else the fitting AppError. */
  requireAssigned(agent: ActingAgent, conversationId: string): Promise<ConversationRecord>;
  /** The conversation an agent may read, else the fitting AppError. */
  requireViewable(agent: ActingAgent, conversationId: string): Promise<ConversationRecord>;
}

export function createConversationService(deps: {
  store: Store;
  events: DomainEvents;
  queue: QueuePositions;
  clock: Clock;
}): ConversationService {
  const { store, events, queue, clock } = deps;

  async function load(conversationId: string): Promise<ConversationRecord> {
    const c = await store.getConversation(conversationId);
    if (!c) throw conversationNotFound();
    return c;
  }

  async function requireAssigned(agent: ActingAgent, conversationId: string): Promise<ConversationRecord> {
    const c = await load(conversationId);
    if (c.status !== 'active' || c.agentId !== agent.id) throw notAssigned(c);
    return c;
  }

  async function requireViewable(agent: ActingAgent, conversationId: string): Promise<ConversationRecord> {
    const c = await load(conversationId);
    // Queued and closed conversations are the team's; an active one belongs to its agent (and admins).
    if (c.status === 'active' && c.agentId !== agent.id && agent.role !== 'admin') {
      throw new AppError(ErrorCode.Forbidden, 'the conversation is assigned to another agent');
    }
    return c;
  }

  const holder = (agent: ActingAgent): string | null => (agent.role === 'admin' ? null : agent.id);

  /** A stored (or re-sent) message: announces what it opened, fans it out, and returns it. */
  async function delivered(result: AppendResult, created: boolean, origin: string | null): Promise<MessageRecord> {
    if (result.kind !== 'created' && result.kind !== 'duplicate') throw appendRefused(result);
    // A retry of the opening message re-announces it too: the first attempt may have died before telling agents.
    const opening = created || (result.kind === 'duplicate' && result.message.seq === 1 && result.conversation.status === 'queued');
    if (opening) {
      events.conversationOpened(result.conversation, await queue.positionOf(result.conversation.id));
      // Opens race: one committed later may be queued earlier (its open read the clock first, here or
      // on another node), and then the places told to those behind it are one short. The coalesced
      // queue read after this one tells everyone queued from here on their place again.
      if (created) queue.changed(result.conversation.queuedAt);
    }
    // A duplicate is fanned out again: the first attempt may have died between commit and fan-out; clients de-duplicate by id.
    events.messageCreated(result.message, result.conversation, origin);
    return result.message;
  }

  function page(query: HistoryQuery) {
    return { afterSeq: query.afterSeq, beforeSeq: query.beforeSeq, limit: query.limit ?? HISTORY_DEFAULT_LIMIT };
  }

  return {
    async sendVisitorMessage(visitor, { clientId, body, attachmentId }, origin) {
      const attachment = attachmentId === undefined ? undefined : await attachmentForSend(store, clock.now(), { kind: 'visitor', id: visitor.id }, attachmentId);
      // Usually the conversation is open already: one transaction finds it and appends.
      const direct = await store.appendVisitorMessage(visitor.id, { clientId, body, createdAt: clock.now(), attachment });
      if (direct.kind !== 'no_open_conversation' && direct.kind !== 'closed') return delivered(direct, false, origin);
      // Two attempts: the open conversation may be closed by an agent between opening and appending.
      for (let attempt = 0; attempt < 2; attempt++) {
        const opened = await store.openConversation(visitor, clock.now());
        if (opened.kind === 'contended') throw openContended();
        const { conversation, created } = opened;
        const result = await store.appendMessage({
          conversationId: conversation.id,
          clientId,
          authorKind: 'visitor',
          authorId: visitor.id,
          // The conversation carries the visitor's current name, even if another tab renamed them.
          authorName: conversation.visitorName,
          body,
          createdAt: clock.now(),
          attachment,
        });
        if (result.kind === 'closed') continue;
        return delivered(result, created, origin);
      }
      throw new AppError(ErrorCode.Unavailable, 'the conversation changed; try again');
    },

    async sendAgentMessage(agent, { conversationId, clientId, body, attachmentId }, origin) {
      const attachment = attachmentId === undefined ? undefined : await attachmentForSend(store, clock.now(), { kind: 'agent', id: agent.id }, attachmentId);
      const result = await store.appendMessage({
        conversationId,
        clientId,
        authorKind: 'agent',
        authorId: agent.id,
        authorName: agent.name,
        body,
        createdAt: clock.now(),
        attachment,
        // Checked in the append's own transaction: only the assignee writes.
        assignedTo: agent.id,
      });
      return delivered(result, false, origin);
    },

    async sendSystemMessage({ conversationId, clientId, body, authorId, authorName }, origin) {
      const result = await store.appendMessage({ conversationId, clientId, authorKind: 'system', authorId, authorName, body, createdAt: clock.now() });
      return delivered(result, false, origin);
    },

    async claim(agent, conversationId) {
      const result = await store.claim(conversationId, agent);
      if (result.kind !== 'ok') throw transitionRefused(result, agent.id, 'claim');
      events.conversationClaimed(result.conversation, result.previous);
      queue.changed(result.previous.queuedAt);
      return result.conversation;
    },

    async release(agent, conversationId) {
      const result = await store.release(conversationId, holder(agent));
      if (result.kind !== 'ok') throw transitionRefused(result, agent.id, 'release');
      events.conversationReleased(result.conversation, result.previous, await queue.positionOf(conversationId));
      queue.changed(result.conversation.queuedAt);
      return result.conversation;
    },

    async transfer(agent, conversationId, toAgentId) {
      const target = await store.getAgent(toAgentId);
      // A disabled agent cannot take conversations (their sockets are closed, their logins refused).
      if (!target || target.disabled) throw new AppError(ErrorCode.NotFound, 'no such agent');
      const current = await load(conversationId);
      if (current.status === 'active' && current.agentId === target.id) {
        throw new AppError(ErrorCode.InvalidPayload, 'the conversation is already assigned to that agent');
      }
      const result = await store.transfer(conversationId, holder(agent), { id: target.id, name: target.name });
      if (result.kind !== 'ok') throw transitionRefused(result, agent.id, 'transfer');
      events.conversationTransferred(result.conversation, result.previous);
      return result.conversation;
    },

    async close(agent, conversationId) {
      const result = await store.closeConversation(conversationId, holder(agent), clock.now());
      if (result.kind !== 'ok') throw transitionRefused(result, agent.id, 'close');
      events.conversationClosed(result.conversation, result.previous);
      if (result.previous.status === 'queued') queue.changed(result.previous.queuedAt);
      return result.conversation;
    },

    async currentOf(visitorId) {
      const c = await store.getCurrentConversation(visitorId);
      return c && c.status !== 'closed' ? c : null;
    },

    activeOf(agentId) {
      return store.listConversations({ agentId, status: 'active', limit: 1000 });
    },

    async visitorHistory(visitorId, query) {
      const conversation = await store.getCurrentConversation(visitorId);
      if (!conversation) return { conversation: null, messages: [] };
      return { conversation, messages: await store.getMessages(conversation.id, page(query)) };
    },

    async agentHistory(agent, conversationId, query) {
      const conversation = await requireViewable(agent, conversationId);
      return { conversation, messages: await store.getMessages(conversation.id, page(query)) };
    },

    async visitorRead(visitor, seq) {
      const c = await store.getCurrentConversation(visitor.id);
      if (!c) return;
      if (await store.setReadPosition({ conversationId: c.id, participantKind: 'visitor', participantId: visitor.id, seq })) {
        events.read(c.id, { kind: 'visitor', id: visitor.id, name: visitor.name }, Math.min(seq, c.lastSeq));
      }
    },

    async agentRead(agent, conversationId, seq) {
      const c = await requireAssigned(agent, conversationId);
      if (await store.setReadPosition({ conversationId, participantKind: 'agent', participantId: agent.id, seq })) {
        events.read(conversationId, { kind: 'agent', id: agent.id, name: agent.name }, Math.min(seq, c.lastSeq));
      }
    },

    async visitorTyping(visitor, typing, origin) {
      const c = await store.getCurrentConversation(visitor.id);
      if (!c || c.status === 'closed') return;
      events.typing(c.id, { kind: 'visitor', id: visitor.id, name: visitor.name }, typing, origin);
    },

    async agentTyping(agent, conversationId, typing, origin) {
      await requireAssigned(agent, conversationId);
      events.typing(conversationId, { kind: 'agent', id: agent.id, name: agent.name }, typing, origin);
    },

    async releaseAllOf(agentId) {
      const released: ConversationRecord[] = [];
      for (const c of await store.listConversations({ agentId, status: 'active', limit: 1000 })) {
        const result = await store.release(c.id, agentId);
        if (result.kind !== 'ok') continue; // released, closed or transferred meanwhile: not ours to announce
        events.conversationReleased(result.conversation, result.previous, await queue.positionOf(c.id));
        queue.changed(result.conversation.queuedAt);
        released.push(result.conversation);
      }
      return released;
    },

    async agentRenamed(agentId) {
      for (const c of await store.listConversations({ agentId, status: 'active', limit: 1000 })) events.conversationUpdated(c, null);
    },

    requireAssigned,
    requireViewable,
  };
}
