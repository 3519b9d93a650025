// What a test file uses to reach the run's shared Redis and PostgreSQL (started
// by global-services.ts). Fails loudly, never skips, when a server is missing.
// A test that kills or restarts Redis starts its own with startRedis().

import { inject } from 'vitest';
import { createDatabase } from './services.ts';

/**
 * The run's shared Redis. Pub/Sub channels are global to a Redis server (the
 * db number does not separate them), so two test files running Socket.IO's
 * redis adapter on it would hear each other's broadcasts: use a per-file
 * adapter key, or start a private server with startRedis() (~30 ms).
 */
export function sharedRedisUrl(): string {
  const url = inject('redisUrl');
  if (!url) throw new Error(inject('redisError') ?? 'no Redis: is test/helpers/global-services.ts in vitest.config.ts globalSetup?');
  return url;
}

/** A new empty database on the run's PostgreSQL server: tests never share tables. */
export async function freshPostgresUrl(): Promise<string> {
  const url = inject('postgresUrl');
  if (!url) throw new Error(inject('postgresError') ?? 'no PostgreSQL: is test/helpers/global-services.ts in vitest.config.ts globalSetup?');
  return createDatabase(url);
}
