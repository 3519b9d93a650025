// The SQLite engine's API tokens (../api-tokens.ts): synchronous statements, each write one
// transaction of the store's group commit. Prepared on first use (after migrate()).

import type { DatabaseSync } from 'node:sqlite';
import { API_TOKEN_COLUMNS, API_TOKEN_FROM, type ApiTokenRow, type ApiTokenStore, toApiToken } from '../api-tokens.ts';
import { newId } from '../ids.ts';
import { prepare, type Query } from './statements.ts';

function statements(db: DatabaseSync) {
  const q = <R>(text: string): Query<R> => prepare(db, text);
  return {
    insert: q(`INSERT INTO api_tokens (id, name, scopes, secret_hash, prefix, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
    byId: q<ApiTokenRow>(`SELECT ${API_TOKEN_COLUMNS} FROM ${API_TOKEN_FROM} WHERE t.id = ?`),
    byHash: q<ApiTokenRow>(`SELECT ${API_TOKEN_COLUMNS} FROM ${API_TOKEN_FROM} WHERE t.secret_hash = ?`),
    list: q<ApiTokenRow>(`SELECT ${API_TOKEN_COLUMNS} FROM ${API_TOKEN_FROM} ORDER BY t.created_at DESC, t.id DESC`),
    remove: q(`DELETE FROM api_tokens WHERE id = ?`),
    touch: q(`UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2 - ?3)`),
  };
}

export function createSqliteApiTokens(db: DatabaseSync, transaction: <T>(work: () => T) => Promise<T>): ApiTokenStore {
  let prepared: ReturnType<typeof statements> | undefined;
  const s = () => (prepared ??= statements(db));
  return {
    createApiToken(input) {
      return transaction(() => {
        const id = newId();
        s().insert.run(id, input.name, JSON.stringify(input.scopes), input.secretHash, input.prefix, input.createdBy, input.createdAt);
        return toApiToken(s().byId.get(id)!);
      });
    },
    async listApiTokens() {
      return s().list.all().map(toApiToken);
    },
    async findApiToken(secretHash) {
      const row = s().byHash.get(secretHash);
      return row ? toApiToken(row) : null;
    },
    deleteApiToken(id) {
      return transaction(() => Number(s().remove.run(id).changes) > 0);
    },
    async touchApiToken(id, at, minGapMs) {
      await transaction(() => s().touch.run(id, at, minGapMs));
    },
  };
}
