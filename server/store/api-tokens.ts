// The storage contract of API tokens (docs/api.md): part of Store (store.ts), implemented by each
// engine in its api-tokens.ts. Only a secret's SHA-256 is stored; a request's token is found by
// that hash. A throw means the database failed.

export interface ApiTokenRecord {
  id: string;
  name: string;
  scopes: string[];
  /** The secret's first characters (its prefix and a few more): shown to tell tokens apart, never enough to use one. */
  prefix: string;
  /** The admin who created it (null: gone, or made outside the dashboard). */
  createdBy: { id: string; name: string } | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface NewApiToken {
  name: string;
  scopes: readonly string[];
  /** Hex SHA-256 of the secret. */
  secretHash: string;
  prefix: string;
  createdBy: string | null;
  createdAt: number;
}

export interface ApiTokenStore {
  createApiToken(input: NewApiToken): Promise<ApiTokenRecord>;
  /** Every token, newest first. */
  listApiTokens(): Promise<ApiTokenRecord[]>;
  /** The token whose secret hashes to this; null when there is none (never made, or revoked). */
  findApiToken(secretHash: string): Promise<ApiTokenRecord | null>;
  /** Revokes (deletes) it; false when there was no such token. */
  deleteApiToken(id: string): Promise<boolean>;
  /** Records a use at `at`, unless one at or after `at - minGapMs` is recorded already (a write per `minGapMs` at most). */
  touchApiToken(id: string, at: number, minGapMs: number): Promise<void>;
}

/** A stored row as both engines read it (scopes as JSON text). */
export interface ApiTokenRow {
  id: string;
  name: string;
  scopes: string;
  prefix: string;
  created_by: string | null;
  created_by_name: string | null;
  created_at: number | string;
  last_used_at: number | string | null;
}

export function toApiToken(r: ApiTokenRow): ApiTokenRecord {
  let scopes: unknown;
  try {
    scopes = JSON.parse(r.scopes);
  } catch {
    scopes = [];
  }
  return {
    id: r.id,
    name: r.name,
    scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [],
    prefix: r.prefix,
    createdBy: r.created_by === null ? null : { id: r.created_by, name: r.created_by_name ?? '' },
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  };
}

/** The columns toApiToken reads, with the creator's current name (t: api_tokens, a: agents). */
export const API_TOKEN_COLUMNS = 't.id, t.name, t.scopes, t.prefix, t.created_by, a.name AS created_by_name, t.created_at, t.last_used_at';
export const API_TOKEN_FROM = 'api_tokens t LEFT JOIN agents a ON a.id = t.created_by';
