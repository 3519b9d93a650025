// GET /api/search?q=&offset= (#17): agents' full-text search over the conversations they may read.
// Agents only (a visitor's or anonymous request is refused), this service's pages only. The
// results are core/search.ts's.

import { Router } from 'express';
import type { Search } from '../core/search.ts';
import { parse } from '../edge/schemas.ts';
import { searchSchemas } from '../edge/search-schemas.ts';
import type { Store } from '../store/store.ts';
import { agentOf, requireAgent, sameOriginOnly } from './guards.ts';

export function searchRouter(deps: { store: Store; search: Search; trustProxy: boolean }): Router {
  const router = Router();
  router.get('/api/search', sameOriginOnly(deps.trustProxy), requireAgent(deps.store), async (req, res) => {
    // A repeated parameter arrives as an array: refused by the schema (each once).
    const { q, offset = 0 } = parse(searchSchemas.searchQuery, req.query);
    const page = await deps.search.search(agentOf(res), q, offset);
    res.setHeader('Cache-Control', 'no-store');
    res.json(page);
  });
  return router;
}
