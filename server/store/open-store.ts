// Opens the engine named by DATABASE_URL and applies its migrations.

import type { DatabaseConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from './store.ts';

export async function openStore(db: DatabaseConfig, logger: Logger): Promise<Store> {
  const store =
    db.kind === 'sqlite'
      ? await (await import('./sqlite/sqlite-store.ts')).openSqliteStore(db.path, { logger })
      : await (await import('./postgres/postgres-store.ts')).openPostgresStore(db.url, { logger });
  await store.migrate();
  return store;
}
