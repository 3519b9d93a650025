// Reads the target's own SQLite file, read-only, to prove that refused input changed nothing.
// Only after the server has committed (its acks come after the durable write).

import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { expect } from 'vitest';
import type { Target } from './target.ts';

/** The tables that hold people, conversations, messages, read positions and private notes, each in a stable order. */
const TABLES = {
  agents: 'id',
  visitors: 'id',
  conversations: 'id',
  messages: 'conversation_id, seq',
  read_positions: 'conversation_id, participant_kind, participant_id',
  notes: 'conversation_id, after_seq, created_at, id',
  conversation_tags: 'conversation_id, tag',
} as const;

export type Snapshot = Record<keyof typeof TABLES, unknown[]>;

export function snapshot(target: Target): Snapshot {
  const db = new DatabaseSync(join(target.dir, 'parley.db'), { readOnly: true });
  try {
    return Object.fromEntries(Object.entries(TABLES).map(([table, order]) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all()])) as Snapshot;
  } finally {
    db.close();
  }
}

/**
 * Runs `work` and asserts the database is as it was before. Call it inside the attack, before the
 * control conversation's round trip (which writes a message of its own).
 */
export async function unchangedBy<T>(target: Target, work: () => Promise<T>): Promise<T> {
  const before = snapshot(target);
  const result = await work();
  expect(snapshot(target), 'database changed').toEqual(before);
  return result;
}
