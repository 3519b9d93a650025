// Webhooks (docs/api.md, "Webhooks"): what an admin registers, the domain events turned into
// deliveries in the database's outbox, and the worker that sends what the outbox holds. Every node
// runs one; the database decides who sends what (leased claims), so in a cluster each attempt
// leaves from one node, and a restart or a dead node loses nothing (its lease runs out).
// Knows no sockets: it hears the domain events (events.ts). The request itself: webhook/post.ts.

import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import { type CreatedWebhook, type Webhook, type WebhookDelivery, type WebhookEvent, WEBHOOK_SECRET_PREFIX, WEBHOOKS_MAX } from '../protocol/webhooks.ts';
import type { ClaimedDelivery, Store, WebhookDeliveryRecord, WebhookRecord } from '../store/store.ts';
import type { CsatRated } from './csat.ts';
import type { DomainEvents } from './events.ts';
import { toConversation, toMessage } from './mappers.ts';

/** One request to send (webhook/post.ts sends it). */
export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** The receiver's answer (any status: the caller decides), or why there was none. */
export type PostOutcome = { kind: 'answered'; status: number; body: string } | { kind: 'failed'; error: string };

export interface WebhookTiming {
  /** How often the worker looks for due deliveries (default: a quarter of the retry base, 50 ms to 1 s). */
  pollMs?: number;
  /** Retries stop this long after the event (default 24 h): the delivery is given up. */
  giveUpAfterMs?: number;
  /** A webhook whose deliveries failed this long without a success is disabled (default 24 h). */
  disableAfterMs?: number;
  /** How often the node reads again which events are wanted, whatever it heard (default 5 s). */
  wantedRefreshMs?: number;
}

export interface WebhookDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** WEBHOOK_RETRY_BASE_MS: the first retry's delay, doubled for each next one. */
  retryBaseMs: number;
  /** A request's time limit; a claim's lease is twice it plus a second. */
  timeoutMs: number;
  /** Sends one request (webhook/post.ts, with WEBHOOK_ALLOW_PRIVATE applied). */
  post(request: WebhookRequest): Promise<PostOutcome>;
  timing?: WebhookTiming;
  /** Deliveries by outcome (metrics). */
  counted?: (outcome: 'delivered' | 'retry' | 'failed' | 'enqueued' | 'disabled') => void;
  /**
   * The webhooks changed on this node: resolves once every other node of a cluster has read them
   * again (app.ts asks them; none on one node), so that the change applies to every event after it.
   */
  changed?: () => Promise<void>;
}

