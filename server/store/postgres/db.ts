// A thin handle on a pg Pool: one-statement queries, and short transactions
// that always end (COMMIT, or ROLLBACK and discard a client that cannot).

import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { Logger } from '../../logger.ts';

export type StoreLogger = Pick<Logger, 'warn' | 'info'>;

export interface Db {
  query<R extends QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Rows affected by a statement without RETURNING. */
  execute(sql: string, params?: unknown[]): Promise<number>;
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
}

export function errorInfo(err: unknown): { message: string; code?: string } {
  const e = err as { message?: string; code?: string } | null;
  return { message: e?.message ?? String(err), code: e?.code };
}

export function createDb(pool: Pool, log: StoreLogger): Db {
  return {
    async query<R extends QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await pool.query<R>(sql, params)).rows;
    },
    async execute(sql, params = []) {
      return (await pool.query(sql, params)).rowCount ?? 0;
    },
    async transaction(work) {
      const client = await pool.connect();
      // A checked-out client has no pool listener and `pg` would crash the
      // process on its 'error'; the failing query rejects anyway.
      const onError = (err: Error) => log.warn({ event: 'pg_client_error', err: errorInfo(err) }, 'PostgreSQL client failed');
      client.on('error', onError);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
  };
}
