// The PostgreSQL engine's email outbox and follow-up state (../email-store.ts). Every node runs a
// worker on the same table: a claim picks due rows FOR UPDATE SKIP LOCKED and leases them in the
// same statement, so two nodes never lease one row at once.

import { type EmailStore, MAX_ERROR_LENGTH, OUTBOX_COLUMNS, type OutboxRow, type PendingRow, toOutboxEmail, toPendingFollowUp } from '../email-store.ts';
import { newId } from '../ids.ts';
import type { Db } from './db.ts';

const INSERT = `INSERT INTO email_outbox (id, key, kind, conversation_id, recipient, subject, text_body, html_body, next_attempt_at, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (key) DO NOTHING RETURNING ${OUTBOX_COLUMNS}`;

export function createPostgresEmail(db: Db): EmailStore {
  return {
    async followUpReplies(replies) {
      if (replies.length === 0) return;
      // One row per conversation (a statement may not update a row twice): its earliest reply, and
      // as many revisions as it had replies.
      const rows = new Map<string, { visitorId: string; at: number; count: number }>();
      for (const r of replies) {
        const row = rows.get(r.conversationId);
        if (row) {
          row.at = Math.min(row.at, r.at);
          row.count++;
        } else rows.set(r.conversationId, { visitorId: r.visitorId, at: r.at, count: 1 });
      }
      const list = [...rows];
      await db.execute(
        `INSERT INTO email_followups (conversation_id, visitor_id, emailed_seq, pending_at, revision)
         SELECT c, v, 0, a, n FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[]) AS r(c, v, a, n)
         ON CONFLICT (conversation_id) DO UPDATE SET pending_at = coalesce(email_followups.pending_at, excluded.pending_at),
           revision = email_followups.revision + excluded.revision`,
        [list.map(([id]) => id), list.map(([, r]) => r.visitorId), list.map(([, r]) => r.at), list.map(([, r]) => r.count)],
      );
    },
    async followUpsPending(before, after, limit) {
      const rows = await db.query<PendingRow>(
        `SELECT f.conversation_id, f.visitor_id, f.emailed_seq, f.pending_at, f.revision, v.email, v.language, v.last_seen_at
         FROM email_followups f JOIN visitors v ON v.id = f.visitor_id
         WHERE f.pending_at IS NOT NULL AND f.pending_at <= $1 AND (f.pending_at, f.conversation_id) > ($2, $3)
         ORDER BY f.pending_at, f.conversation_id LIMIT $4`,
        [before, after?.pendingAt ?? -1, after?.conversationId ?? '', limit],
      );
      return rows.map(toPendingFollowUp);
    },
    async followUpSettle(conversationId, revision, settlement, now) {
      if (settlement.kind === 'nothing') {
        await db.execute(`UPDATE email_followups SET pending_at = NULL WHERE conversation_id = $1 AND revision = $2`, [conversationId, revision]);
        return false;
      }
      const e = settlement.email;
      return db.transaction(async (client) => {
        // Two nodes may settle the same batch: the key lets one email in, the other inserts nothing.
        const created = await client.query(INSERT, [newId(), e.key, e.kind, e.conversationId, e.recipient, e.subject, e.text, e.html, now]);
        await client.query(
          `UPDATE email_followups SET emailed_seq = greatest(emailed_seq, $2), pending_at = CASE WHEN revision = $3 THEN NULL ELSE $4::bigint END
           WHERE conversation_id = $1`,
          [conversationId, settlement.throughSeq, revision, now],
        );
        return created.rows.length > 0;
      });
    },
    async enqueueEmail(e, now) {
      const [created] = await db.query<OutboxRow>(INSERT, [newId(), e.key, e.kind, e.conversationId, e.recipient, e.subject, e.text, e.html, now]);
      if (created) return { kind: 'created', email: toOutboxEmail(created) };
      const [row] = await db.query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM email_outbox WHERE key = $1`, [e.key]);
      return { kind: 'duplicate', email: toOutboxEmail(row) };
    },
    async claimEmails(owner, now, leaseMs, limit) {
      const rows = await db.query<OutboxRow>(
        `UPDATE email_outbox SET lease_owner = $1, lease_until = $2::bigint + $3::bigint, attempts = attempts + 1
         WHERE id IN (
           SELECT id FROM email_outbox
           WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
           ORDER BY next_attempt_at, id LIMIT $4
           FOR UPDATE SKIP LOCKED)
         RETURNING ${OUTBOX_COLUMNS}`,
        [owner, now, leaseMs, limit],
      );
      return rows.map(toOutboxEmail);
    },
    async emailSent(id, now) {
      await db.execute(`UPDATE email_outbox SET sent_at = $2, lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE id = $1 AND sent_at IS NULL`, [id, now]);
    },
    async emailFailed(id, owner, error, retryAt, now) {
      await db.execute(
        `UPDATE email_outbox SET last_error = $3, next_attempt_at = coalesce($4::bigint, next_attempt_at),
           failed_at = CASE WHEN $4::bigint IS NULL THEN $5::bigint END, lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND lease_owner = $2 AND sent_at IS NULL`,
        [id, owner, error.slice(0, MAX_ERROR_LENGTH), retryAt, now],
      );
    },
    async listEmails(conversationId) {
      return (await db.query<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM email_outbox WHERE conversation_id = $1 ORDER BY created_at, id`, [conversationId])).map(toOutboxEmail);
    },
    async countUnsentEmails() {
      const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL`);
      return n;
    },
    async visitorSeen(visitorId, at) {
      await db.execute(`UPDATE visitors SET last_seen_at = $2 WHERE id = $1`, [visitorId, at]);
    },
    async setVisitorLanguage(visitorId, language) {
      await db.execute(`UPDATE visitors SET language = $2 WHERE id = $1 AND language IS DISTINCT FROM $2`, [visitorId, language]);
    },
  };
}
