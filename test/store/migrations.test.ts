// The migration runner's decisions (server/store/migrations.ts) on their own;
// test/store/migration-contract.ts runs them against each engine.

import { describe, expect, it } from 'vitest';
import { MigrationChangedError, migrationChecksum, planMigrations } from '../../server/store/migrations.ts';

const one = { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER)' };
const two = { version: 2, name: 'two', sql: 'CREATE TABLE b (x INTEGER)' };
const sum = migrationChecksum;

describe('migration plan', () => {
  it('[MIG1] pending migrations come in version order, each with the checksum of its SQL (not of its name)', () => {
    expect(planMigrations('e', [two, one], [])).toEqual({ backfill: [], pending: [{ migration: one, checksum: sum(one) }, { migration: two, checksum: sum(two) }] });
    expect(sum({ ...one, name: 'renamed' })).toBe(sum(one));
    expect(sum(one)).toMatch(/^[0-9a-f]{64}$/);
    expect(sum(two)).not.toBe(sum(one));
  });

  it('[MIG2] an applied migration with another checksum is refused, naming the engine, version and name', () => {
    const plan = () => planMigrations('sqlite', [one, two], [{ version: 1, checksum: sum(one) }, { version: 2, checksum: 'f'.repeat(64) }]);
    expect(plan).toThrow(MigrationChangedError);
    expect(plan).toThrow(/^sqlite migration 2 \("two"\) was edited after this database applied it \(recorded checksum f{12}…, now [0-9a-f]{12}…\)/);
  });

  it('[MIG3] applied without a checksum: recorded as the code has it; applied versions the code does not know are left alone', () => {
    const applied = [{ version: 1, checksum: null }, { version: 9, checksum: 'from a newer release' }];
    expect(planMigrations('e', [one, two], applied)).toEqual({ backfill: [{ version: 1, checksum: sum(one) }], pending: [{ migration: two, checksum: sum(two) }] });
  });
});
