// The SQLite engine's webhooks and delivery outbox (../webhook-store.ts): one process owns the
// file, so a claim is one UPDATE … RETURNING inside the store's write transaction.

import type { DatabaseSync } from 'node:sqlite';
import {
  type ClaimRow,
  DELIVERY_COLUMNS,
  type DeliveryRow,
  eventNeedle,
  MAX_WEBHOOK_ERROR_LENGTH,
  toClaimed,
  toDelivery,
  toWebhook,
  WEBHOOK_COLUMNS,
  type WebhookRow,
  type WebhookStore,
} from '../webhook-store.ts';
import { newId } from '../ids.ts';
import { prepare, type Query } from './statements.ts';

function statements(db: DatabaseSync) {
  const q = <R>(text: string): Query<R> => prepare(db, text);
  return {
    insert: q(`INSERT INTO webhooks (id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?)`),
    byId: q<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?`),
    list: q<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at, id`),
    update: q(
      `UPDATE webhooks SET url = coalesce(?2, url), events = coalesce(?3, events),
         enabled = coalesce(?4, enabled),
         disabled_reason = CASE WHEN ?4 IS NULL THEN disabled_reason WHEN ?4 = 1 THEN NULL WHEN enabled = 1 THEN 'admin' ELSE disabled_reason END,
         disabled_at = CASE WHEN ?4 IS NULL THEN disabled_at WHEN ?4 = 1 THEN NULL WHEN enabled = 1 THEN ?5 ELSE disabled_at END,
         failing_since = CASE WHEN ?4 = 1 THEN NULL ELSE failing_since END
       WHERE id = ?1`,
    ),
    remove: q(`DELETE FROM webhooks WHERE id = ?`),
    anyWants: q<{ one: number }>(`SELECT 1 AS one FROM webhooks WHERE enabled = 1 AND instr(events, ?) > 0 LIMIT 1`),
    enqueue: q(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, body, next_attempt_at, created_at)
       SELECT id, ?2, ?3, ?4, ?5, ?5 FROM webhooks WHERE enabled = 1 AND instr(events, ?1) > 0
       ON CONFLICT DO NOTHING`,
    ),
    claim: q<Omit<ClaimRow, 'url' | 'secret'>>(
      `UPDATE webhook_deliveries SET lease_owner = ?1, lease_until = ?2 + ?3, attempts = attempts + 1
       WHERE (webhook_id, event_id) IN (
         SELECT d.webhook_id, d.event_id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE w.enabled = 1 AND d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= ?2
           AND (d.lease_until IS NULL OR d.lease_until <= ?2)
         ORDER BY d.next_attempt_at, d.created_at LIMIT ?4)
       RETURNING webhook_id, event_id, event_type, body, attempts, created_at`,
    ),
    target: q<{ url: string; secret: string }>(`SELECT url, secret FROM webhooks WHERE id = ?`),
    delivered: q(
      `UPDATE webhook_deliveries SET delivered_at = ?3, last_status = ?4, last_error = NULL, lease_owner = NULL, lease_until = NULL
       WHERE webhook_id = ?1 AND event_id = ?2 AND delivered_at IS NULL`,
    ),
    streakEnds: q(`UPDATE webhooks SET failing_since = NULL WHERE id = ?`),
    failed: q(
      `UPDATE webhook_deliveries SET last_status = ?4, last_error = ?5, next_attempt_at = coalesce(?6, next_attempt_at),
         failed_at = CASE WHEN ?6 IS NULL THEN ?7 END, lease_owner = NULL, lease_until = NULL
       WHERE webhook_id = ?1 AND event_id = ?2 AND lease_owner = ?3 AND delivered_at IS NULL`,
    ),
    streakStarts: q(`UPDATE webhooks SET failing_since = coalesce(failing_since, ?2) WHERE id = ?1`),
    disable: q(
      `UPDATE webhooks SET enabled = 0, disabled_reason = 'failures', disabled_at = ?2
       WHERE id = ?1 AND enabled = 1 AND failing_since IS NOT NULL AND failing_since <= ?2 - ?3`,
    ),
    log: q<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ? ORDER BY created_at DESC, event_id DESC LIMIT ?`),
    pending: q<{ n: number }>(`SELECT count(*) AS n FROM webhook_deliveries WHERE delivered_at IS NULL AND failed_at IS NULL`),
  };
}

export function createSqliteWebhooks(db: DatabaseSync, transaction: <T>(work: () => T) => Promise<T>): WebhookStore {
  let prepared: ReturnType<typeof statements> | undefined;
  const s = () => (prepared ??= statements(db));
  return {
    createWebhook(input) {
      return transaction(() => {
        const id = newId();
        s().insert.run(id, input.url, JSON.stringify(input.events), input.secret, input.createdAt);
        return toWebhook(s().byId.get(id)!);
      });
    },
    async listWebhooks() {
      return s().list.all().map(toWebhook);
    },
    async getWebhook(id) {
      const row = s().byId.get(id);
      return row ? toWebhook(row) : null;
    },
    updateWebhook(id, patch, now) {
      return transaction(() => {
        const enabled = patch.enabled === undefined ? null : patch.enabled ? 1 : 0;
        s().update.run(id, patch.url ?? null, patch.events ? JSON.stringify(patch.events) : null, enabled, now);
        const row = s().byId.get(id);
        return row ? toWebhook(row) : null;
      });
    },
    deleteWebhook(id) {
      return transaction(() => Number(s().remove.run(id).changes) > 0);
    },
    async enqueueWebhookEvent(event) {
      const needle = eventNeedle(event.type);
      // A read first: with no webhook for this type (the usual case), no write transaction at all.
      if (!s().anyWants.get(needle)) return 0;
      return transaction(() => Number(s().enqueue.run(needle, event.id, event.type, event.body, event.createdAt).changes));
    },
    claimWebhookDeliveries(owner, now, leaseMs, limit) {
      return transaction(() =>
        s()
          .claim.all(owner, now, leaseMs, limit)
          .map((r) => toClaimed({ ...r, ...s().target.get(r.webhook_id)! })),
      );
    },
    async webhookDelivered(webhookId, eventId, status, now) {
      await transaction(() => {
        s().delivered.run(webhookId, eventId, now, status);
        s().streakEnds.run(webhookId);
      });
    },
    webhookFailed(webhookId, eventId, owner, failure, now, disableAfterMs) {
      return transaction(() => {
        const changed = s().failed.run(webhookId, eventId, owner, failure.status, failure.error.slice(0, MAX_WEBHOOK_ERROR_LENGTH), failure.retryAt, now);
        if (Number(changed.changes) === 0) return false;
        s().streakStarts.run(webhookId, now);
        return Number(s().disable.run(webhookId, now, disableAfterMs).changes) > 0;
      });
    },
    async listWebhookDeliveries(webhookId, limit) {
      return s().log.all(webhookId, limit).map(toDelivery);
    },
    async countPendingWebhookDeliveries() {
      return Number(s().pending.get()!.n);
    },
  };
}
