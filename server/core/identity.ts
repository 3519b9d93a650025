// Verified visitor identity: the host site's server signs its user's id with IDENTITY_SECRET
// (hex HMAC-SHA256 of the userId), and only a matching signature binds a session to that user's
// visitor. No transport, no store: callers pass what the visitor sent.

import { createHmac, timingSafeEqual } from 'node:crypto';

export interface IdentityRules {
  /** False when IDENTITY_SECRET is unset: identifies with a hash are refused (identity_off). */
  readonly enabled: boolean;
  /** IDENTITY_REQUIRED: only verified visitors may have a session or chat. */
  readonly required: boolean;
  /** True when `hash` is the hex HMAC-SHA256 of `userId` under the secret; constant-time. */
  verify(userId: string, hash: string): boolean;
}

/** Hex of HMAC-SHA256(secret, userId): what a host site's server computes (docs/embedding.md). */
export function identityHash(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

export function createIdentityRules(opts: { secret: string | null; required: boolean }): IdentityRules {
  const { secret, required } = opts;
  return {
    enabled: secret !== null,
    required,
    verify(userId, hash) {
      if (secret === null) return false;
      const expected = Buffer.from(identityHash(secret, userId), 'utf8');
      // Hex is case-insensitive; the length is no secret (always 64), so comparing it first leaks nothing.
      const given = Buffer.from(hash.toLowerCase(), 'utf8');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
