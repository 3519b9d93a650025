// Validation of every inbound payload, at the edge (Socket.IO and HTTP).
// TypeScript event types are compile-time only; these are what is enforced.

import { z } from 'zod';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import { HISTORY_MAX_LIMIT } from '../protocol/shapes.ts';
import { LANGUAGES } from '../../i18n/locales.ts';

/** A shipped language's exact code (i18n/locales.ts), as stored on an agent account. */
const languageCodes = LANGUAGES.map((l) => l.code) as [string, ...string[]];

/**
 * Every string a client sends is well-formed Unicode: a lone surrogate would be acked as sent but
 * stored (as UTF-8) and returned as U+FFFD, so what was acked would differ from what was stored.
 * And it holds no U+0000, which PostgreSQL's text cannot store (SQLite can): refused on either
 * engine, so the same message is not accepted on one and an error on the other.
 */
export const text = () =>
  z
    .string()
    .refine((s) => s.isWellFormed(), 'text is not well-formed Unicode')
    .refine((s) => !s.includes('\u0000'), 'text contains a NUL character (U+0000)');

export const id = text().min(1).max(100);
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const Name = text().trim().min(1).max(100);
export const EMAIL_MAX_LENGTH = 254;

/**
 * `local@domain.tld` (or `local@localhost`): one `@`, no white space, a dot inside the domain.
 * A scan, not a regular expression: zod runs every check even after `.max()` failed, and the
 * pattern this replaces backtracked quadratically (`a@` + 64,000 dots froze the server for 2.3 s).
 */
export function isEmailAddress(s: string): boolean {
  if (s.length > EMAIL_MAX_LENGTH) return false;
  const at = s.indexOf('@');
  if (at <= 0 || at !== s.lastIndexOf('@') || at === s.length - 1) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // ASCII and Unicode white space (what [^\s] excluded), and control characters.
    if (c <= 0x20 || c === 0x7f || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff) return false;
  }
  const domain = s.slice(at + 1);
  if (domain === 'localhost') return true;
  const dot = domain.indexOf('.', 1);
  return dot > 0 && dot < domain.length - 1;
}

export const Email = text()
  .trim()
  .max(EMAIL_MAX_LENGTH)
  .refine(isEmailAddress, 'not an email address');

const historyWindow = {
  afterSeq: seq.optional(),
  beforeSeq: seq.optional(),
  limit: z.number().int().min(1).max(HISTORY_MAX_LIMIT).optional(),
};

export function messageBody(maxLength: number) {
  return text()
    .max(maxLength, `body is longer than ${maxLength} characters`)
    .refine((s) => s.trim().length > 0, 'body is empty');
}

/**
 * message:send: a body, or a file (`attachmentId`, from POST /api/attachments) with a body that
 * may be empty or absent. Without a file, an empty body is refused as before.
 */
function bodyOrFile(p: { body: string; attachmentId?: string }, ctx: z.RefinementCtx): void {
  if (p.attachmentId === undefined && p.body.trim().length === 0) ctx.addIssue({ code: 'custom', path: ['body'], message: 'body is empty' });
}

