// API tokens (docs/api.md): created by admins with scopes, answered once, stored as the SHA-256 of
// a 256-bit random secret and found by that hash. No cache: every request reads the token, so a
// revoke on one node refuses it on every node at once. No express or SQL here.

import { createHash, randomBytes } from 'node:crypto';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import { API_SCOPES, API_TOKEN_PREFIX, API_TOKENS_MAX, type ApiScope, type ApiToken, type CreatedApiToken } from '../protocol/api-tokens.ts';
import type { ApiTokenRecord, Store } from '../store/store.ts';

/** `pky_` and 43 characters of base64url (32 random bytes). */
const SECRET_BYTES = 32;
const SECRET_LENGTH = API_TOKEN_PREFIX.length + 43;
/** Shown in lists: the prefix and 8 characters (48 bits: tells tokens apart, useless to an attacker). */
const SHOWN_LENGTH = API_TOKEN_PREFIX.length + 8;
/** A token's last use is written at most this often (a busy integration is not a write per request). */
export const LAST_USED_EVERY_MS = 60_000;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface ApiTokens {
  create(input: { name: string; scopes: ApiScope[] }, createdBy: string): Promise<CreatedApiToken>;
  list(): Promise<ApiToken[]>;
  /** Revokes it (not_found if there is none); effective on every node at once. */
  revoke(id: string): Promise<void>;
  /** The token this secret belongs to, or null (malformed, unknown, revoked); records its use. */
  authenticate(secret: string): Promise<ApiTokenRecord | null>;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Shape only (no lookup): a wrong length or alphabet is refused before hashing. */
export function looksLikeSecret(secret: string): boolean {
  return secret.length === SECRET_LENGTH && secret.startsWith(API_TOKEN_PREFIX) && BASE64URL.test(secret.slice(API_TOKEN_PREFIX.length));
}

export function toApiTokenShape(t: ApiTokenRecord): ApiToken {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes.filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s)),
    prefix: t.prefix,
    createdAt: new Date(t.createdAt).toISOString(),
    lastUsedAt: t.lastUsedAt === null ? null : new Date(t.lastUsedAt).toISOString(),
    createdBy: t.createdBy,
  };
}

export function createApiTokens(deps: {
  store: Pick<Store, 'createApiToken' | 'listApiTokens' | 'findApiToken' | 'deleteApiToken' | 'touchApiToken'>;
  now: () => number;
  /** A failed last-use write (the request itself goes on). */
  onTouchFailed?: (err: unknown) => void;
}): ApiTokens {
  const { store, now } = deps;
  return {
    async create({ name, scopes }, createdBy) {
      // Counted then inserted: two admins racing at the limit may pass it by one; a bound, not a quota.
      if ((await store.listApiTokens()).length >= API_TOKENS_MAX) {
        throw new AppError(ErrorCode.Conflict, `at most ${API_TOKENS_MAX} API tokens; revoke one first`);
      }
      const secret = API_TOKEN_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
      const unique = [...new Set(scopes)];
      const token = await store.createApiToken({
        name,
        scopes: unique,
        secretHash: hashSecret(secret),
        prefix: secret.slice(0, SHOWN_LENGTH),
        createdBy,
        createdAt: now(),
      });
      return { id: token.id, name: token.name, scopes: unique, secret };
    },
    async list() {
      return (await store.listApiTokens()).map(toApiTokenShape);
    },
    async revoke(id) {
      if (!(await store.deleteApiToken(id))) throw new AppError(ErrorCode.NotFound, 'no such API token');
    },
    async authenticate(secret) {
      if (!looksLikeSecret(secret)) return null;
      // A lookup by the hash of a 256-bit secret: no timing signal worth a comparison in constant time.
      const token = await store.findApiToken(hashSecret(secret));
      if (!token) return null;
      const at = now();
      if (token.lastUsedAt === null || at - token.lastUsedAt >= LAST_USED_EVERY_MS) {
        store.touchApiToken(token.id, at, LAST_USED_EVERY_MS).catch((err: unknown) => deps.onTouchFailed?.(err));
      }
      return token;
    },
  };
}
