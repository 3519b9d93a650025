// The REST API for integrations (docs/api.md), authenticated by API tokens (bearer.ts): read
// conversations and messages, send messages as an agent or as the system, close and assign, list
// agents. Every change goes through core/ like the sockets' own; its shapes are in openapi.ts.

import { Router } from 'express';
import { z } from 'zod';
import type { Desk } from '../core/desk.ts';
import type { Integrations } from '../core/integrations.ts';
import { toConversation, toMessage } from '../core/mappers.ts';
import type { QueuePositions } from '../core/queue-positions.ts';
import type { BearerFailures } from '../edge/bearer-failures.ts';
import { id, messageBody, Name, parse, text } from '../edge/schemas.ts';
import type { ApiTokens } from '../core/api-tokens.ts';
import type { Logger } from '../logger.ts';
import { ApiScope } from '../protocol/api-tokens.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import { HISTORY_MAX_LIMIT } from '../protocol/shapes.ts';
import type { Store } from '../store/store.ts';
import { requireScope, requireToken, tokenOf } from './bearer.ts';
import { OPENAPI_PATH, openApiDocument } from './openapi.ts';

export const API_V1 = '/api/v1';
const PAGE_DEFAULT = 50;

const limit = z.coerce.number().int().min(1).max(HISTORY_MAX_LIMIT).default(PAGE_DEFAULT);
const listQuery = z.object({ status: z.enum(['queued', 'active', 'closed']).optional(), cursor: text().max(200).optional(), limit });
const messagesQuery = z.object({ afterSeq: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0), limit });
const assignInput = z.strictObject({ agentId: id });

/** A page's position, opaque to clients: base64url of `[createdAt, id]` of the page's last conversation. */
export function encodeCursor(c: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (!Array.isArray(value) || value.length !== 2 || !Number.isSafeInteger(value[0]) || typeof value[1] !== 'string' || value[1].length > 100) {
    throw new AppError(ErrorCode.InvalidPayload, 'cursor: not a cursor this API returned');
  }
  return { createdAt: value[0], id: value[1] };
}

export function apiV1Router(deps: {
  store: Store;
  tokens: ApiTokens;
  failures: BearerFailures;
  integrations: Integrations;
  queue: QueuePositions;
  desk: Pick<Desk, 'team'>;
  maxMessageLength: number;
  logger: Logger;
}): Router {
  const { store, integrations, queue, desk } = deps;
  const router = Router();
  const auth = (...anyOf: ApiScope[]) => requireToken(deps, ...anyOf);
  const send = z
    .strictObject({
      clientId: id,
      body: messageBody(deps.maxMessageLength),
      as: z.enum(['agent', 'system']),
      agentId: id.optional(),
      authorName: Name.optional(),
    })
    .superRefine((p, ctx) => {
      if (p.as === 'system' && p.agentId !== undefined) ctx.addIssue({ code: 'custom', path: ['agentId'], message: 'only with "as": "agent"' });
      if (p.as === 'agent' && p.authorName !== undefined) ctx.addIssue({ code: 'custom', path: ['authorName'], message: 'only with "as": "system"' });
    });

  router.get(OPENAPI_PATH, (_req, res) => {
    res.json(openApiDocument);
  });

  router.get(`${API_V1}/conversations`, auth(ApiScope.ConversationsRead), async (req, res) => {
    const q = parse(listQuery, req.query);
    const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    // One more than the page: whether there is a next one, without an empty last page.
    const rows = await store.listConversations({ status: q.status, before, newestFirst: true, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      conversations: await Promise.all(page.map((c) => queue.view(c))),
      nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]) : null,
    });
  });

  router.get(`${API_V1}/conversations/:id`, auth(ApiScope.ConversationsRead), async (req, res) => {
    const c = await store.getConversation(String(req.params.id));
    if (!c) throw new AppError(ErrorCode.NotFound, 'no such conversation');
    res.setHeader('Cache-Control', 'no-store');
    res.json({ conversation: await queue.view(c) });
  });

  router.get(`${API_V1}/conversations/:id/messages`, auth(ApiScope.ConversationsRead), async (req, res) => {
    const q = parse(messagesQuery, req.query);
    const c = await store.getConversation(String(req.params.id));
    if (!c) throw new AppError(ErrorCode.NotFound, 'no such conversation');
    const messages = await store.getMessages(c.id, { afterSeq: q.afterSeq, limit: q.limit });
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      messages: messages.map(toMessage),
      nextAfterSeq: messages.length === q.limit ? messages[messages.length - 1].seq : null,
    });
  });

  router.post(`${API_V1}/conversations/:id/messages`, auth(ApiScope.MessagesSendAgent, ApiScope.MessagesSendSystem), async (req, res) => {
    const input = parse(send, req.body ?? {});
    const conversationId = String(req.params.id);
    if (input.as === 'agent') {
      requireScope(res, ApiScope.MessagesSendAgent);
      const message = await integrations.sendAsAgent(conversationId, input);
      res.json({ message: toMessage(message) });
      return;
    }
    requireScope(res, ApiScope.MessagesSendSystem);
    const message = await integrations.sendAsSystem(tokenOf(res), conversationId, input);
    res.json({ message: toMessage(message) });
  });

  router.post(`${API_V1}/conversations/:id/close`, auth(ApiScope.ConversationsManage), async (req, res) => {
    const c = await integrations.close(tokenOf(res), String(req.params.id));
    deps.logger.info({ event: 'api.conversation_closed', conversationId: c.id, tokenId: tokenOf(res).id }, 'conversation closed over the API');
    res.json({ conversation: toConversation(c) });
  });

  router.post(`${API_V1}/conversations/:id/assign`, auth(ApiScope.ConversationsManage), async (req, res) => {
    const { agentId } = parse(assignInput, req.body ?? {});
    const c = await integrations.assign(tokenOf(res), String(req.params.id), agentId);
    deps.logger.info({ event: 'api.conversation_assigned', conversationId: c.id, agentId, tokenId: tokenOf(res).id }, 'conversation assigned over the API');
    res.json({ conversation: await queue.view(c) });
  });

  router.get(`${API_V1}/agents`, auth(ApiScope.AgentsRead), async (_req, res) => {
    const [team, agents] = await Promise.all([desk.team(), store.listAgents()]);
    const emails = new Map(agents.map((a) => [a.id, a.email]));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ agents: team.map((a) => ({ id: a.id, name: a.name, email: emails.get(a.id) ?? '', role: a.role, status: a.status })) });
  });

  return router;
}
