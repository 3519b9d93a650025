// The PostgreSQL engine's API tokens (../api-tokens.ts): one statement each; many nodes share the table.

import { API_TOKEN_COLUMNS, API_TOKEN_FROM, type ApiTokenRow, type ApiTokenStore, toApiToken } from '../api-tokens.ts';
import { newId } from '../ids.ts';
import type { Db } from './db.ts';

export function createPostgresApiTokens(db: Db): ApiTokenStore {
  async function byId(id: string) {
    const [row] = await db.query<ApiTokenRow>(`SELECT ${API_TOKEN_COLUMNS} FROM ${API_TOKEN_FROM} WHERE t.id = $1`, [id]);
    return row ? toApiToken(row) : null;
  }
  return {
    async createApiToken(input) {
      const id = newId();
      await db.execute(`INSERT INTO api_tokens (id, name, scopes, secret_hash, prefix, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        id,
        input.name,
        JSON.stringify(input.scopes),
        input.secretHash,
        input.prefix,
        input.createdBy,
        input.createdAt,
      ]);
      return (await byId(id))!;
    },
    async listApiTokens() {
      return (await db.query<ApiTokenRow>(`SELECT ${API_TOKEN_COLUMNS} FROM ${API_TOKEN_FROM} ORDER BY t.created_at DESC, t.id DESC`)).map(toApiToken);
    },
    async findApiToken(secretHash) {
      const [row] = await db.query<ApiTokenRow>(`SELECT ${API_TOKEN_COLUMNS} FROM ${API_TOKEN_FROM} WHERE t.secret_hash = $1`, [secretHash]);
      return row ? toApiToken(row) : null;
    },
    async deleteApiToken(id) {
      return (await db.execute(`DELETE FROM api_tokens WHERE id = $1`, [id])) > 0;
    },
    async touchApiToken(id, at, minGapMs) {
      await db.execute(`UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::bigint - $3::bigint)`, [id, at, minGapMs]);
    },
  };
}
