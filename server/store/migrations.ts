// The migration runner of every engine: which numbered migrations are due,
// and the checksums that keep an applied migration from being edited. Each
// engine supplies its schema (sqlite/migrations.ts, postgres/migrations.ts) and
// a target on its schema_migrations table, and holds the transaction and lock
// around the run. Imports only node:crypto.

import { createHash } from 'node:crypto';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface AppliedMigration {
  version: number;
  /** Null for a migration applied before checksums were recorded. */
  checksum: string | null;
}

/**
 * One engine's schema_migrations table, used inside the transaction (and lock)
 * the engine holds around the run. `Done` is what a write returns and `Rows`
 * what applied() returns: plain values for node:sqlite, promises for `pg`.
 */
interface Target<Done, Rows> {
  readonly engine: string;
  /** Creates schema_migrations if missing, and adds the checksum column to one made before checksums. */
  prepare(): Done;
  applied(): Rows;
  /** Records the checksum of a migration applied before checksums were kept. */
  recordChecksum(version: number, checksum: string): Done;
  /** Runs the migration's SQL and records it, with its checksum, as applied at `now`. */
  apply(migration: Migration, checksum: string, now: number): Done;
}

export type SyncMigrationTarget = Target<void, AppliedMigration[]>;
export type MigrationTarget = Target<Promise<void>, Promise<AppliedMigration[]>>;

/** The versions a run applied, and those whose checksum it recorded (applied before checksums). */
export interface MigrationRun {
  applied: number[];
  checksummed: number[];
}

/**
 * SHA-256 of the migration's SQL (line endings normalised, so a CRLF checkout
 * does not count as an edit). The name is a label and not part of it.
 */
export function migrationChecksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** An applied migration whose SQL is no longer what the database ran: the start stops here. */
export class MigrationChangedError extends Error {
  readonly version: number;
  constructor(engine: string, migration: Migration, recorded: string, current: string) {
    super(
      `${engine} migration ${migration.version} ("${migration.name}") was edited after this database applied it ` +
        `(recorded checksum ${recorded.slice(0, 12)}…, now ${current.slice(0, 12)}…): ` +
        'restore its applied text and put the change in a new migration',
    );
    this.name = 'MigrationChangedError';
    this.version = migration.version;
  }
}

export interface MigrationPlan {
  /** Applied before checksums were kept: their checksums are recorded as the code has them now. */
  backfill: Array<{ version: number; checksum: string }>;
  /** Not applied yet, in version order, each with the checksum to record. */
  pending: Array<{ migration: Migration; checksum: string }>;
}

/**
 * What is due, given what the database has applied; throws
 * MigrationChangedError for the first applied migration whose SQL changed.
 * Applied versions the code does not know (a newer node migrated) are left alone.
 */
export function planMigrations(engine: string, migrations: readonly Migration[], applied: readonly AppliedMigration[]): MigrationPlan {
  const recorded = new Map(applied.map((a) => [a.version, a.checksum]));
  const plan: MigrationPlan = { backfill: [], pending: [] };
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const checksum = migrationChecksum(migration);
    if (!recorded.has(migration.version)) {
      plan.pending.push({ migration, checksum });
      continue;
    }
    const before = recorded.get(migration.version) ?? null;
    if (before === null) plan.backfill.push({ version: migration.version, checksum });
    else if (before !== checksum) throw new MigrationChangedError(engine, migration, before, checksum);
  }
  return plan;
}

/**
 * The run itself, written once for both kinds of target: each target call is
 * yielded to a driver, which hands back its (awaited, for pg) result. Verifies
 * the applied migrations, records missing checksums, applies the pending ones.
 */
function* run(target: SyncMigrationTarget | MigrationTarget, migrations: readonly Migration[], now: number): Generator<unknown, MigrationRun, unknown> {
  yield target.prepare();
  const applied = (yield target.applied()) as AppliedMigration[];
  const plan = planMigrations(target.engine, migrations, applied);
  for (const { version, checksum } of plan.backfill) yield target.recordChecksum(version, checksum);
  for (const { migration, checksum } of plan.pending) yield target.apply(migration, checksum, now);
  return { applied: plan.pending.map((p) => p.migration.version), checksummed: plan.backfill.map((b) => b.version) };
}

/**
 * Runs on a synchronous target (node:sqlite) within this one call: the
 * caller's transaction spans no await, so nothing else of the process runs
 * inside it. A MigrationChangedError comes before anything is applied or recorded.
 */
export function runMigrationsSync(target: SyncMigrationTarget, migrations: readonly Migration[], now: number): MigrationRun {
  const steps = run(target, migrations, now);
  let step = steps.next();
  while (!step.done) step = steps.next(step.value);
  return step.value;
}

/** Runs on an asynchronous target (`pg`), one call after the other; a MigrationChangedError comes before anything is applied or recorded. */
export async function runMigrations(target: MigrationTarget, migrations: readonly Migration[], now: number): Promise<MigrationRun> {
  const steps = run(target, migrations, now);
  let step = steps.next();
  while (!step.done) step = steps.next(await step.value);
  return step.value;
}
