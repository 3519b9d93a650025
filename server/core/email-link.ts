// The link in a follow-up email: signed with the session secret (HMAC-SHA256) and expiring, it
// names a visitor and their conversation. Opening it restores that visitor's session in any
// browser (http/email-return.ts), so it is a bearer credential for that one chat: kept short-lived.

import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a follow-up's link works. */
export const EMAIL_LINK_TTL_MS = 7 * 24 * 60 * 60_000;
/** Far longer than any token this file makes: a longer one is refused before any work. */
export const MAX_TOKEN_LENGTH = 512;

export interface EmailLinkClaims {
  visitorId: string;
  conversationId: string;
  /** The visitor's chat language when the email was made (null: none known). */
  language: string | null;
  expiresAt: number;
}

export type VerifyResult = { kind: 'ok'; claims: EmailLinkClaims } | { kind: 'invalid' } | { kind: 'expired' };

// A purpose prefix: a MAC made here is never valid for another use of the same secret.
const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`parley.email-link.v1.${payload}`).digest();

export function signEmailLink(secret: string, claims: EmailLinkClaims): string {
  const payload = Buffer.from(JSON.stringify({ v: claims.visitorId, c: claims.conversationId, l: claims.language, x: claims.expiresAt })).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function verifyEmailLink(secret: string, token: unknown, now: number): VerifyResult {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { kind: 'invalid' };
  const dot = token.indexOf('.');
  if (dot <= 0) return { kind: 'invalid' };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { kind: 'invalid' };
  let raw: { v?: unknown; c?: unknown; l?: unknown; x?: unknown };
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof raw;
  } catch {
    return { kind: 'invalid' };
  }
  if (typeof raw.v !== 'string' || typeof raw.c !== 'string' || typeof raw.x !== 'number' || (raw.l !== null && typeof raw.l !== 'string')) return { kind: 'invalid' };
  if (now >= raw.x) return { kind: 'expired' };
  return { kind: 'ok', claims: { visitorId: raw.v, conversationId: raw.c, language: raw.l as string | null, expiresAt: raw.x } };
}
