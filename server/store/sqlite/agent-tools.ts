// The SQLite engine's canned replies, page views and CSAT (../agent-tools.ts): synchronous
// statements, each write one transaction of the store's group commit. Prepared on first use
// (after migrate()).

import type { DatabaseSync } from 'node:sqlite';
import type { AgentToolsStore, CreateCannedResult, RateResult, UpdateCannedResult } from '../agent-tools.ts';
import { type CannedRow, type CsatRow, decideRate, type PageViewRow, shortcutKey, toCanned, toCsat, toCsatCounts, toPageView } from '../agent-tools-rows.ts';
import { newId } from '../ids.ts';
import { prepare, type Query } from './statements.ts';

const UNIQUE = /* SQLITE_CONSTRAINT_UNIQUE */ 2067;

function statements(db: DatabaseSync) {
  const q = <R>(text: string): Query<R> => prepare(db, text);
  const CANNED = 'id, owner_id, shortcut, body, created_at, updated_at';
  const CSAT = 'conversation_id, visitor_id, agent_id, rating, comment, created_at, updated_at';
  return {
    listCanned: q<CannedRow>(`SELECT ${CANNED} FROM canned_replies WHERE owner_id IS NULL OR owner_id = ? ORDER BY shortcut_key, owner_id IS NOT NULL, id`),
    cannedById: q<CannedRow>(`SELECT ${CANNED} FROM canned_replies WHERE id = ?`),
    countCanned: q<{ n: number }>(`SELECT count(*) AS n FROM canned_replies WHERE coalesce(owner_id, '') = coalesce(?, '')`),
    cannedTaken: q<{ id: string }>(`SELECT id FROM canned_replies WHERE coalesce(owner_id, '') = coalesce(?, '') AND shortcut_key = ?`),
    insertCanned: q<CannedRow>(
      `INSERT INTO canned_replies (id, owner_id, shortcut, shortcut_key, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${CANNED}`,
    ),
    updateCanned: q<CannedRow>(
      `UPDATE canned_replies SET shortcut = coalesce(?2, shortcut), shortcut_key = coalesce(?3, shortcut_key), body = coalesce(?4, body), updated_at = ?5
       WHERE id = ?1 RETURNING ${CANNED}`,
    ),
    deleteCanned: q(`DELETE FROM canned_replies WHERE id = ?`),
    insertPageView: q(`INSERT INTO page_views (visitor_id, url, title, user_agent, time_zone, at) VALUES (?, ?, ?, ?, ?, ?)`),
    prunePageViews: q(
      `DELETE FROM page_views WHERE visitor_id = ?1 AND id <= (SELECT id FROM page_views WHERE visitor_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)`,
    ),
    listPageViews: q<PageViewRow>(`SELECT visitor_id, url, title, user_agent, time_zone, at FROM page_views WHERE visitor_id = ? ORDER BY id DESC LIMIT ?`),
    conversationForRating: q<{ visitor_id: string; status: string; closed_at: number | null; agent_id: string | null }>(
      `SELECT visitor_id, status, closed_at, agent_id FROM conversations WHERE id = ?`,
    ),
    upsertCsat: q<CsatRow>(
      `INSERT INTO csat_ratings (${CSAT}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
       ON CONFLICT (conversation_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, updated_at = excluded.updated_at
       RETURNING ${CSAT}`,
    ),
    csatById: q<CsatRow>(`SELECT ${CSAT} FROM csat_ratings WHERE conversation_id = ?`),
    csatsByIds: q<CsatRow>(`SELECT ${CSAT} FROM csat_ratings WHERE conversation_id IN (SELECT value FROM json_each(?))`),
    csatCounts: q<{ rating: string; n: number }>(
      `SELECT r.rating, count(*) AS n FROM conversations c JOIN csat_ratings r ON r.conversation_id = c.id
       WHERE c.closed_at >= ?1 AND c.closed_at < ?2 AND (?3 IS NULL OR r.agent_id = ?3) GROUP BY r.rating`,
    ),
  };
}

export function createSqliteAgentTools(db: DatabaseSync, transaction: <T>(work: () => T) => Promise<T>, now: () => number): AgentToolsStore {
  let prepared: ReturnType<typeof statements> | undefined;
  const s = () => (prepared ??= statements(db));

  return {
    async listCannedReplies(agentId) {
      return s().listCanned.all(agentId).map(toCanned);
    },
    async getCannedReply(id) {
      const row = s().cannedById.get(id);
      return row ? toCanned(row) : null;
    },
    async createCannedReply({ ownerId, shortcut, body, max }) {
      // One write lock around count, check and insert: nothing can come between.
      return transaction((): CreateCannedResult => {
        const key = shortcutKey(shortcut);
        if (s().cannedTaken.get(ownerId, key)) return { kind: 'shortcut_taken' };
        if (Number(s().countCanned.get(ownerId)!.n) >= max) return { kind: 'too_many' };
        const at = now();
        return { kind: 'created', reply: toCanned(s().insertCanned.get(newId(), ownerId, shortcut, key, body, at, at)!) };
      });
    },
    async updateCannedReply(id, patch) {
      return transaction((): UpdateCannedResult => {
        const before = s().cannedById.get(id);
        if (!before) return { kind: 'not_found' };
        if (patch.shortcut !== undefined) {
          const taken = s().cannedTaken.get(before.owner_id, shortcutKey(patch.shortcut));
          if (taken && taken.id !== id) return { kind: 'shortcut_taken' };
        }
        const key = patch.shortcut === undefined ? null : shortcutKey(patch.shortcut);
        const row = s().updateCanned.get(id, patch.shortcut ?? null, key, patch.body ?? null, now())!;
        return { kind: 'updated', reply: toCanned(row) };
      }).catch((err: unknown) => {
        if ((err as { errcode?: number }).errcode === UNIQUE) return { kind: 'shortcut_taken' } as const;
        throw err;
      });
    },
    async deleteCannedReply(id) {
      return transaction(() => Number(s().deleteCanned.run(id).changes) > 0);
    },

    async recordPageView(v, keep) {
      await transaction(() => {
        s().insertPageView.run(v.visitorId, v.url, v.title, v.userAgent, v.timeZone, v.at);
        s().prunePageViews.run(v.visitorId, keep);
      });
    },
    async listPageViews(visitorId, limit) {
      return s().listPageViews.all(visitorId, limit).map(toPageView);
    },

    async rateConversation(input) {
      return transaction((): RateResult => {
        const c = s().conversationForRating.get(input.conversationId);
        const refused = decideRate(c, input);
        if (refused) return { kind: refused };
        const row = s().upsertCsat.get(input.conversationId, input.visitorId, c!.agent_id, input.rating, input.comment, input.now)!;
        return { kind: 'rated', csat: toCsat(row), closedAt: Number(c!.closed_at), agentId: c!.agent_id };
      });
    },
    async getCsat(conversationId) {
      const row = s().csatById.get(conversationId);
      return row ? toCsat(row) : null;
    },
    async getCsats(ids) {
      return ids.length === 0 ? [] : s().csatsByIds.all(JSON.stringify(ids)).map(toCsat);
    },
    async csatCounts({ from, to, agentId }) {
      return toCsatCounts(s().csatCounts.all(from, to, agentId ?? null));
    },
  };
}
