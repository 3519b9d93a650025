// Liveness, readiness and Prometheus metrics.

import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';

export type ReadinessCheck = { name: string; check: () => Promise<void> };

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

export function healthRouter(deps: { store: Store; checks: ReadinessCheck[]; metrics: Registry; logger: Logger }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const checks: ReadinessCheck[] = [{ name: 'database', check: () => deps.store.ping() }, ...deps.checks];
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await Promise.race([check(), new Promise((_, fail) => setTimeout(() => fail(new Error('timeout')), 2000).unref())]);
          return [name, 'ok'] as const;
        } catch (err) {
          deps.logger.warn({ event: 'readyz.failed', check: name, err }, 'readiness check failed');
          return [name, 'failed'] as const;
        }
      }),
    );
    const ready = results.every(([, r]) => r === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results) });
  });

  router.get('/metrics', async (req, res) => {
    // Direct loopback callers (a local Prometheus) or admins; a proxied request only looks like loopback.
    const direct = isLoopback(req.socket.remoteAddress) && req.headers['x-forwarded-for'] === undefined;
    let allowed = direct;
    if (!allowed && req.session?.agentId) allowed = (await deps.store.getAgent(req.session.agentId))?.role === 'admin';
    if (!allowed) {
      res.status(403).json({ error: { code: 'forbidden', message: 'metrics are for loopback or admins' } });
      return;
    }
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  return router;
}