export interface WebhookService {
  /** The domain events webhooks hear (subscribed in app.ts). */
  events: Partial<DomainEvents>;
  /** A visitor rated a closed conversation. */
  csatCreated(event: CsatRated): void;
  create(input: { url: string; events: WebhookEvent[] }): Promise<CreatedWebhook>;
  list(): Promise<Webhook[]>;
  update(id: string, patch: { url?: string; events?: WebhookEvent[]; enabled?: boolean }): Promise<Webhook>;
  remove(id: string): Promise<void>;
  deliveries(id: string, limit: number): Promise<WebhookDelivery[]>;
  start(): void;
  close(): void;
  /** One pass of the worker: every due delivery it can lease; the timer calls it. */
  tick(): Promise<void>;
  /** Reads again which event types some enabled webhook wants (another node changed its webhooks). */
  refresh(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60_000;
/**
 * A claim takes this many deliveries and sends them all at once: each ends within the time limit,
 * so the whole claim ends within its lease (twice the limit plus a second), and no other node
 * takes a delivery that is still being sent.
 */
const SEND_BATCH = 4;
/**
 * How often each node reads again which event types are wanted, whatever it heard: what bounds a
 * node's wrong idea of them should it miss another node's notice (Redis down at that moment).
 */
const WANTED_REFRESH_MS = 5000;

/** The signature header's value for a body sent at `unixSeconds` (docs/api.md, "Verifying a delivery"). */
export function signWebhook(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

const previousAgent = (previous: { agentId: string | null; agentName: string | null }) =>
  previous.agentId === null ? null : { id: previous.agentId, name: previous.agentName ?? '' };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toWebhookShape(w: WebhookRecord): Webhook {
  return {
    id: w.id,
    url: w.url,
    events: w.events as WebhookEvent[],
    enabled: w.enabled,
    disabledReason: w.disabledReason,
    disabledAt: iso(w.disabledAt),
    failingSince: iso(w.failingSince),
    createdAt: iso(w.createdAt)!,
  };
}

function toDeliveryShape(d: WebhookDeliveryRecord): WebhookDelivery {
  const open = d.deliveredAt === null && d.failedAt === null;
  return {
    eventId: d.eventId,
    type: d.type as WebhookEvent,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    nextAttemptAt: open ? iso(d.nextAttemptAt) : null,
    deliveredAt: iso(d.deliveredAt),
    failedAt: iso(d.failedAt),
    createdAt: iso(d.createdAt)!,
  };
}

export function createWebhookService(deps: WebhookDeps): WebhookService {
  const { store, clock, logger } = deps;
  const t = deps.timing ?? {};
  const pollMs = t.pollMs ?? Math.min(1000, Math.max(50, Math.floor(deps.retryBaseMs / 4)));
  const giveUpAfterMs = t.giveUpAfterMs ?? DAY_MS;
  const disableAfterMs = t.disableAfterMs ?? DAY_MS;
  const wantedRefreshMs = t.wantedRefreshMs ?? WANTED_REFRESH_MS;
  const leaseMs = deps.timeoutMs * 2 + 1000;
  const owner = randomUUID();
  const counted = deps.counted ?? (() => {});
  const warn = (event: string) => (err: unknown) => logger.warn({ event, err }, event);

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  /**
   * The event types some enabled webhook wants, as this node last read them (null: not known, so
   * every event goes to the store, which checks). With no webhook for a type, the usual case, an
   * event costs nothing: no body, no statement. A wrong "wanted" costs one statement that stores
   * nothing; a wrong "not wanted" would lose events, so every change is read again at once on the
   * node that made it, and on every other node before the change's answer (see `changed`).
   */
  let wanted: ReadonlySet<string> | null = null;
  /** Bumped by every read: only the latest read's answer is kept. */
  let reads = 0;
  let refreshTimer: NodeJS.Timeout | undefined;

  async function refresh(): Promise<void> {
    const read = ++reads;
    try {
      const hooks = await store.listWebhooks();
      if (read === reads) wanted = new Set(hooks.filter((w) => w.enabled).flatMap((w) => w.events));
    } catch (err) {
      if (read === reads) wanted = null;
      throw err;
    }
  }

  /** After a change made here: this node's view, then every other node's. */
  async function afterChange(): Promise<void> {
    await refresh().catch(warn('webhook.refresh_failed'));
    await deps.changed?.();
  }

  /** Stores one event for every webhook that wants it, then wakes the worker. `data` is built only then. */
  function emit(type: WebhookEvent, data: () => unknown): void {
    if (wanted !== null && !wanted.has(type)) return;
    const createdAt = clock.now();
    const id = `evt_${randomUUID().replaceAll('-', '')}`;
    const body = JSON.stringify({ id, type, createdAt: new Date(createdAt).toISOString(), data: data() });
    store
      .enqueueWebhookEvent({ id, type, body, createdAt })
      .then((stored) => {
        if (stored === 0) return;
        for (let i = 0; i < stored; i++) counted('enqueued');
        void tick();
      })
      .catch(warn('webhook.enqueue_failed'));
  }

  const events: Partial<DomainEvents> = {
    conversationOpened: (c) => emit('conversation.created', () => ({ conversation: toConversation(c) })),
    conversationClaimed: (c) => emit('conversation.claimed', () => ({ conversation: toConversation(c) })),
    conversationAssigned: (c, previous) => emit('conversation.assigned', () => ({ conversation: toConversation(c), by: 'routing', previousAgent: previousAgent(previous) })),
    conversationTransferred: (c, previous) => emit('conversation.assigned', () => ({ conversation: toConversation(c), by: 'transfer', previousAgent: previousAgent(previous) })),
    conversationClosed: (c) => emit('conversation.closed', () => ({ conversation: toConversation(c) })),
    messageCreated: (m, c) => emit('message.created', () => ({ author: m.authorKind, message: toMessage(m), conversation: toConversation(c) })),
    agentStatusChanged: (change) => {
      if (change) emit('agent.status', () => ({ agent: change.agent, status: change.status }));
    },
  };

  async function deliver(d: ClaimedDelivery): Promise<void> {
    const fields = { webhookId: d.webhookId, eventId: d.eventId, type: d.type, attempt: d.attempts };
    const sentAt = clock.now();
    const outcome = await deps.post({
      url: d.url,
      body: d.body,
      headers: {
        'x-parley-signature': signWebhook(d.secret, Math.floor(sentAt / 1000), d.body),
        'x-parley-event': d.type,
        'x-parley-delivery': d.eventId,
      },
    });
    const now = clock.now();
    if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300) {
      await store.webhookDelivered(d.webhookId, d.eventId, outcome.status, now);
      counted('delivered');
      logger.info({ event: 'webhook.delivered', ...fields, status: outcome.status }, 'webhook delivered');
      return;
    }
    const status = outcome.kind === 'answered' ? outcome.status : null;
    const error =
      outcome.kind === 'failed'
        ? outcome.error
        : outcome.status >= 300 && outcome.status < 400
          ? `HTTP ${outcome.status}: redirects are not followed`
          : `HTTP ${outcome.status}${outcome.body ? `: ${outcome.body.replace(/\s+/g, ' ').trim()}` : ''}`;
    // First retry after the base, then doubling; never past the give-up time (the last try is at it).
    const deadline = d.createdAt + giveUpAfterMs;
    const retryAt = now >= deadline ? null : Math.min(deadline, now + deps.retryBaseMs * 2 ** (d.attempts - 1));
    const disabled = await store.webhookFailed(d.webhookId, d.eventId, owner, { status, error, retryAt }, now, disableAfterMs);
    counted(retryAt === null ? 'failed' : 'retry');
    if (retryAt === null) logger.error({ event: 'webhook.failed', ...fields, status, error }, 'webhook delivery given up');
    else logger.warn({ event: 'webhook.retry', ...fields, status, error, retryInMs: retryAt - now }, 'webhook not delivered; will retry');
    if (disabled) {
      counted('disabled');
      void afterChange();
      logger.error({ event: 'webhook.disabled', webhookId: d.webhookId }, 'webhook disabled after a day of failed deliveries');
    }
  }

  async function sendDue(): Promise<void> {
    for (;;) {
      if (closed) return;
      const batch = await store.claimWebhookDeliveries(owner, clock.now(), leaseMs, SEND_BATCH);
      // Closing: what is leased and not sent waits for its lease to run out (another node, or this one restarted).
      if (closed) return;
      await Promise.all(batch.map((d) => deliver(d).catch(warn('webhook.deliver_failed'))));
      if (batch.length < SEND_BATCH) return;
    }
  }

  function tick(): Promise<void> {
    if (running) {
      // An event came during a pass: one more pass right after, so it does not wait for the timer.
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await sendDue().catch(warn('webhook.send_failed'));
      } while (again && !closed);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  async function existing(id: string): Promise<WebhookRecord> {
    const w = await store.getWebhook(id);
    if (!w) throw new AppError(ErrorCode.NotFound, 'no such webhook');
    return w;
  }

  return {
    events,
    // Also when the visitor changes their rating within the window (`changed`: true).
    csatCreated: ({ csat, agentId }) => emit('csat.created', () => ({ csat, agentId, changed: csat.updatedAt !== csat.createdAt })),
    async create(input) {
      if ((await store.listWebhooks()).length >= WEBHOOKS_MAX) throw new AppError(ErrorCode.Conflict, `at most ${WEBHOOKS_MAX} webhooks`);
      const secret = WEBHOOK_SECRET_PREFIX + randomBytes(24).toString('base64url');
      const w = await store.createWebhook({ url: input.url, events: [...new Set(input.events)], secret, createdAt: clock.now() });
      await afterChange();
      return { ...toWebhookShape(w), secret };
    },
    list: async () => (await store.listWebhooks()).map(toWebhookShape),
    async update(id, patch) {
      await existing(id);
      const w = await store.updateWebhook(id, { ...patch, events: patch.events ? [...new Set(patch.events)] : undefined }, clock.now());
      if (!w) throw new AppError(ErrorCode.NotFound, 'no such webhook');
      await afterChange();
      if (w.enabled && patch.enabled) void tick();
      return toWebhookShape(w);
    },
    async remove(id) {
      if (!(await store.deleteWebhook(id))) throw new AppError(ErrorCode.NotFound, 'no such webhook');
      await afterChange();
    },
    async deliveries(id, limit) {
      await existing(id);
      return (await store.listWebhookDeliveries(id, limit)).map(toDeliveryShape);
    },
    start() {
      if (timer || closed) return;
      timer = setInterval(() => void tick(), pollMs);
      timer.unref();
      void refresh().catch(warn('webhook.refresh_failed'));
      refreshTimer = setInterval(() => void refresh().catch(warn('webhook.refresh_failed')), wantedRefreshMs);
      refreshTimer.unref();
    },
    close() {
      closed = true;
      clearInterval(timer);
      clearInterval(refreshTimer);
    },
    tick,
    refresh,
  };
}
