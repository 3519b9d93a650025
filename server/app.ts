// Assembles one Parley node from its parts: the store and, in cluster mode, the
// Cluster are passed in, so tests and main.ts choose them. Starts nothing (no
// timer, no heartbeat) until listen().

import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { createAccounts, type Accounts, type LoginLimits } from './core/accounts.ts';
import { createReports } from './core/reports.ts';
import { createSearch } from './core/search.ts';
import { createTags } from './core/tags.ts';
import { searchRouter } from './http/api-search.ts';
import { createPasswordHasher, type HasherLimits } from './core/password-hasher.ts';
import { type Clock, systemClock } from './clock.ts';
import { createConversationService, type ConversationService } from './core/conversations.ts';
import { createNoteService } from './core/notes.ts';
import { type DomainEvents, type Person, withSubscribers } from './core/events.ts';
import { createRouter, type Router } from './core/routing.ts';
import { createTeamSettings } from './core/team-settings.ts';
import { createHoursStatus } from './core/business-hours.ts';
import { createHoursWatch } from './realtime/hours-watch.ts';
import { settingsRouter } from './http/api-settings.ts';
import { createVisitorService } from './core/visitors.ts';
import { createDesk } from './core/desk.ts';
import { onlineSnapshot } from './core/dashboard.ts';
import type { Cluster, ClusterHooks } from './cluster/cluster.ts';
import { createPresence } from './core/presence.ts';
import { createMemoryPresenceRegistry, personKey, type PresenceRegistry } from './core/presence-registry.ts';
import { createQueuePositions } from './core/queue-positions.ts';
import { agentsRouter } from './http/api-agents.ts';
import { reportsRouter } from './http/api-reports.ts';
import { authRouter } from './http/api-auth.ts';
import { attachmentsRouter } from './http/api-attachments.ts';
import { createAttachmentService } from './core/attachments.ts';
import { healthRouter } from './http/health.ts';
import { createHttpApp } from './http/http-app.ts';
import { pagesRouter } from './http/pages.ts';
import { createSessionMiddleware } from './http/session.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { registerAdminNamespace } from './realtime/admin-namespace.ts';
import { registerAgentNamespace } from './realtime/agent-namespace.ts';
import { createFanout } from './realtime/fanout.ts';
import { createAccountWatch } from './realtime/account-sessions.ts';
import { createTeam } from './core/team.ts';
import { createIo, disconnectSession, watchSessions } from './realtime/io.ts';
import { createSchemas } from './edge/schemas.ts';
import type { Namespaces } from './realtime/types.ts';
import { registerVisitorNamespace } from './realtime/visitor-namespace.ts';
import { createIdentityRules } from './core/identity.ts';
import type { ConnectionStates } from './realtime/context.ts';
import { type DrainOutcome, drainConnections } from './realtime/drain.ts';
import type { Store } from './store/store.ts';
import { createAddressGauge, createAddressRate } from './edge/address-limits.ts';
import { createSendAdmission } from './realtime/send-admission.ts';
import { createCannedReplies } from './core/canned-replies.ts';
import { createCsatService } from './core/csat.ts';
import { createVisitorDetails } from './core/visitor-details.ts';
import { createAgentToolsSchemas } from './edge/agent-tools-schemas.ts';
import { csatFanout } from './realtime/agent-tools.ts';
import { agentToolsRouter } from './http/api-agent-tools.ts';
import { Counter } from 'prom-client';
import { createEmailService, type EmailService, type EmailTiming } from './core/email.ts';
import { createSmtpMailer } from './mail/smtp.ts';
import { loadCatalogs } from './http/languages.ts';
import { emailReturnRouter } from './http/email-return.ts';
import { createApiTokens } from './core/api-tokens.ts';
import { createIntegrations } from './core/integrations.ts';
import { createBearerFailures } from './edge/bearer-failures.ts';
import { apiTokensRouter } from './http/api-tokens.ts';
import { apiV1Router } from './http/api-v1.ts';
import { createWebhookService, type WebhookTiming } from './core/webhooks.ts';
import { webhooksRouter } from './http/api-webhooks.ts';
import { postWebhook } from './webhook/post.ts';

