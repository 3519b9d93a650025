// [FAIL] The one place that tells a dependency outage (`unavailable`, warn) from a fault of ours
// (`internal`, error): server/edge/failures.ts. The outages a test can cause cheaply are caused for
// real here (a port nobody listens on, a server that never answers, a closed Redis client, SQLite
// constraint and lock errors); the rest are the drivers' own error classes with the codes the
// servers send. test/ops/outage.test.ts shows the whole path with real PostgreSQL and SQLite.

import { createServer } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import { Redis, ReplyError } from 'ioredis';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { knownFailure, outageOf } from '../../server/edge/failures.ts';
import { AppError, ErrorCode } from '../../server/protocol/errors.ts';
import { freePort } from '../helpers/services.ts';

async function rejection(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

function pgError(code: string, message: string): Error {
  const err = new pg.DatabaseError(message, 0, 'error');
  err.code = code;
  return err;
}

function sqliteError(work: (db: DatabaseSync) => void): unknown {
  const db = new DatabaseSync(':memory:');
  try {
    work(db);
  } catch (err) {
    return err;
  } finally {
    db.close();
  }
  throw new Error('expected a failure');
}

describe('[FAIL] outages and faults', () => {
  it('[FAIL1] PostgreSQL unreachable, not answering, shutting down, out of connections: outages of the database', async () => {
    const port = await freePort();
    const refused = await rejection(() => new pg.Pool({ connectionString: `postgres://x@127.0.0.1:${port}/x` }).query('SELECT 1'));
    expect(outageOf(refused)).toMatchObject({ dependency: 'network', reason: 'ECONNREFUSED' });

    // A server that accepts and never answers: the pool's connection timeout.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void silent.close());
    const pool = new pg.Pool({ connectionString: `postgres://x@127.0.0.1:${(silent.address() as { port: number }).port}/x`, connectionTimeoutMillis: 100 });
    pool.on('error', () => {});
    const timedOut = await rejection(() => pool.query('SELECT 1'));
    expect(outageOf(timedOut)?.dependency).toBe('database');

    for (const code of ['57P01', '57P02', '57P03', '53300', '53100', '08006', '08001', '57014', '25006', '40001', '40P01']) {
      expect(outageOf(pgError(code, 'server message')), code).toMatchObject({ dependency: 'database', reason: `${code}: server message` });
    }
    expect(outageOf(new Error('Connection terminated unexpectedly'))?.dependency).toBe('database');
  });

  it('[FAIL2] SQLite busy, locked, full, I/O error, and a disk that cannot take more: outages', () => {
    const full = sqliteError((db) => {
      db.exec('PRAGMA max_page_count = 1');
      db.exec('CREATE TABLE t (x)');
      db.exec("INSERT INTO t VALUES (randomblob(100000))");
    });
    expect(outageOf(full)).toMatchObject({ dependency: 'database', reason: expect.stringMatching(/^SQLITE 13:/) });
    for (const errcode of [5, 6, 10, 13, 266 /* SQLITE_IOERR_READ */, 261 /* SQLITE_BUSY_RECOVERY */]) {
      const err = Object.assign(new Error('sqlite'), { code: 'ERR_SQLITE_ERROR', errcode, errstr: 'sqlite' });
      expect(outageOf(err)?.dependency, String(errcode)).toBe('database');
    }
    for (const code of ['ENOSPC', 'EDQUOT', 'EIO', 'EROFS']) {
      expect(outageOf(Object.assign(new Error(code), { code }))?.dependency, code).toBe('disk');
    }
  });

  it('[FAIL3] Redis gone or not serving: outages of Redis', async () => {
    const redis = new Redis(await freePort(), '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {});
    const gone = await rejection(() => redis.ping());
    expect(outageOf(gone)).not.toBeNull();
    redis.disconnect();
    expect(outageOf(await rejection(() => redis.ping()))?.dependency).toBe('redis');
    for (const reply of ['LOADING Redis is loading the dataset in memory', "READONLY You can't write against a read only replica."]) {
      expect(outageOf(new ReplyError(reply))?.dependency, reply).toBe('redis');
    }
  });

  it('[FAIL4] faults of ours and refusals stay what they are: not outages', () => {
    const constraint = sqliteError((db) => {
      db.exec('CREATE TABLE t (x UNIQUE)');
      db.exec('INSERT INTO t VALUES (1)');
      db.exec('INSERT INTO t VALUES (1)');
    });
    for (const err of [constraint, pgError('23505', 'duplicate key'), pgError('42601', 'syntax error'), new TypeError('x is undefined'), 'a string', null]) {
      expect(outageOf(err)).toBeNull();
      expect(knownFailure(err)).toBeNull();
    }
    const refusal = new AppError(ErrorCode.Forbidden, 'no');
    expect(knownFailure(refusal)).toEqual({ error: refusal, outage: null });
  });

  it('[FAIL5] an outage wrapped in a cause or an AggregateError is still one, and is answered `unavailable`', () => {
    const wrapped = new Error('could not append', { cause: pgError('57P03', 'the database system is shutting down') });
    expect(knownFailure(wrapped)?.error.code).toBe(ErrorCode.Unavailable);
    const aggregate = new AggregateError([new Error('x'), Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })], 'connect failed');
    expect(knownFailure(aggregate)).toMatchObject({ error: { code: 'unavailable' }, outage: { reason: 'ECONNREFUSED' } });
  });
});
