// The migration runner's contract on a real engine (sqlite.test.ts and
// postgres.test.ts run it): checksums recorded, an edited applied migration
// refused with nothing changed, and an upgrade from a database that predates
// checksums. The engine supplies a MigrationHarness.

import { describe, expect, it } from 'vitest';
import { type Migration, MigrationChangedError, migrationChecksum } from '../../server/store/migrations.ts';

export interface MigrationHarness<Db> {
  /** The engine's schema. */
  migrations: readonly Migration[];
  /** A new empty database; closed by close(). */
  create(): Promise<Db>;
  /** The engine's migrate, in its own transaction and lock, applying `list`. */
  migrate(db: Db, list: readonly Migration[]): Promise<{ applied: number[]; checksummed: number[] }>;
  /** A database as a release before checksums left it: its schema_migrations without the column, `list` applied. */
  createPreChecksum(db: Db, list: readonly Migration[]): Promise<void>;
  /** schema_migrations' (version, checksum) rows in version order. */
  recorded(db: Db): Promise<Array<{ version: number; checksum: string | null }>>;
  /** Whether a table of this name exists. */
  hasTable(db: Db, name: string): Promise<boolean>;
  close(db: Db): Promise<void>;
}

/** A migration every engine can run, appended after the schema in these tests. */
const added: Migration = { version: 1000, name: 'test: an added table', sql: 'CREATE TABLE added_by_test (x INTEGER)' };

export function runMigrationContract<Db>(engineName: string, harness: MigrationHarness<Db>): void {
  const { migrations } = harness;
  const checksums = (list: readonly Migration[]) => list.map((m) => ({ version: m.version, checksum: migrationChecksum(m) }));

  async function withDb(test: (db: Db) => Promise<void>): Promise<void> {
    const db = await harness.create();
    try {
      await test(db);
    } finally {
      await harness.close(db);
    }
  }

  describe(`migrations: ${engineName}`, () => {
    it('[MIG1] a new database gets every migration with its checksum; a second run does nothing', () =>
      withDb(async (db) => {
        expect(await harness.migrate(db, migrations)).toEqual({ applied: migrations.map((m) => m.version), checksummed: [] });
        expect(await harness.recorded(db)).toEqual(checksums(migrations));
        expect(await harness.migrate(db, migrations)).toEqual({ applied: [], checksummed: [] });
        expect(await harness.migrate(db, [...migrations, added])).toEqual({ applied: [added.version], checksummed: [] });
        expect(await harness.recorded(db)).toEqual(checksums([...migrations, added]));
      }));

    it('[MIG2] an applied migration that was edited stops the run, naming it, and nothing of the run is kept', () =>
      withDb(async (db) => {
        await harness.migrate(db, migrations);
        const edited = migrations.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- an innocent-looking edit` } : m));
        const refused = harness.migrate(db, [...edited, added]);
        await expect(refused).rejects.toBeInstanceOf(MigrationChangedError);
        await expect(refused).rejects.toThrow(`${engineName} migration ${migrations[0].version} ("${migrations[0].name}") was edited`);
        expect(await harness.hasTable(db, 'added_by_test')).toBe(false);
        expect(await harness.recorded(db)).toEqual(checksums(migrations));
        // Restored, the same list runs again.
        expect(await harness.migrate(db, [...migrations, added])).toEqual({ applied: [added.version], checksummed: [] });
      }));

    it('[MIG2] a CRLF checkout of the same text is no edit', () =>
      withDb(async (db) => {
        await harness.migrate(db, migrations);
        const crlf = migrations.map((m) => ({ ...m, sql: m.sql.replace(/\n/g, '\r\n') }));
        expect(await harness.migrate(db, crlf)).toEqual({ applied: [], checksummed: [] });
      }));

    it('[MIG3] a database from before checksums gets them recorded, the pending migrations applied, and edits refused from then on', () =>
      withDb(async (db) => {
        const old = migrations.slice(0, 1);
        await harness.createPreChecksum(db, old);
        const later = migrations.slice(1).map((m) => m.version);
        expect(await harness.migrate(db, [...migrations, added])).toEqual({ applied: [...later, added.version], checksummed: [old[0].version] });
        expect(await harness.recorded(db)).toEqual(checksums([...migrations, added]));
        expect(await harness.hasTable(db, 'added_by_test')).toBe(true);
        const edited = [{ ...migrations[0], sql: `${migrations[0].sql};` }, ...migrations.slice(1)];
        await expect(harness.migrate(db, edited)).rejects.toBeInstanceOf(MigrationChangedError);
      }));
  });
}
