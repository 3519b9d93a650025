// What an API token does to conversations (docs/api.md): assign, close, and send as an agent or as
// the system, each through the conversation service the sockets use, so a change made over the
// REST API is stored, announced and delivered like one made in the console. No express or SQL here.

import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { AgentRecord, ApiTokenRecord, ConversationRecord, MessageRecord, Store } from '../store/store.ts';
import type { ActingAgent, ConversationService } from './conversations.ts';
import { conversationNotFound } from './store-outcomes.ts';

export interface Integrations {
  /** Queued: the agent takes it (as a claim); active with another agent: transferred; with this one: unchanged. */
  assign(token: ApiTokenRecord, conversationId: string, agentId: string): Promise<ConversationRecord>;
  close(token: ApiTokenRecord, conversationId: string): Promise<ConversationRecord>;
  /** As `agentId`, or the conversation's agent when absent: the conversation must be active with that agent. */
  sendAsAgent(conversationId: string, input: { clientId: string; body: string; agentId?: string }): Promise<MessageRecord>;
  sendAsSystem(token: ApiTokenRecord, conversationId: string, input: { clientId: string; body: string; authorName?: string }): Promise<MessageRecord>;
}

/** A token acts with an admin's reach over conversations (its scopes were checked at the edge). */
function actorOf(token: ApiTokenRecord): ActingAgent {
  return { id: `token:${token.id}`, name: token.name, role: 'admin' };
}

export function createIntegrations(deps: { store: Pick<Store, 'getAgent' | 'getConversation'>; conversations: ConversationService }): Integrations {
  const { store, conversations } = deps;

  async function activeAgent(id: string): Promise<AgentRecord> {
    const agent = await store.getAgent(id);
    if (!agent || agent.disabled) throw new AppError(ErrorCode.NotFound, 'no such agent');
    return agent;
  }

  async function load(conversationId: string): Promise<ConversationRecord> {
    const c = await store.getConversation(conversationId);
    if (!c) throw conversationNotFound();
    return c;
  }

  return {
    async assign(token, conversationId, agentId) {
      const target = await activeAgent(agentId);
      const c = await load(conversationId);
      if (c.status === 'closed') throw new AppError(ErrorCode.ConversationClosed, 'the conversation is closed');
      if (c.status === 'queued') return conversations.claim(target, conversationId);
      if (c.agentId === target.id) return c;
      return conversations.transfer(actorOf(token), conversationId, target.id);
    },

    close(token, conversationId) {
      return conversations.close(actorOf(token), conversationId);
    },

    async sendAsAgent(conversationId, { clientId, body, agentId }) {
      const c = await load(conversationId);
      if (c.status === 'closed') throw new AppError(ErrorCode.ConversationClosed, 'the conversation is closed');
      const id = agentId ?? c.agentId;
      if (id === null) throw new AppError(ErrorCode.Conflict, 'the conversation is not assigned to an agent: assign it first, or send as the system');
      const agent = await activeAgent(id);
      if (c.status !== 'active' || c.agentId !== agent.id) throw new AppError(ErrorCode.Conflict, 'the conversation is not assigned to that agent');
      // The append checks the assignment again in its own transaction (a transfer may come between).
      return conversations.sendAgentMessage(agent, { conversationId, clientId, body }, null);
    },

    sendAsSystem(token, conversationId, { clientId, body, authorName }) {
      return conversations.sendSystemMessage({ conversationId, clientId, body, authorId: `token:${token.id}`, authorName: authorName ?? token.name }, null);
    },
  };
}
