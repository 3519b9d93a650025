// Maps Parley's error codes to HTTP statuses, in one place, and renders
// `{"error":{"code","message"}}` bodies.

import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../logger.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';

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
  unavailable: 503,
  internal: 500,
};

export function sendError(res: Response, code: ErrorCode, message: string): void {
  res.status(STATUS[code]).json({ error: { code, message } });
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof AppError) return sendError(res, err.code, err.message);
    const e = err as { type?: string; status?: number };
    // body-parser failures: malformed JSON, oversized body, wrong charset.
    if (e?.type === 'entity.too.large') return sendError(res, ErrorCode.InvalidPayload, 'request body too large');
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      return sendError(res, ErrorCode.InvalidPayload, 'malformed request body');
    }
    logger.error({ event: 'http.failed', method: req.method, path: req.path, err }, 'request failed');
    sendError(res, ErrorCode.Internal, 'internal error');
  };
}
