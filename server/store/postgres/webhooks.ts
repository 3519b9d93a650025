// The PostgreSQL engine's webhooks and delivery outbox (../webhook-store.ts). Every node runs a
// worker on the same table: a claim picks due rows FOR UPDATE SKIP LOCKED and leases them in the
// same statement, so two nodes never lease one row at once.

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
import type { Db } from './db.ts';

export function createPostgresWebhooks(db: Db): WebhookStore {
  const byId = async (id: string) => {
    const [row] = await db.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1`, [id]);
    return row ? toWebhook(row) : null;
  };
  return {
    async createWebhook(input) {
      const [row] = await db.query<WebhookRow>(
        `INSERT INTO webhooks (id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${WEBHOOK_COLUMNS}`,
        [newId(), input.url, JSON.stringify(input.events), input.secret, input.createdAt],
      );
      return toWebhook(row);
    },
    async listWebhooks() {
      return (await db.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at, id`)).map(toWebhook);
    },
    getWebhook: byId,
    async updateWebhook(id, patch, now) {
      const [row] = await db.query<WebhookRow>(
        `UPDATE webhooks SET url = coalesce($2, url), events = coalesce($3, events),
           enabled = coalesce($4::boolean, enabled),
           disabled_reason = CASE WHEN $4::boolean IS NULL THEN disabled_reason WHEN $4::boolean THEN NULL WHEN enabled THEN 'admin' ELSE disabled_reason END,
           disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at WHEN $4::boolean THEN NULL WHEN enabled THEN $5::bigint ELSE disabled_at END,
           failing_since = CASE WHEN $4::boolean THEN NULL ELSE failing_since END
         WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
        [id, patch.url ?? null, patch.events ? JSON.stringify(patch.events) : null, patch.enabled ?? null, now],
      );
      return row ? toWebhook(row) : null;
    },
    async deleteWebhook(id) {
      return (await db.execute(`DELETE FROM webhooks WHERE id = $1`, [id])) > 0;
    },
    async enqueueWebhookEvent(event) {
      const needle = eventNeedle(event.type);
      return db.execute(
        `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, body, next_attempt_at, created_at)
         SELECT id, $2, $3, $4, $5, $5 FROM webhooks WHERE enabled AND strpos(events, $1) > 0
         ON CONFLICT DO NOTHING`,
        [needle, event.id, event.type, event.body, event.createdAt],
      );
    },
    async claimWebhookDeliveries(owner, now, leaseMs, limit) {
      const rows = await db.query<ClaimRow>(
        `UPDATE webhook_deliveries d SET lease_owner = $1, lease_until = $2::bigint + $3::bigint, attempts = d.attempts + 1
         FROM webhooks w
         WHERE w.id = d.webhook_id AND (d.webhook_id, d.event_id) IN (
           SELECT q.webhook_id, q.event_id FROM webhook_deliveries q JOIN webhooks qw ON qw.id = q.webhook_id
           WHERE qw.enabled AND q.delivered_at IS NULL AND q.failed_at IS NULL AND q.next_attempt_at <= $2
             AND (q.lease_until IS NULL OR q.lease_until <= $2)
           ORDER BY q.next_attempt_at, q.created_at LIMIT $4
           FOR UPDATE OF q SKIP LOCKED)
         RETURNING d.webhook_id, d.event_id, d.event_type, d.body, d.attempts, d.created_at, w.url, w.secret`,
        [owner, now, leaseMs, limit],
      );
      return rows.map(toClaimed);
    },
    async webhookDelivered(webhookId, eventId, status, now) {
      await db.transaction(async (client) => {
        await client.query(
          `UPDATE webhook_deliveries SET delivered_at = $3, last_status = $4, last_error = NULL, lease_owner = NULL, lease_until = NULL
           WHERE webhook_id = $1 AND event_id = $2 AND delivered_at IS NULL`,
          [webhookId, eventId, now, status],
        );
        await client.query(`UPDATE webhooks SET failing_since = NULL WHERE id = $1`, [webhookId]);
      });
    },
    webhookFailed(webhookId, eventId, owner, failure, now, disableAfterMs) {
      return db.transaction(async (client) => {
        const changed = await client.query(
          `UPDATE webhook_deliveries SET last_status = $4, last_error = $5, next_attempt_at = coalesce($6::bigint, next_attempt_at),
             failed_at = CASE WHEN $6::bigint IS NULL THEN $7::bigint END, lease_owner = NULL, lease_until = NULL
           WHERE webhook_id = $1 AND event_id = $2 AND lease_owner = $3 AND delivered_at IS NULL`,
          [webhookId, eventId, owner, failure.status, failure.error.slice(0, MAX_WEBHOOK_ERROR_LENGTH), failure.retryAt, now],
        );
        if ((changed.rowCount ?? 0) === 0) return false;
        await client.query(`UPDATE webhooks SET failing_since = coalesce(failing_since, $2::bigint) WHERE id = $1`, [webhookId, now]);
        const disabled = await client.query(
          `UPDATE webhooks SET enabled = FALSE, disabled_reason = 'failures', disabled_at = $2::bigint
           WHERE id = $1 AND enabled AND failing_since IS NOT NULL AND failing_since <= $2::bigint - $3::bigint`,
          [webhookId, now, disableAfterMs],
        );
        return (disabled.rowCount ?? 0) > 0;
      });
    },
    async listWebhookDeliveries(webhookId, limit) {
      return (
        await db.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, event_id DESC LIMIT $2`, [webhookId, limit])
      ).map(toDelivery);
    },
    async countPendingWebhookDeliveries() {
      const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE delivered_at IS NULL AND failed_at IS NULL`);
      return n;
    },
  };
}