export interface AppDeps {
  config: Config;
  /** The resolved session secret (config.sessionSecret, or development's generated one). */
  sessionSecret: string;
  logger: Logger;
  store: Store;
  /** Cluster mode (Redis): its adapter, presence registry, heartbeats and readiness; one node alone otherwise. */
  cluster?: Cluster;
  /** One node alone: the presence registry (in memory unless given). */
  registry?: PresenceRegistry;
  clock?: Clock;
  loginLimits?: LoginLimits;
  /** How many password hashes run at once, and wait (default: one at a time, 64 waiting). */
  passwordHashing?: HasherLimits;
  /** How often sockets are checked against their session (default 60 s). */
  sessionWatchMs?: number;
  /** How often the node looks for account changes made elsewhere, e.g. by the CLI (default 1 s). */
  accountWatchMs?: number;
  /** How often routing looks for work it missed and for offline agents' conversations (default 5 s). */
  routingSweepMs?: number;
  /** Email worker timings (poll, lease, retry backoff, link lifetime); defaults in core/email.ts. */
  emailTiming?: EmailTiming;
  /** Webhook worker timings (poll, give-up and disabling times); defaults in core/webhooks.ts. */
  webhookTiming?: WebhookTiming;
}

export interface App {
  httpServer: HttpServer;
  ns: Namespaces;
  accounts: Accounts;
  conversations: ConversationService;
  /** Starts listening, and the timers: session watch, housekeeping, the cluster's heartbeats. */
  listen(port: number, host: string): Promise<AddressInfo>;
  /**
   * Takes the node out of service (SIGTERM): from this call on /readyz answers 503 and new handshakes
   * are refused; every connection is closed (at the transport: its client reconnects by itself) once
   * the handlers running on it have sent their acks; after `ms` what is left is cut. Call close() next.
   */
  drain(ms: number): Promise<DrainOutcome>;
  /** Closes sockets and HTTP (requests still running get `graceMs`); the store and registry belong to the caller. */
  close(graceMs?: number): Promise<void>;
}

