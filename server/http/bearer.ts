// Who is calling the REST API: the API token of `Authorization: Bearer <secret>` (docs/api.md).
// Read only on /api/v1 routes: a token never opens a cookie route or a Socket.IO namespace. The
// secret is never logged; refused attempts are counted per address (API_TOKEN_FAILURE_LIMIT).

import type { Request, RequestHandler, Response } from 'express';
import type { ApiTokens } from '../core/api-tokens.ts';
import type { BearerFailures } from '../edge/bearer-failures.ts';
import type { Logger } from '../logger.ts';
import type { ApiScope } from '../protocol/api-tokens.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { ApiTokenRecord } from '../store/api-tokens.ts';

export function tokenOf(res: Response): ApiTokenRecord {
  return res.locals.apiToken as ApiTokenRecord;
}

/** Whether a request carries a bearer token at all (it is then limited by its failures, not HTTP_RATE_LIMIT). */
export function hasBearer(req: Request): boolean {
  return typeof req.headers.authorization === 'string';
}

export function requireToken(deps: { tokens: ApiTokens; failures: BearerFailures; logger: Logger }, ...anyOf: ApiScope[]): RequestHandler {
  const { tokens, failures, logger } = deps;
  return async (req, res, next) => {
    const address = req.ip ?? 'unknown';
    const header = req.headers.authorization;
    if (typeof header !== 'string') throw new AppError(ErrorCode.Unauthorized, 'send an API token: Authorization: Bearer <token>');
    if (failures.blocked(address)) throw new AppError(ErrorCode.RateLimited, 'too many refused API tokens from this address; try again later');
    const secret = header.slice(0, 7).toLowerCase() === 'bearer ' ? header.slice(7).trim() : '';
    const token = secret ? await tokens.authenticate(secret) : null;
    if (!token) {
      failures.failed(address);
      logger.info({ event: 'api_token.refused', address, method: req.method, path: req.path }, 'API token refused');
      throw new AppError(ErrorCode.Unauthorized, 'the API token is unknown or revoked');
    }
    res.locals.apiToken = token;
    if (anyOf.length > 0 && !anyOf.some((s) => token.scopes.includes(s))) throw missingScope(anyOf);
    next();
  };
}

export function missingScope(anyOf: readonly ApiScope[]): AppError {
  return new AppError(ErrorCode.Forbidden, `this token lacks the scope ${anyOf.join(' or ')}`);
}

export function requireScope(res: Response, scope: ApiScope): void {
  if (!tokenOf(res).scopes.includes(scope)) throw missingScope([scope]);
}
