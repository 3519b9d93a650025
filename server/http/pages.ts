// Page shells (views/) and client bundles. The browser apps are built from client/.

import { Router } from 'express';

export function pagesRouter(): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.type('text/plain').send('Parley is running. See /healthz.\n');
  });
  return router;
}
