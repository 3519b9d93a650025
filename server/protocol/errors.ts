// The closed set of error codes Parley answers with, over Socket.IO acks and
// HTTP alike. Imports nothing: client/ and tests import it too.

export const ErrorCode = {
  InvalidPayload: 'invalid_payload',
  InvalidCredentials: 'invalid_credentials',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Conflict: 'conflict',
  AlreadyClaimed: 'already_claimed',
  ConversationClosed: 'conversation_closed',
  RateLimited: 'rate_limited',
  /** An upload over MAX_UPLOAD_BYTES (HTTP 413). */
  TooLarge: 'too_large',
  /** An upload whose content is not of an allowed type (HTTP 415). */
  UnsupportedType: 'unsupported_type',
  /** Email is not set up on this server (SMTP_URL unset): nothing can be emailed. */
  EmailOff: 'email_off',
  /** IDENTITY_REQUIRED is on and this visitor is not verified: no session, no chat. */
  IdentityRequired: 'identity_required',
  /** An identify whose hash does not match its userId (or has none): refused, nothing changed. */
  IdentityInvalid: 'identity_invalid',
  /** An identify with a hash while IDENTITY_SECRET is unset: verification is not set up here. */
  IdentityOff: 'identity_off',
  Unavailable: 'unavailable',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** The failure half of every ack, and the body of every HTTP error. */
export interface AckError {
  ok: false;
  error: ErrorBody;
}

/** Every ack is either `{ok:true, …payload}` or an `AckError`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | AckError;

/** An error a handler may throw; `respond()` turns it into an ack. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
