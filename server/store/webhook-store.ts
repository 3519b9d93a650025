// The storage contract of webhooks (docs/api.md, "Webhooks"): the endpoints and the durable
// delivery outbox, leased like the email outbox (email-store.ts). Part of Store (store.ts),
// implemented by each engine in its webhooks.ts. A throw means the database failed.

export interface WebhookRecord {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  disabledReason: 'failures' | 'admin' | null;
  disabledAt: number | null;
  failingSince: number | null;
  createdAt: number;
}

export interface WebhookPatch {
  url?: string;
  events?: readonly string[];
  /** true clears the disabled state and the failure streak; false records an admin's disabling. */
  enabled?: boolean;
}

/** A leased delivery with what sending it needs. */
export interface ClaimedDelivery {
  webhookId: string;
  eventId: string;
  type: string;
  url: string;
  secret: string;
  body: string;
  /** Including this one. */
  attempts: number;
  createdAt: number;
}

export interface WebhookDeliveryRecord {
  webhookId: string;
  eventId: string;
  type: string;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  failedAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
}

export interface WebhookEventRow {
  id: string;
  type: string;
  /** The JSON body every subscribed webhook receives. */
  body: string;
  createdAt: number;
}

export interface WebhookFailure {
  status: number | null;
  error: string;
  /** Tried again then; null: given up. */
  retryAt: number | null;
}

export interface WebhookStore {
  createWebhook(input: { url: string; events: readonly string[]; secret: string; createdAt: number }): Promise<WebhookRecord>;
  /** Oldest first. */
  listWebhooks(): Promise<WebhookRecord[]>;
  getWebhook(id: string): Promise<WebhookRecord | null>;
  updateWebhook(id: string, patch: WebhookPatch, now: number): Promise<WebhookRecord | null>;
  /** Deletes it and its deliveries; false if there was none. */
  deleteWebhook(id: string): Promise<boolean>;
  /** One delivery per enabled webhook that wants `event.type` (once per event id); how many were stored. */
  enqueueWebhookEvent(event: WebhookEventRow): Promise<number>;
  /**
   * Leases up to `limit` due deliveries of enabled webhooks (not delivered, not given up, next
   * attempt ≤ now, no live lease) to `owner` until now + leaseMs and counts an attempt on each,
   * atomically across nodes: a row is leased to one owner at a time.
   */
  claimWebhookDeliveries(owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedDelivery[]>;
  /** The receiver answered 2xx: delivered, never tried again; the webhook's failure streak ends. */
  webhookDelivered(webhookId: string, eventId: string, status: number, now: number): Promise<void>;
  /**
   * This attempt failed (only while `owner` holds the lease): tried again at retryAt or given up;
   * the webhook's failure streak starts (if it had none). A streak of `disableAfterMs` or more
   * disables the webhook: true when this call did.
   */
  webhookFailed(webhookId: string, eventId: string, owner: string, failure: WebhookFailure, now: number, disableAfterMs: number): Promise<boolean>;
  /** The newest `limit` deliveries of one webhook, newest first. */
  listWebhookDeliveries(webhookId: string, limit: number): Promise<WebhookDeliveryRecord[]>;
  /** Deliveries neither delivered nor given up. */
  countPendingWebhookDeliveries(): Promise<number>;
}

export interface WebhookRow {
  id: string;
  url: string;
  events: string;
  enabled: number | boolean;
  disabled_reason: string | null;
  disabled_at: number | string | null;
  failing_since: number | string | null;
  created_at: number | string;
}

export const WEBHOOK_COLUMNS = 'id, url, events, enabled, disabled_reason, disabled_at, failing_since, created_at';

export interface DeliveryRow {
  webhook_id: string;
  event_id: string;
  event_type: string;
  attempts: number | string;
  next_attempt_at: number | string;
  delivered_at: number | string | null;
  failed_at: number | string | null;
  last_status: number | string | null;
  last_error: string | null;
  created_at: number | string;
}

export const DELIVERY_COLUMNS = 'webhook_id, event_id, event_type, attempts, next_attempt_at, delivered_at, failed_at, last_status, last_error, created_at';

export interface ClaimRow {
  webhook_id: string;
  event_id: string;
  event_type: string;
  body: string;
  attempts: number | string;
  created_at: number | string;
  url: string;
  secret: string;
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function toWebhook(r: WebhookRow): WebhookRecord {
  return {
    id: r.id,
    url: r.url,
    events: JSON.parse(r.events) as string[],
    enabled: Boolean(r.enabled),
    disabledReason: r.disabled_reason === 'failures' || r.disabled_reason === 'admin' ? r.disabled_reason : null,
    disabledAt: num(r.disabled_at),
    failingSince: num(r.failing_since),
    createdAt: Number(r.created_at),
  };
}

export function toDelivery(r: DeliveryRow): WebhookDeliveryRecord {
  return {
    webhookId: r.webhook_id,
    eventId: r.event_id,
    type: r.event_type,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    deliveredAt: num(r.delivered_at),
    failedAt: num(r.failed_at),
    lastStatus: num(r.last_status),
    lastError: r.last_error,
    createdAt: Number(r.created_at),
  };
}

export function toClaimed(r: ClaimRow): ClaimedDelivery {
  return { webhookId: r.webhook_id, eventId: r.event_id, type: r.event_type, url: r.url, secret: r.secret, body: r.body, attempts: Number(r.attempts), createdAt: Number(r.created_at) };
}

/** How a webhook's events column is searched for one type: the JSON string, quotes included. */
export const eventNeedle = (type: string) => JSON.stringify(type);

/** last_error is kept short. */
export const MAX_WEBHOOK_ERROR_LENGTH = 300;