export function createApp(deps: AppDeps): App {
  const { config, logger, store } = deps;
  const clock = deps.clock ?? systemClock;
  const { cluster } = deps;
  const registry = cluster?.registry ?? deps.registry ?? createMemoryPresenceRegistry();
  const schemas = createSchemas(config.maxMessageLength);
  const trustProxy = config.trustProxy !== false;

  // Socket.IO takes over the server's existing 'request' listeners and routes only non-engine
  // paths to them, so the HTTP handler must be registered before it attaches (and bound later).
  let handleHttp: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const httpServer = createServer((req, res) => handleHttp(req, res));
  const session = createSessionMiddleware({ store, logger, clock, secret: deps.sessionSecret, trustProxy });
  let draining = false;
  const isDraining = () => draining;
  const ns = createIo(httpServer, { config, session, sessionSecret: deps.sessionSecret, logger, draining: isDraining });
  // Every connection's state, whatever its namespace: what a drain waits for.
  const states: ConnectionStates = new WeakMap();
  cluster?.installAdapter(ns.io);
  const metrics = createMetrics(ns);

  const emailEnabled = config.smtpUrl !== null;
  // The desk builds the availability (made below: it hears the fanout's events).
  const fanout = createFanout({ ns, store, registry, logger, clock, clustered: cluster !== undefined, availability: () => desk.availability() });
  // Email (SMTP_URL set): the follow-up rule, transcripts and the outbox worker (core/email.ts).
  const catalogs = loadCatalogs();
  let listeningOn = `http://${config.host}:${config.port}`;
  let email: EmailService | null = null;
  if (config.smtpUrl !== null) {
    const emails = new Counter({ name: 'parley_emails_total', help: 'Emails by kind and outcome (enqueued, sent, retry, failed)', labelNames: ['kind', 'outcome'], registers: [metrics.registry] });
    const publicUrl = () => config.publicUrl ?? listeningOn;
    email = createEmailService({
      store,
      registry,
      clock,
      logger,
      mailer: createSmtpMailer(config.smtpUrl, config.mailFrom, config.publicUrl ? new URL(config.publicUrl).hostname : 'parley.localhost'),
      texts: (locale) => catalogs.messages(locale, ['email']),
      secret: deps.sessionSecret,
      publicUrl,
      // The team setting (its default EMAIL_FOLLOWUP_DELAY_MS); read on every pass, so a change applies at once.
      delayMs: () => settings.current().emailFollowUpDelayMs,
      pollFor: config.emailFollowUpDelayMs,
      timing: deps.emailTiming,
      counted: (outcome, kind) => emails.inc({ kind, outcome }),
    });
  }
  const emailTriggers: Partial<DomainEvents> = email ? { messageCreated: (m, c) => email.messageCreated(m, c) } : {};
  // Routing hears what frees or adds capacity; it is made below (it raises events itself).
  let router: Router | null = null;
  const kick = () => router?.kick();
  const routingTriggers: Partial<DomainEvents> = {
    conversationOpened: kick,
    conversationClosed: kick,
    conversationReleased: kick,
    conversationTransferred: kick,
    agentStatusChanged: kick,
  };
  // Webhooks (docs/api.md): the domain events become deliveries in the database's outbox.
  const webhookCount = new Counter({ name: 'parley_webhook_deliveries_total', help: 'Webhook deliveries by outcome (enqueued, delivered, retry, failed, disabled)', labelNames: ['outcome'], registers: [metrics.registry] });
  const webhooks = createWebhookService({
    store,
    clock,
    logger,
    retryBaseMs: config.webhookRetryBaseMs,
    timeoutMs: config.webhookTimeoutMs,
    post: (request) => postWebhook(request, { timeoutMs: config.webhookTimeoutMs, allowPrivate: config.webhookAllowPrivate }),
    timing: deps.webhookTiming,
    counted: (outcome) => webhookCount.inc({ outcome }),
    // Every other node reads the webhooks again before a change is answered (3 s at most, the adapter's
    // request limit: a node that does not answer reads them within 5 s anyway, core/webhooks.ts).
    changed: async () => {
      if (cluster) await ns.agent.serverSideEmitWithAck('parley:webhooks').catch(() => logger.warn({ event: 'webhook.notice_unanswered' }, 'a node did not confirm a webhook change'));
    },
  });
  if (cluster) ns.agent.on('parley:webhooks', (done) => void webhooks.refresh().catch(() => {}).finally(done));
  const events = withSubscribers(fanout, metrics.events, routingTriggers, emailTriggers, webhooks.events);
  const queue = createQueuePositions({ store, events, logger });
  const settings = createTeamSettings({
    store,
    defaults: { routingMode: config.routing, defaultCapacity: config.defaultAgentCapacity, offlineRequeueMs: config.offlineRequeueMs, awayAfterMs: config.awayAfterMs, businessHours: null, emailFollowUpDelayMs: config.emailFollowUpDelayMs },
    now: () => clock.now(),
    logger,
    onChange: (values, previous) => {
      logger.info({ event: 'settings.changed', routingMode: values.routingMode, defaultCapacity: values.defaultCapacity, offlineRequeueMs: values.offlineRequeueMs }, 'team settings changed');
      if (values.routingMode !== previous.routingMode || values.defaultCapacity > previous.defaultCapacity) kick();
      // Every node tells its own consoles (each node reloads the settings when one changes them).
      if (values.awayAfterMs !== previous.awayAfterMs) ns.agent.local.emit('settings', consoleSettings(values));
      // And its own widgets, when the business hours changed.
      if (JSON.stringify(values.businessHours) !== JSON.stringify(previous.businessHours)) {
        hoursWatch.reschedule();
        fanout.hoursChanged();
      }
    },
  });
  const hours = createHoursStatus({ schedule: () => settings.current().businessHours, now: () => clock.now() });
  const hoursWatch = createHoursWatch({ hours: () => hours.status(), now: () => clock.now(), onBoundary: () => fanout.hoursChanged() });
  router = createRouter({ store, registry, settings, events, queue, clock, logger, sweepMs: deps.routingSweepMs });
  if (cluster) {
    ns.agent.on('parley:settings', () => {
      settings.reload().catch((err: unknown) => logger.warn({ event: 'settings.reload_failed', err }, 'settings reload failed'));
    });
  }
  const consoleSettings = (values: { awayAfterMs: number }) => ({ awayAfterMs: values.awayAfterMs });
  const settingsChanged = () => {
    if (cluster) ns.agent.serverSideEmit('parley:settings');
  };
  const conversations = createConversationService({ store, events, queue, clock });
  const attachments = createAttachmentService({ store, clock, requireViewable: conversations.requireViewable });
  const identity = createIdentityRules({ secret: config.identitySecret, required: config.identityRequired });
  const visitors = createVisitorService({ store, registry, conversations, queue, events, identity });
  const desk = createDesk({ registry, store, events, emailEnabled, hours: () => hours.status() });
  const accounts = createAccounts({ store, clock, limits: deps.loginLimits, hasher: createPasswordHasher(deps.passwordHashing) });
  const accountWatch = createAccountWatch({ ns, store, conversations, logger, now: () => clock.now(), clustered: cluster !== undefined, everyMs: deps.accountWatchMs });
  const team = createTeam({ store, accounts, sessions: accountWatch, conversations, routing: router });
  const presence = createPresence({
    registry,
    graceMs: config.presenceGraceMs,
    logger,
    onOnline: async (p) => {
      await fanout.personOnline(p);
      if (p.kind === 'agent') router?.agentOnline(p.id);
      else email?.visitorSeen(p.id);
    },
    onOffline: async (p) => {
      await fanout.personOffline(p);
      if (p.kind === 'agent') router?.agentOffline(p.id);
      else email?.visitorSeen(p.id);
    },
  });

  // Backpressure: while the cluster's publishes pile up, new messages are refused with `unavailable`.
  const overloaded = cluster ? () => cluster.overloaded() : () => false;
  const now = () => clock.now();
  // Backpressure from the store: sends waiting for their commit are bounded (SEND_QUEUE_MAX, SEND_QUEUE_MAX_AGE_MS).
  const admission = createSendAdmission({ maxWaiting: config.sendQueueMax, maxAgeMs: config.sendQueueMaxAgeMs, now: () => performance.now() });
  const { messageRateLimit } = config;
  // Canned replies, CSAT and visitor details (issue #17, docs/protocol.md).
  const tools = {
    csat: createCsatService({ store, clock, onRated: withCsatWebhook(csatFanout(ns), (rated) => webhooks.csatCreated(rated)) }),
    details: createVisitorDetails({ store, conversations, now }),
    schemas: createAgentToolsSchemas(config.maxMessageLength),
  };
  const cannedReplies = createCannedReplies({ store });
  const services = { sessions: store, conversations, visitors, desk, presence, queue, schemas, logger, now, messageRateLimit, states };
  registerVisitorNamespace({ nsp: ns.visitor, ...services, overloaded, admission, tools, email, identityRequired: config.identityRequired });
  const notes = createNoteService({ store, events, conversations, clock });
  const tags = createTags({ store, conversations, clock, changed: (id, list) => events.tagsChanged(id, list) });
  registerAgentNamespace({ nsp: ns.agent, ...services, overloaded, admission, trustProxy, notes, tags, tools, consoleSettings: () => consoleSettings(settings.current()) });
  registerAdminNamespace({ nsp: ns.admin, sessions: store, logger, now, trustProxy, messageRateLimit, states, onlineSnapshot: () => onlineSnapshot(store, registry, clock) });

  // API tokens and the REST API (docs/api.md). No cache of tokens: a revoke holds on every node at once.
  const apiTokens = createApiTokens({
    store,
    now,
    onTouchFailed: (err) => logger.warn({ event: 'api_token.touch_failed', err }, 'could not record an API token use'),
  });
  const integrations = createIntegrations({ store, conversations });
  const bearerFailures = createBearerFailures(config.apiTokenFailureLimit, 10 * 60_000, now);

  const http = createHttpApp({
    logger,
    trustProxy: config.trustProxy,
    session,
    anonymousRate: createAddressRate(config.httpRateLimit, 10_000, () => clock.now()),
    routers: [
      healthRouter({ store, checks: cluster?.readinessChecks ?? [], metrics: metrics.registry, logger, draining: isDraining }),
      authRouter({
        store,
        accounts,
        schemas,
        logger,
        allowedOrigins: config.allowedOrigins,
        trustProxy,
        disconnectSession: (sid, visitorId) => disconnectSession(ns, sid, visitorId),
        secret: deps.sessionSecret,
        visitors,
        newVisitors: createAddressRate(config.newVisitorRateLimit, 10 * 60_000, () => clock.now()),
        team,
      }),
      agentsRouter({ store, accounts, conversations, queue, desk, team, schemas, logger, trustProxy }),
      reportsRouter({ store, reports: createReports({ store, clock }), logger, trustProxy }),
      agentToolsRouter({ store, canned: cannedReplies, csat: tools.csat, schemas: tools.schemas, logger, trustProxy }),
      searchRouter({ store, search: createSearch({ store }), trustProxy }),
      settingsRouter({ store, settings, logger, trustProxy, changed: settingsChanged, email: { enabled: emailEnabled, from: config.mailFrom } }),
      apiTokensRouter({ store, tokens: apiTokens, logger, trustProxy }),
      webhooksRouter({ store, webhooks, logger, trustProxy, allowPrivate: config.webhookAllowPrivate }),
      apiV1Router({ store, tokens: apiTokens, failures: bearerFailures, integrations, queue, desk, maxMessageLength: config.maxMessageLength, logger }),
      attachmentsRouter({
        store,
        attachments,
        schemas,
        logger,
        allowedOrigins: config.allowedOrigins,
        trustProxy,
        maxUploadBytes: config.maxUploadBytes,
        uploadRate: createAddressRate(config.uploadRateLimit, 10 * 60_000, () => clock.now()),
        // Visitors' uploads at once per address: each holds up to MAX_UPLOAD_BYTES in memory until stored.
        uploadsInFlight: createAddressGauge(4),
      }),
      emailReturnRouter({ store, logger, secret: deps.sessionSecret, catalogs, now }),
      pagesRouter({ store, allowedOrigins: config.allowedOrigins, maxMessageLength: config.maxMessageLength, maxUploadBytes: config.maxUploadBytes, widgetLanguage: config.widgetLanguage }),
    ],
  });
  handleHttp = http;

  let stopWatch = () => {};
  let housekeeping: NodeJS.Timeout | undefined;
  function startTimers() {
    stopWatch = watchSessions(ns, store, logger, clock, deps.sessionWatchMs);
    accountWatch.start();
    housekeeping = setInterval(() => {
      const now = clock.now();
      Promise.all([store.sessionPrune(now), store.loginFailurePrune(now - 24 * 60 * 60_000), attachments.prune()]).catch((err: unknown) =>
        logger.warn({ event: 'housekeeping.failed', err }, 'housekeeping failed'),
      );
    }, 60 * 60_000);
    housekeeping.unref();
    cluster?.attach(clusterHooks);
    router?.start();
    hoursWatch.start();
    email?.start();
    webhooks.start();
  }

  async function personOf(key: string): Promise<Person | null> {
    const [kind, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind === 'agent') {
      const a = await store.getAgent(id);
      return a && { kind, id, name: a.name };
    }
    const v = kind === 'visitor' ? await store.getVisitor(id) : null;
    return v && { kind: 'visitor', id, name: v.name };
  }

  const clusterHooks: ClusterHooks = {
    async settle(key) {
      const person = await personOf(key);
      if (person) await presence.settle(person);
    },
    async online(key) {
      const person = await personOf(key);
      if (person) await fanout.personOnline(person);
    },
    resync(reason, scope = 'local') {
      logger.info({ event: 'resync', reason, scope }, `asking ${scope === 'local' ? 'local' : 'all'} clients to resync`);
      const visitors = scope === 'local' ? ns.visitor.local : ns.visitor;
      const agents = scope === 'local' ? ns.agent.local : ns.agent;
      visitors.emit('resync', { reason });
      agents.emit('resync', { reason });
      queue
        .list()
        .then((conversations) => agents.emit('queue', { conversations }))
        .catch((err: unknown) => logger.warn({ event: 'resync.queue_failed', err }, 'queue resync failed'));
    },
    localConnections() {
      const out: Array<{ key: string; connectionId: string }> = [];
      for (const s of ns.visitor.sockets.values()) out.push({ key: personKey('visitor', s.data.visitor.id), connectionId: s.id });
      for (const s of ns.agent.sockets.values()) out.push({ key: personKey('agent', s.data.agent.id), connectionId: s.id });
      return out;
    },
  };

  return {
    httpServer,
    ns,
    accounts,
    conversations,
    async listen(port, host) {
      await settings.reload();
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const bound = httpServer.address() as AddressInfo;
          listeningOn = `http://${host.includes(':') ? `[${host}]` : host}:${bound.port}`;
          startTimers();
          resolve(httpServer.address() as AddressInfo);
        });
      });
    },
    drain(ms) {
      draining = true;
      return drainConnections(ns, states, ms);
    },
    async close(graceMs = 2000) {
      draining = true;
      stopWatch();
      accountWatch.close();
      clearInterval(housekeeping);
      // io.close() closes every client and then the HTTP server; idle keep-alive connections would hold that open.
      const closed = new Promise<void>((resolve) => ns.io.close(() => resolve()));
      httpServer.closeIdleConnections();
      presence.close();
      router?.close();
      hoursWatch.close();
      const emailClosed = email?.close();
      webhooks.close();
      queue.close();
      fanout.close();
      const force = setTimeout(() => httpServer.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(force);
      await emailClosed;
    },
  };
}

/** The agents hear a rating first, then webhooks get it. */
function withCsatWebhook<E>(fanout: (event: E) => void, webhook: (event: E) => void): (event: E) => void {
  return (event) => {
    fanout(event);
    webhook(event);
  };
}
