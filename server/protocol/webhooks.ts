// Webhook events and shapes (docs/api.md, "Webhooks"). Imports nothing: the dashboard
// (client/admin) imports it too.

/** A closed set: a webhook is created with a non-empty subset. */
export const WEBHOOK_EVENTS = [
  'conversation.created',
  'conversation.claimed',
  'conversation.assigned',
  'conversation.closed',
  'message.created',
  'csat.created',
  'agent.status',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** At most this many webhooks exist at once. */
export const WEBHOOKS_MAX = 20;
export const WEBHOOK_URL_MAX = 2000;
/** Every signing secret starts with this. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A webhook as `GET /api/webhooks` lists it: never its secret. */
export interface Webhook {
  id: string;
  url: string;
  events: WebhookEvent[];
  enabled: boolean;
  /** Why it is off: `failures` (a day of failed deliveries) or `admin`; null while enabled. */
  disabledReason: 'failures' | 'admin' | null;
  /** ISO-8601, or null. */
  disabledAt: string | null;
  /** ISO-8601: deliveries have failed since then (null: the last one succeeded). */
  failingSince: string | null;
  createdAt: string;
}

/** `POST /api/webhooks`'s answer: the only time the secret is shown. */
export interface CreatedWebhook extends Webhook {
  secret: string;
}

/** One line of a webhook's delivery log (`GET /api/webhooks/:id/deliveries`). */
export interface WebhookDelivery {
  eventId: string;
  type: WebhookEvent;
  attempts: number;
  /** The receiver's last HTTP status (null: no answer, e.g. refused or timed out). */
  lastStatus: number | null;
  lastError: string | null;
  /** ISO-8601; null once delivered or given up. */
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  /** Given up (24 h of failures). */
  failedAt: string | null;
  createdAt: string;
}
