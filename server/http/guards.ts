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

export function requireAgent(store: Store, opts: { admin?: boolean } = {}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const id = req.session?.agentId;
    const found = id ? await store.getAgent(id) : null;
    // A disabled agent, or a session from before a password change, is signed out.
    const agent = found && sessionIsCurrent(found, req.session.agentEpoch) ? found : null;
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
