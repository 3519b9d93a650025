// PostgreSQL statements for routing: the capacity-bounded claim that nodes race
// on, each agent's load, and the team settings.

import { toConversation, type ConversationRow } from '../rows.ts';
import type { AgentLoad, TransitionResult } from '../store.ts';
import type { Db } from './db.ts';
import { toPrevious, type TransitionRow } from './rows.ts';

/**
 * queued → active for this agent while they hold fewer than `capacity`. Assignments to one agent
 * take turns on a transaction-scoped advisory lock named after the agent: the count read after it
 * sees every earlier assignment committed (READ COMMITTED reads the latest committed rows per
 * statement), so two nodes assigning to one agent at once cannot both pass the capacity. The
 * conversation's own race (two nodes, one conversation) is the claim's: one conditional UPDATE.
 */
export function assign(db: Db, id: string, agent: { id: string; name: string }, capacity: number, now: number): Promise<TransitionResult | { kind: 'at_capacity' }> {
  return db.transaction(async (client): Promise<TransitionResult | { kind: 'at_capacity' }> => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('parley:assign:' || $1, 0))`, [agent.id]);
    const [{ n }] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM conversations WHERE agent_id = $1 AND status = 'active'`, [agent.id])).rows;
    if (n >= capacity) return { kind: 'at_capacity' };
    const [row] = (
      await client.query<TransitionRow>(
        `UPDATE conversations c SET status = 'active', agent_id = $2, agent_name = $3, revision = c.revision + 1,
           claimed_by = CASE WHEN c.claimed_at IS NULL THEN $2 ELSE c.claimed_by END, claimed_at = coalesce(c.claimed_at, $4::bigint)
         FROM (SELECT id, status, agent_id, agent_name, closed_at FROM conversations WHERE id = $1 FOR UPDATE) prev
         WHERE c.id = prev.id AND c.status = 'queued'
         RETURNING c.*, prev.status AS prev_status, prev.agent_id AS prev_agent_id,
                   prev.agent_name AS prev_agent_name, prev.closed_at AS prev_closed_at`,
        [id, agent.id, agent.name, now],
      )
    ).rows;
    if (!row) {
      const [current] = (await client.query<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [id])).rows;
      return current ? { kind: 'conflict', conversation: toConversation(current) } : { kind: 'not_found' };
    }
    await client.query('UPDATE agents SET last_assigned_at = $2 WHERE id = $1', [agent.id, now]);
    return { kind: 'ok', conversation: toConversation(row), previous: toPrevious(row) };
  });
}

export async function agentLoads(db: Db): Promise<AgentLoad[]> {
  const rows = await db.query<{ id: string; name: string; capacity: number | null; last_assigned_at: string | null; active: number }>(
    `SELECT a.id, a.name, a.capacity, a.last_assigned_at,
       (SELECT count(*)::int FROM conversations c WHERE c.agent_id = a.id AND c.status = 'active') AS active
     FROM agents a WHERE NOT a.disabled`,
  );
  return rows.map((r) => ({
    agentId: r.id,
    name: r.name,
    capacity: r.capacity,
    active: r.active,
    lastAssignedAt: r.last_assigned_at === null ? null : Number(r.last_assigned_at),
  }));
}

export async function getSettings(db: Db): Promise<Map<string, string>> {
  return new Map((await db.query<{ key: string; value: string }>('SELECT key, value FROM settings')).map((r) => [r.key, r.value]));
}

export async function putSettings(db: Db, values: ReadonlyMap<string, string>, now: number): Promise<void> {
  if (values.size === 0) return;
  await db.query(
    `INSERT INTO settings (key, value, updated_at) SELECT k, v, $3 FROM unnest($1::text[], $2::text[]) AS t (k, v)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [[...values.keys()], [...values.values()], now],
  );
}
