// Opens the engine named by DATABASE_URL and applies its migrations. A failed
// migration (an edited one, or a database error) closes the store again and
// stops the start with that error.

import type { Clock } from '../clock.ts';
import type { DatabaseConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from './store.ts';

export async function openStore(db: DatabaseConfig, logger: Logger, clock?: Clock): Promise<Store> {
  const store =
    db.kind === 'sqlite'
      ? await (await import('./sqlite/sqlite-store.ts')).openSqliteStore(db.path, { logger, clock })
      : await (await import('./postgres/postgres-store.ts')).openPostgresStore(db.url, { poolSize: db.poolSize, logger, clock });
  try {
    await store.migrate();
  } catch (err) {
    // The migration's error is the one to report; a failing close adds nothing to it.
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}
