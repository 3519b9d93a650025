// The express application: JSON API, health, pages. Knows nothing of Socket.IO
// beyond the `disconnectSession` callback it is handed.

import express, { type RequestHandler } from 'express';
import type { Logger } from '../logger.ts';
import { errorHandler, sendError } from './errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { AddressRate } from '../edge/address-limits.ts';
import { hasBearer } from './bearer.ts';

/**
 * Where routes read `req.session`, and so where the session middleware runs: the identities and
 * console API; /readyz, whose rate limit spares agents; /metrics, open to admins; and the pages
 * that send a signed-out browser to /login (or a signed-in one on); /chat/return, the email link
 * that restores a visitor's session. Nowhere else: a stylesheet,
 * a script or the widget fetched with a cookie would read the session and then extend it (a write).
 */
const SESSION_PATHS = ['/api', '/readyz', '/metrics', '/login', '/agent', '/admin', '/chat/return'];

export function createHttpApp(deps: {
  logger: Logger;
  trustProxy: boolean | number | string;
  session: RequestHandler;
  /** Requests per client address from clients without an agent session. */
  anonymousRate: AddressRate;
  routers: RequestHandler[];
}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    // Behind TLS (TRUST_PROXY and X-Forwarded-Proto: https): browsers keep to HTTPS for a year.
    // Not includeSubDomains: the operator's other subdomains are not ours to commit.
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    next();
  });
  app.use('/api', express.json({ limit: '32kb' }));
  app.use(SESSION_PATHS, deps.session);
  // Requests without an agent session, per client address (HTTP_RATE_LIMIT): anyone can send them.
  // The REST API's bearer requests are limited by their refusals instead (API_TOKEN_FAILURE_LIMIT, bearer.ts).
  app.use(['/api', '/readyz'], (req, res, next) => {
    if (req.session?.agentId || (req.originalUrl.startsWith('/api/v1/') && hasBearer(req)) || deps.anonymousRate.take(req.ip ?? 'unknown')) return next();
    sendError(res, ErrorCode.RateLimited, 'too many requests from this address; slow down');
  });
  for (const r of deps.routers) app.use(r);
  app.use('/api', (_req, res) => sendError(res, ErrorCode.NotFound, 'no such endpoint'));
  app.use(errorHandler(deps.logger));
  return app;
}
