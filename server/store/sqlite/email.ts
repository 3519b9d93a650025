// The SQLite engine's email outbox and follow-up state (../email-store.ts): one process owns the
// file, so a claim is one UPDATE … RETURNING inside the store's write transaction.

import type { DatabaseSync } from 'node:sqlite';
import { type EmailStore, MAX_ERROR_LENGTH, OUTBOX_COLUMNS, type OutboxRow, type PendingRow, toOutboxEmail, toPendingFollowUp } from '../email-store.ts';
import { newId } from '../ids.ts';
import { prepare, type Query } from './statements.ts';

function statements(db: DatabaseSync) {
  const q = <R>(text: string): Query<R> => prepare(db, text);
  return {
    reply: q(
      `INSERT INTO email_followups (conversation_id, visitor_id, emailed_seq, pending_at, revision) VALUES (?1, ?2, 0, ?3, 1)
       ON CONFLICT (conversation_id) DO UPDATE SET pending_at = coalesce(pending_at, excluded.pending_at), revision = revision + 1`,
    ),
    pending: q<PendingRow>(
      `SELECT f.conversation_id, f.visitor_id, f.emailed_seq, f.pending_at, f.revision, v.email, v.language, v.last_seen_at
       FROM email_followups f JOIN visitors v ON v.id = f.visitor_id
       WHERE f.pending_at IS NOT NULL AND f.pending_at <= ?1 AND (f.pending_at, f.conversation_id) > (?2, ?3)
       ORDER BY f.pending_at, f.conversation_id LIMIT ?4`,
    ),
    settleSent: q(
      `UPDATE email_followups SET emailed_seq = max(emailed_seq, ?2), pending_at = CASE WHEN revision = ?3 THEN NULL ELSE ?4 END
       WHERE conversation_id = ?1`,
    ),
    settleNothing: q(`UPDATE email_followups SET pending_at = NULL WHERE conversation_id = ?1 AND revision = ?2`),
    insert: q<OutboxRow>(
      `INSERT INTO email_outbox (id, key, kind, conversation_id, recipient, subject, text_body, html_body, next_attempt_at, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) ON CONFLICT (key) DO NOTHING RETURNING ${OUTBOX_COLUMNS}`,
    ),
    byKey: q<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM email_outbox WHERE key = ?`),
    claim: q<OutboxRow>(
      `UPDATE email_outbox SET lease_owner = ?1, lease_until = ?2 + ?3, attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM email_outbox
         WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?2 AND (lease_until IS NULL OR lease_until <= ?2)
         ORDER BY next_attempt_at, id LIMIT ?4)
       RETURNING ${OUTBOX_COLUMNS}`,
    ),
    sent: q(`UPDATE email_outbox SET sent_at = ?2, lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE id = ?1 AND sent_at IS NULL`),
    failed: q(
      `UPDATE email_outbox SET last_error = ?3, next_attempt_at = coalesce(?4, next_attempt_at), failed_at = CASE WHEN ?4 IS NULL THEN ?5 END,
         lease_owner = NULL, lease_until = NULL
       WHERE id = ?1 AND lease_owner = ?2 AND sent_at IS NULL`,
    ),
    list: q<OutboxRow>(`SELECT ${OUTBOX_COLUMNS} FROM email_outbox WHERE conversation_id = ? ORDER BY created_at, id`),
    unsent: q<{ n: number }>(`SELECT count(*) AS n FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL`),
    seen: q(`UPDATE visitors SET last_seen_at = ?2 WHERE id = ?1`),
    language: q(`UPDATE visitors SET language = ?2 WHERE id = ?1 AND language IS NOT ?2`),
  };
}

export function createSqliteEmail(db: DatabaseSync, transaction: <T>(work: () => T) => Promise<T>): EmailStore {
  let prepared: ReturnType<typeof statements> | undefined;
  const s = () => (prepared ??= statements(db));

  return {
    async followUpReplies(replies) {
      if (replies.length === 0) return;
      await transaction(() => {
        // Earliest first: a conversation's wait starts at its earliest reply of the batch.
        for (const r of [...replies].sort((x, y) => x.at - y.at)) s().reply.run(r.conversationId, r.visitorId, r.at);
      });
    },
    async followUpsPending(before, after, limit) {
      return s()
        .pending.all(before, after?.pendingAt ?? -1, after?.conversationId ?? '', limit)
        .map(toPendingFollowUp);
    },
    followUpSettle(conversationId, revision, settlement, now) {
      return transaction(() => {
        if (settlement.kind === 'nothing') {
          s().settleNothing.run(conversationId, revision);
          return false;
        }
        const e = settlement.email;
        const created = s().insert.get(newId(), e.key, e.kind, e.conversationId, e.recipient, e.subject, e.text, e.html, now);
        s().settleSent.run(conversationId, settlement.throughSeq, revision, now);
        return created !== undefined;
      });
    },
    enqueueEmail(e, now) {
      return transaction(() => {
        const created = s().insert.get(newId(), e.key, e.kind, e.conversationId, e.recipient, e.subject, e.text, e.html, now);
        if (created) return { kind: 'created' as const, email: toOutboxEmail(created) };
        return { kind: 'duplicate' as const, email: toOutboxEmail(s().byKey.get(e.key)!) };
      });
    },
    claimEmails(owner, now, leaseMs, limit) {
      return transaction(() => s().claim.all(owner, now, leaseMs, limit).map(toOutboxEmail));
    },
    async emailSent(id, now) {
      await transaction(() => s().sent.run(id, now));
    },
    async emailFailed(id, owner, error, retryAt, now) {
      await transaction(() => s().failed.run(id, owner, error.slice(0, MAX_ERROR_LENGTH), retryAt, now));
    },
    async listEmails(conversationId) {
      return s().list.all(conversationId).map(toOutboxEmail);
    },
    async countUnsentEmails() {
      return Number(s().unsent.get()!.n);
    },
    async visitorSeen(visitorId, at) {
      await transaction(() => s().seen.run(visitorId, at));
    },
    async setVisitorLanguage(visitorId, language) {
      await transaction(() => s().language.run(visitorId, language));
    },
  };
}
