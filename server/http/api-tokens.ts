// API tokens over HTTP (admins, this service's pages only): create (the secret answered once),
// list (never a secret), revoke. What a token may then do: api-v1.ts.

import { Router } from 'express';
import { z } from 'zod';
import type { ApiTokens } from '../core/api-tokens.ts';
import { Name, parse } from '../edge/schemas.ts';
import type { Logger } from '../logger.ts';
import { API_SCOPES, API_TOKEN_NAME_MAX, type ApiScope } from '../protocol/api-tokens.ts';
import type { Store } from '../store/store.ts';
import { agentOf, requireAgent, sameOriginOnly } from './guards.ts';

const createToken = z.strictObject({
  name: Name.max(API_TOKEN_NAME_MAX),
  scopes: z
    .array(z.enum(API_SCOPES as [ApiScope, ...ApiScope[]]))
    .min(1, 'choose at least one scope')
    .max(API_SCOPES.length * 2),
});

export function apiTokensRouter(deps: { store: Store; tokens: ApiTokens; logger: Logger; trustProxy: boolean }): Router {
  const { store, tokens, logger, trustProxy } = deps;
  const router = Router();
  const guards = [sameOriginOnly(trustProxy), requireAgent(store, { admin: true })];

  router.get('/api/tokens', ...guards, async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ tokens: await tokens.list() });
  });

  router.post('/api/tokens', ...guards, async (req, res) => {
    const input = parse(createToken, req.body ?? {});
    const by = agentOf(res);
    const token = await tokens.create(input, by.id);
    // The secret is in the answer only: never in a log line, never stored in clear.
    logger.info({ event: 'api_token.created', tokenId: token.id, scopes: token.scopes, by: by.id }, 'API token created');
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ token });
  });

  router.delete('/api/tokens/:id', ...guards, async (req, res) => {
    const id = String(req.params.id).slice(0, 100);
    await tokens.revoke(id);
    logger.info({ event: 'api_token.revoked', tokenId: id, by: agentOf(res).id }, 'API token revoked');
    res.status(204).end();
  });

  return router;
}
