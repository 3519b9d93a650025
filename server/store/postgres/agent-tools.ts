// The PostgreSQL engine's canned replies, page views and CSAT (../agent-tools.ts). Many nodes
// share the tables: a reply's count and shortcut are checked under an advisory lock per owner, a
// visitor's page views are pruned under one per visitor, a rating's window is checked under the
// row lock of its conversation.

import type { AgentToolsStore, CreateCannedResult, RateResult, UpdateCannedResult } from '../agent-tools.ts';
import { type CannedRow, type CsatRow, decideRate, type PageViewRow, shortcutKey, toCanned, toCsat, toCsatCounts, toPageView } from '../agent-tools-rows.ts';
import { newId } from '../ids.ts';
import type { Db } from './db.ts';

const CANNED = 'id, owner_id, shortcut, body, created_at, updated_at';
const CSAT = 'conversation_id, visitor_id, agent_id, rating, comment, created_at, updated_at';
const UNIQUE_VIOLATION = '23505';
const isUnique = (err: unknown) => (err as { code?: string } | null)?.code === UNIQUE_VIOLATION;

export function createPostgresAgentTools(db: Db, now: () => number): AgentToolsStore {
  return {
    async listCannedReplies(agentId) {
      const rows = await db.query<CannedRow>(
        `SELECT ${CANNED} FROM canned_replies WHERE owner_id IS NULL OR owner_id = $1 ORDER BY shortcut_key, owner_id IS NOT NULL, id`,
        [agentId],
      );
      return rows.map(toCanned);
    },
    async getCannedReply(id) {
      const [row] = await db.query<CannedRow>(`SELECT ${CANNED} FROM canned_replies WHERE id = $1`, [id]);
      return row ? toCanned(row) : null;
    },
    async createCannedReply({ ownerId, shortcut, body, max }) {
      const key = shortcutKey(shortcut);
      try {
        return await db.transaction(async (client): Promise<CreateCannedResult> => {
          // Creations for one owner take turns: two nodes cannot both pass the count.
          await client.query(`SELECT pg_advisory_xact_lock(hashtext('canned:' || coalesce($1::text, '')))`, [ownerId]);
          const taken = await client.query(`SELECT 1 FROM canned_replies WHERE coalesce(owner_id, '') = coalesce($1, '') AND shortcut_key = $2`, [ownerId, key]);
          if (taken.rows.length > 0) return { kind: 'shortcut_taken' };
          const [{ n }] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM canned_replies WHERE coalesce(owner_id, '') = coalesce($1, '')`, [ownerId])).rows;
          if (n >= max) return { kind: 'too_many' };
          const at = now();
          const [row] = (
            await client.query<CannedRow>(
              `INSERT INTO canned_replies (id, owner_id, shortcut, shortcut_key, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ${CANNED}`,
              [newId(), ownerId, shortcut, key, body, at],
            )
          ).rows;
          return { kind: 'created', reply: toCanned(row) };
        });
      } catch (err) {
        if (isUnique(err)) return { kind: 'shortcut_taken' };
        throw err;
      }
    },
    async updateCannedReply(id, patch) {
      const key = patch.shortcut === undefined ? null : shortcutKey(patch.shortcut);
      try {
        const [row] = await db.query<CannedRow>(
          `UPDATE canned_replies SET shortcut = coalesce($2, shortcut), shortcut_key = coalesce($3, shortcut_key), body = coalesce($4, body), updated_at = $5
           WHERE id = $1 RETURNING ${CANNED}`,
          [id, patch.shortcut ?? null, key, patch.body ?? null, now()],
        );
        return row ? { kind: 'updated', reply: toCanned(row) } : ({ kind: 'not_found' } satisfies UpdateCannedResult);
      } catch (err) {
        // The unique index decides a rename onto another reply's shortcut.
        if (isUnique(err)) return { kind: 'shortcut_taken' };
        throw err;
      }
    },
    async deleteCannedReply(id) {
      return (await db.execute(`DELETE FROM canned_replies WHERE id = $1`, [id])) > 0;
    },

    async recordPageView(v, keep) {
      await db.transaction(async (client) => {
        // One visitor's views take turns (their tabs, several nodes): each prune sees every view
        // committed before it, so the bound holds, and ids follow the order the views were stored.
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('pages:' || $1::text))`, [v.visitorId]);
        await client.query(`INSERT INTO page_views (visitor_id, url, title, user_agent, time_zone, at) VALUES ($1, $2, $3, $4, $5, $6)`, [
          v.visitorId,
          v.url,
          v.title,
          v.userAgent,
          v.timeZone,
          v.at,
        ]);
        await client.query(
          `DELETE FROM page_views WHERE visitor_id = $1 AND id <= (SELECT id FROM page_views WHERE visitor_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
          [v.visitorId, keep],
        );
      });
    },
    async listPageViews(visitorId, limit) {
      const rows = await db.query<PageViewRow>(
        `SELECT visitor_id, url, title, user_agent, time_zone, at FROM page_views WHERE visitor_id = $1 ORDER BY id DESC LIMIT $2`,
        [visitorId, limit],
      );
      return rows.map(toPageView);
    },

    async rateConversation(input) {
      return db.transaction(async (client): Promise<RateResult> => {
        const [c] = (
          await client.query<{ visitor_id: string; status: string; closed_at: string | null; agent_id: string | null }>(
            `SELECT visitor_id, status, closed_at, agent_id FROM conversations WHERE id = $1 FOR SHARE`,
            [input.conversationId],
          )
        ).rows;
        const refused = decideRate(c, input);
        if (refused) return { kind: refused };
        const [row] = (
          await client.query<CsatRow>(
            `INSERT INTO csat_ratings (${CSAT}) VALUES ($1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (conversation_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, updated_at = excluded.updated_at
             RETURNING ${CSAT}`,
            [input.conversationId, input.visitorId, c.agent_id, input.rating, input.comment, input.now],
          )
        ).rows;
        return { kind: 'rated', csat: toCsat(row), closedAt: Number(c.closed_at), agentId: c.agent_id };
      });
    },
    async getCsat(conversationId) {
      const [row] = await db.query<CsatRow>(`SELECT ${CSAT} FROM csat_ratings WHERE conversation_id = $1`, [conversationId]);
      return row ? toCsat(row) : null;
    },
    async getCsats(ids) {
      if (ids.length === 0) return [];
      return (await db.query<CsatRow>(`SELECT ${CSAT} FROM csat_ratings WHERE conversation_id = ANY($1::text[])`, [ids])).map(toCsat);
    },
    async csatCounts({ from, to, agentId }) {
      const rows = await db.query<{ rating: string; n: number }>(
        `SELECT r.rating, count(*)::int AS n FROM conversations c JOIN csat_ratings r ON r.conversation_id = c.id
         WHERE c.closed_at >= $1 AND c.closed_at < $2 AND ($3::text IS NULL OR r.agent_id = $3) GROUP BY r.rating`,
        [from, to, agentId ?? null],
      );
      return toCsatCounts(rows);
    },
  };
}
