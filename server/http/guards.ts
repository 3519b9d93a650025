// Who is calling: loads the agent behind the session for routes that need one,
// and refuses state-changing requests from foreign origins (CSRF).

import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { AgentRecord, Store } from '../store/store.ts';
import { isAllowedOrigin, isOwnOrigin } from '../edge/origin.ts';
import { sessionIsCurrent } from '../core/session-rules.ts';

export function agentOf(res: Response): AgentRecord {
  return res.locals.agent as AgentRecord;
}

/**
 * The session's agent, or null. A disabled agent, or a session from before a password change, is
 * signed out for good: the session loses its agent, so from then on it counts as anonymous
 * (HTTP_RATE_LIMIT included) rather than as an agent's.
 */
export async function sessionAgent(store: Store, req: Request): Promise<AgentRecord | null> {
  const id = req.session?.agentId;
  if (!id) return null;
  const found = await store.getAgent(id);
  if (found && sessionIsCurrent(found, req.session.agentEpoch)) return found;
  req.session.agentId = undefined;
  return null;
}

export function requireAgent(store: Store, opts: { admin?: boolean } = {}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const agent = await sessionAgent(store, req);
    if (!agent) throw new AppError(ErrorCode.Unauthorized, 'log in as an agent first');
    if (opts.admin && agent.role !== 'admin') throw new AppError(ErrorCode.Forbidden, 'admins only');
    res.locals.agent = agent;
    next();
  };
}

/** Console and admin endpoints: only pages of this service may call them with the agent's cookie. */
export function sameOriginOnly(trustProxy: boolean): RequestHandler {
  return (req, _res, next) => {
    if (!isOwnOrigin(req, trustProxy)) throw new AppError(ErrorCode.Forbidden, 'cross-site request refused');
    next();
  };
}

/** Visitor endpoints: this service and the sites allowed to embed the widget. */
export function embedOriginsOnly(allowed: readonly string[], trustProxy: boolean): RequestHandler {
  return (req, _res, next) => {
    if (!isAllowedOrigin(req, allowed, trustProxy)) throw new AppError(ErrorCode.Forbidden, 'origin not allowed');
    next();
  };
}