export function createSchemas(maxMessageLength: number) {
  const sendBody = text().max(maxMessageLength, `body is longer than ${maxMessageLength} characters`).default('');
  const body = messageBody(maxMessageLength);
  const password = text().min(8, 'password must be at least 8 characters').max(1024);
  return {
    visitorSend: z.object({ clientId: id, body: sendBody, attachmentId: id.optional() }).superRefine(bodyOrFile),
    visitorHistory: z.object(historyWindow),
    visitorTyping: z.object({ typing: z.boolean() }),
    visitorRead: z.object({ seq }),
    profileUpdate: z
      .object({ name: Name.optional(), email: Email.optional() })
      .refine((p) => p.name !== undefined || p.email !== undefined, 'name or email is required'),
    pageView: z.object({ url: text().trim().min(1).max(2048), title: text().max(300).optional() }),
    conversationRef: z.object({ conversationId: id }),
    transcriptRequest: z.object({ conversationId: id, email: Email.optional(), language: text().min(1).max(35).optional() }),
    transfer: z.object({ conversationId: id, agentId: id }),
    agentSend: z.object({ conversationId: id, clientId: id, body: sendBody, attachmentId: id.optional() }).superRefine(bodyOrFile),
    /** note:add: a private note is bounded as a message is (MAX_MESSAGE_LENGTH). */
    noteAdd: z.object({ conversationId: id, clientId: id, body }),
    agentHistory: z.object({ conversationId: id, ...historyWindow }),
    agentTyping: z.object({ conversationId: id, typing: z.boolean() }),
    agentRead: z.object({ conversationId: id, seq }),
    statusSet: z.object({ status: z.enum(['online', 'away']) }),
    /** userId and hash: a verified identify (docs/embedding.md); the hash is checked, not parsed, so any short text is let through to be refused as identity_invalid. */
    visitorSession: z.object({
      name: Name.optional(),
      email: Email.optional(),
      userId: text().trim().min(1).max(200).optional(),
      hash: text().max(200).optional(),
    }),
    /** Parley.setAttributes: at most 30 keys of [A-Za-z0-9_.-]{1,40}; strings up to 500 characters, finite numbers, booleans. */
    visitorAttributes: z.object({
      attributes: z
        .record(
          text().min(1).max(40).regex(/^[A-Za-z0-9_.-]+$/, 'attribute names are letters, digits, _ . -'),
          z.union([text().max(500), z.number().finite(), z.boolean()]),
        )
        .refine((a) => Object.keys(a).length <= 30, 'at most 30 attributes'),
    }),
    login: z.object({ email: text().trim().min(1).max(254), password: text().min(1).max(1024) }),
    createAgent: z.object({
      email: Email,
      name: Name,
      password,
      role: z.enum(['agent', 'admin']),
    }),
    /** PATCH /api/me: only shipped codes, exactly as shipped; null follows the browser. Nothing else may be set here. */
    updateMe: z
      .strictObject({ language: z.enum(languageCodes).nullable().optional(), name: Name.optional() })
      .refine((p) => p.language !== undefined || p.name !== undefined, 'language or name is required'),
    /** POST /api/me/password: the current password, and a new one as long as a new account's. */
    changePassword: z.strictObject({ currentPassword: text().min(1).max(1024), newPassword: password }),
    /** PATCH /api/agents/:id (admins). */
    updateAgent: z
      .strictObject({
        name: Name.optional(),
        role: z.enum(['agent', 'admin']).optional(),
        disabled: z.boolean().optional(),
        capacity: z.number().int().min(1).max(100).nullable().optional(),
      })
      .refine((p) => p.name !== undefined || p.role !== undefined || p.disabled !== undefined || p.capacity !== undefined, 'name, role, disabled or capacity is required'),
    conversationStatus: z.object({ status: z.enum(['queued', 'active', 'closed']).optional() }),
    /** An attachment's id in a path (GET /api/attachments/:id); anything else is simply not found. */
    attachmentId: id,
    historyQuery: z.object({
      afterSeq: z.coerce.number().pipe(seq).optional(),
      beforeSeq: z.coerce.number().pipe(seq).optional(),
      limit: z.coerce.number().int().min(1).max(HISTORY_MAX_LIMIT).optional(),
    }),
  };
}

export type Schemas = ReturnType<typeof createSchemas>;

/** A payload that came with the wrong number of arguments before its ack (see realtime/respond.ts acked()). */
export const WRONG_ARITY: unique symbol = Symbol('wrong number of arguments');

/** Parses or throws AppError(invalid_payload) naming the first bad field. */
export function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  if (input === WRONG_ARITY) throw new AppError(ErrorCode.InvalidPayload, 'expected one payload object, then the acknowledgement callback');
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new AppError(ErrorCode.InvalidPayload, `${where}${issue?.message ?? 'invalid payload'}`);
}

/** For events that take no payload: nothing may stand before the ack. */
export function parseNone(input: unknown): undefined {
  if (input === WRONG_ARITY) throw new AppError(ErrorCode.InvalidPayload, 'this event takes no payload');
  return undefined;
}
