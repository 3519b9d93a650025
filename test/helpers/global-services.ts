// vitest globalSetup: one Redis and one PostgreSQL server for the whole run,
// handed to test files through provide/inject (see test-services.ts), stopped
// at teardown. A server that cannot start is reported to the tests that need it.

import type { TestProject } from 'vitest/node';
import { startPostgres, startRedis } from './services.ts';
import type { PostgresServer, RedisServer } from './services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** redis://127.0.0.1:PORT shared by the run, or null with redisError saying why. */
    redisUrl: string | null;
    redisError: string | null;
    /** A server URL; tests take a fresh database each with freshPostgresUrl(). */
    postgresUrl: string | null;
    postgresError: string | null;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// PARLEY_TEST_REDIS_URL / PARLEY_TEST_POSTGRES_URL point the run at servers
// someone already runs instead of starting our own.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const externalRedis = process.env.PARLEY_TEST_REDIS_URL;
  const externalPostgres = process.env.PARLEY_TEST_POSTGRES_URL;
  const [redis, postgres] = await Promise.allSettled([
    externalRedis ? Promise.resolve(null) : startRedis(),
    externalPostgres ? Promise.resolve(null) : startPostgres(),
  ]);

  const started: Array<RedisServer | PostgresServer> = [];
  if (redis.status === 'fulfilled') {
    if (redis.value) started.push(redis.value);
    project.provide('redisUrl', externalRedis ?? redis.value?.url ?? null);
    project.provide('redisError', null);
  } else {
    project.provide('redisUrl', null);
    project.provide('redisError', `Redis for tests could not start: ${message(redis.reason)}`);
  }
  if (postgres.status === 'fulfilled') {
    if (postgres.value) started.push(postgres.value);
    project.provide('postgresUrl', externalPostgres ?? postgres.value?.url ?? null);
    project.provide('postgresError', null);
  } else {
    project.provide('postgresUrl', null);
    project.provide('postgresError', `PostgreSQL for tests could not start: ${message(postgres.reason)}`);
  }

  return async () => {
    await Promise.all(started.map((server) => server.stop()));
  };
}
