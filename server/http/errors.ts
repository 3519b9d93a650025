// Maps Parley's error codes to HTTP statuses, in one place, and renders
// `{"error":{"code","message"}}` bodies.

import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../logger.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { knownFailure } from '../edge/failures.ts';

const STATUS: Record<ErrorCode, number> = {
  invalid_payload: 400,
  invalid_credentials: 401,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  already_claimed: 409,
  conversation_closed: 409,
  rate_limited: 429,
  too_large: 413,
  unsupported_type: 415,
  email_off: 409,
  identity_required: 403,
  identity_invalid: 403,
  identity_off: 409,
  unavailable: 503,
  internal: 500,
};

/** Seconds a client is asked to wait before retrying an `unavailable` (503) answer. */
const RETRY_AFTER_S = '2';

export function sendError(res: Response, code: ErrorCode, message: string): void {
  if (code === ErrorCode.Unavailable) res.setHeader('Retry-After', RETRY_AFTER_S);
  res.status(STATUS[code]).json({ error: { code, message } });
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = err as { type?: string; status?: number };
    // body-parser failures: malformed JSON, oversized body, wrong charset, a client that went away.
    if (e?.type === 'entity.too.large') return sendError(res, ErrorCode.InvalidPayload, 'request body too large');
    if (typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendError(res, ErrorCode.InvalidPayload, 'malformed request body');
    }
    // AppErrors as they are; a dependency outage as 503 `unavailable`, logged at warn (edge/failures.ts).
    const known = knownFailure(err);
    if (known?.outage) {
      const { dependency, reason } = known.outage;
      logger.warn({ event: 'http.unavailable', method: req.method, path: req.path, dependency, reason }, 'dependency unavailable');
    }
    if (known) return sendError(res, known.error.code, known.error.message);
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendError(res, ErrorCode.InvalidPayload, 'malformed request body');
    }
    logger.error({ event: 'http.failed', method: req.method, path: req.path, err }, 'request failed');
    sendError(res, ErrorCode.Internal, 'internal error');
  };
}
