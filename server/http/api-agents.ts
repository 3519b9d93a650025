// Team management (admins: create, list, edit, reset a password, disable, delete, unlock) and
// conversation transcripts (agents) over HTTP.

import { Router } from 'express';
import type { Accounts } from '../core/accounts.ts';
import type { ConversationService } from '../core/conversations.ts';
import type { Desk } from '../core/desk.ts';
import { toAgent, toConversation, toMessage } from '../core/mappers.ts';
import type { QueuePositions } from '../core/queue-positions.ts';
import type { Logger } from '../logger.ts';
import { parse, type Schemas } from '../edge/schemas.ts';
import type { Store } from '../store/store.ts';
import { agentOf, requireAgent, sameOriginOnly } from './guards.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { Team } from '../core/team.ts';

export function agentsRouter(deps: {
  store: Store;
  accounts: Accounts;
  conversations: ConversationService;
  queue: QueuePositions;
  desk: Pick<Desk, 'team'>;
  team: Team;
  schemas: Schemas;
  logger: Logger;
  trustProxy: boolean;
}): Router {
  const { store, accounts, conversations, queue, desk, team, schemas, logger, trustProxy } = deps;
  const router = Router();

  router.post('/api/agents', sameOriginOnly(trustProxy), requireAgent(store, { admin: true }), async (req, res) => {
    const input = parse(schemas.createAgent, req.body ?? {});
    const agent = await accounts.createAgent(input);
    logger.info({ event: 'agent.created', agentId: agent.id, by: agentOf(res).id, role: agent.role }, 'agent created');
    res.status(201).json({ agent: toAgent(agent) });
  });

  router.get('/api/agents', requireAgent(store, { admin: true }), async (_req, res) => {
    const agents = await store.listAgents();
    const locked = await Promise.all(agents.map((a) => accounts.isLocked(a)));
    res.json({ agents: agents.map((a, i) => ({ ...toAgent(a), signInLocked: locked[i] })) });
  });

  // The team as every agent may see it (no emails, no lock state): whom to transfer to, and who is here.
  router.get('/api/team', requireAgent(store), async (_req, res) => {
    res.json({ agents: await desk.team() });
  });

  // Lifts the lock that failed logins from unknown browsers put on an account.
  router.post('/api/agents/:id/unlock', sameOriginOnly(trustProxy), requireAgent(store, { admin: true }), async (req, res) => {
    const agent = await store.getAgent(String(req.params.id));
    if (!agent) throw new AppError(ErrorCode.NotFound, 'no such agent');
    await accounts.unlock(agent);
    logger.info({ event: 'agent.unlocked', agentId: agent.id, by: agentOf(res).id }, 'login lock lifted');
    res.status(204).end();
  });

  // Name, role, disabled. Disabling ends every session and socket of that agent on every node and
  // puts their conversations back in the queue; the last active admin stays (409 conflict).
  router.patch('/api/agents/:id', sameOriginOnly(trustProxy), requireAgent(store, { admin: true }), async (req, res) => {
    const patch = parse(schemas.updateAgent, req.body ?? {});
    const by = agentOf(res);
    const agent = await team.update(by, String(req.params.id), patch);
    logger.info({ event: 'agent.updated', agentId: agent.id, by: by.id, fields: Object.keys(patch), disabled: agent.disabled, role: agent.role }, 'agent updated');
    res.json({ agent: toAgent(agent) });
  });

  // A new random password, answered once (never stored in clear, never logged); the agent's sessions end.
  router.post('/api/agents/:id/password', sameOriginOnly(trustProxy), requireAgent(store, { admin: true }), async (req, res) => {
    const by = agentOf(res);
    const { agent, password } = await team.resetPassword(by, String(req.params.id));
    logger.info({ event: 'agent.password_reset', agentId: agent.id, by: by.id }, 'agent password reset');
    res.setHeader('Cache-Control', 'no-store');
    res.json({ agent: toAgent(agent), password });
  });

  // Only an agent who never handled a conversation (409 conflict otherwise: disable them instead).
  router.delete('/api/agents/:id', sameOriginOnly(trustProxy), requireAgent(store, { admin: true }), async (req, res) => {
    const by = agentOf(res);
    const agent = await team.remove(by, String(req.params.id));
    logger.info({ event: 'agent.deleted', agentId: agent.id, by: by.id }, 'agent deleted');
    res.status(204).end();
  });

  router.get('/api/conversations', requireAgent(store), async (req, res) => {
    const { status } = parse(schemas.conversationStatus, req.query);
    if (status === 'queued') {
      res.json({ conversations: await queue.list() });
      return;
    }
    // Summaries are the team's; transcripts of someone else's active conversation are not (see agentHistory).
    const list = await store.listConversations({ status, limit: 200 });
    res.json({ conversations: list.map((c) => toConversation(c)) });
  });

  router.get('/api/conversations/:id/messages', requireAgent(store), async (req, res) => {
    const query = parse(schemas.historyQuery, req.query);
    const { conversation, messages } = await conversations.agentHistory(agentOf(res), String(req.params.id), query);
    res.json({ conversation: await queue.view(conversation), messages: messages.map(toMessage) });
  });

  return router;
}
