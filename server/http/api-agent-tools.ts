// Canned replies over HTTP (agents: the team's and their own; admins also manage the team's) and
// the CSAT figure of a period (admins, like the reports). Rules are core's; this is transport.

import { Router } from 'express';
import { z } from 'zod';
import type { CannedReplies } from '../core/canned-replies.ts';
import type { CsatService } from '../core/csat.ts';
import { resolveRange } from '../core/report-range.ts';
import type { AgentToolsSchemas } from '../edge/agent-tools-schemas.ts';
import { parse } from '../edge/schemas.ts';
import type { Logger } from '../logger.ts';
import { CANNED_PERSONAL_MAX, CANNED_SHORTCUT_MAX, CANNED_TEAM_MAX } from '../protocol/agent-tools.ts';
import type { Store } from '../store/store.ts';
import { agentOf, requireAgent, sameOriginOnly } from './guards.ts';

const text = (max: number) => z.string().max(max).refine((s) => s.isWellFormed(), 'text is not well-formed Unicode');
const csatQuery = z.object({
  from: text(40).min(1, 'from is required'),
  to: text(40).min(1, 'to is required'),
  tz: text(64).min(1).optional(),
  agentId: text(100).min(1).optional(),
});

export function agentToolsRouter(deps: {
  store: Store;
  canned: CannedReplies;
  csat: CsatService;
  schemas: AgentToolsSchemas;
  logger: Logger;
  trustProxy: boolean;
}): Router {
  const { store, canned, csat, schemas, logger, trustProxy } = deps;
  const router = Router();
  const write = [sameOriginOnly(trustProxy), requireAgent(store)];

  router.get('/api/canned-replies', requireAgent(store), async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      replies: await canned.list(agentOf(res)),
      limits: { shortcut: CANNED_SHORTCUT_MAX, team: CANNED_TEAM_MAX, personal: CANNED_PERSONAL_MAX },
    });
  });

  router.post('/api/canned-replies', ...write, async (req, res) => {
    const reply = await canned.create(agentOf(res), parse(schemas.cannedCreate, req.body ?? {}));
    logger.info({ event: 'canned.created', id: reply.id, scope: reply.scope, by: agentOf(res).id }, 'canned reply created');
    res.status(201).json({ reply });
  });

  router.patch('/api/canned-replies/:id', ...write, async (req, res) => {
    const reply = await canned.update(agentOf(res), String(req.params.id), parse(schemas.cannedUpdate, req.body ?? {}));
    logger.info({ event: 'canned.updated', id: reply.id, scope: reply.scope, by: agentOf(res).id }, 'canned reply updated');
    res.json({ reply });
  });

  router.delete('/api/canned-replies/:id', ...write, async (req, res) => {
    await canned.remove(agentOf(res), String(req.params.id));
    logger.info({ event: 'canned.deleted', id: String(req.params.id), by: agentOf(res).id }, 'canned reply deleted');
    res.status(204).end();
  });

  router.get('/api/reports/csat', sameOriginOnly(trustProxy), requireAgent(store, { admin: true }), async (req, res) => {
    const range = resolveRange(parse(csatQuery, req.query));
    res.setHeader('Cache-Control', 'no-store');
    res.json(await csat.summary({ from: range.from, to: range.to, agentId: range.agentId ?? undefined }));
  });

  return router;
}
