// Liveness, readiness and Prometheus metrics.

import { sessionIsCurrent } from '../core/session-rules.ts';
import type { IncomingMessage } from 'node:http';
import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { ReadinessCheck } from '../cluster/cluster.ts';


function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-proto', 'via'];

/**
 * A scraper on this machine talking to Parley itself: a loopback peer, no proxy header of any kind
 * (a proxy on loopback forwards strangers), and a loopback Host (a page on a rebound DNS name
 * reaches loopback too, but its requests carry that name).
 */
function isDirectLoopback(req: IncomingMessage): boolean {
  if (!isLoopback(req.socket.remoteAddress)) return false;
  if (PROXY_HEADERS.some((h) => req.headers[h] !== undefined)) return false;
  const host = req.headers.host ?? '';
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return LOOPBACK_NAMES.has(name.toLowerCase());
}

export function healthRouter(deps: {
  store: Store;
  checks: ReadinessCheck[];
  metrics: Registry;
  logger: Logger;
  /** True once the node drains (SIGTERM): out of rotation at once, whatever the checks say. */
  draining: () => boolean;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    if (deps.draining()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
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
    let allowed = isDirectLoopback(req);
    if (!allowed && req.session?.agentId) {
      const agent = await deps.store.getAgent(req.session.agentId);
      allowed = agent !== null && agent.role === 'admin' && sessionIsCurrent(agent, req.session.agentEpoch);
    }
    if (!allowed) {
      res.status(403).json({ error: { code: 'forbidden', message: 'metrics are for loopback or admins' } });
      return;
    }
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  return router;
}
