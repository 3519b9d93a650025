// Assembles one Parley node from its parts: store, presence registry and
// adapter are passed in, so tests and main.ts choose them. Starts nothing
// until listen().

import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { createAccounts, type Accounts, type LoginLimits } from './core/accounts.ts';
import { type Clock, createConversationService, type ConversationService } from './core/conversations.ts';
import type { DomainEvents } from './core/events.ts';
import { createPresence } from './core/presence.ts';
import { createMemoryPresenceRegistry, type PresenceRegistry } from './core/presence-registry.ts';
import { createQueuePositions } from './core/queue-positions.ts';
import { agentsRouter } from './http/api-agents.ts';
import { authRouter } from './http/api-auth.ts';
import { healthRouter, type ReadinessCheck } from './http/health.ts';
import { createHttpApp } from './http/http-app.ts';
import { pagesRouter } from './http/pages.ts';
import { createSessionMiddleware } from './http/session.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { registerAdminNamespace } from './realtime/admin-namespace.ts';
import { registerAgentNamespace } from './realtime/agent-namespace.ts';
import { createFanout } from './realtime/fanout.ts';
import { createIo, disconnectSession, watchSessions } from './realtime/io.ts';
import { createSchemas } from './realtime/schemas.ts';
import type { Namespaces } from './realtime/types.ts';
import { registerVisitorNamespace } from './realtime/visitor-namespace.ts';
import type { Store } from './store/store.ts';

export interface AppDeps {
  config: Config;
  /** The resolved session secret (config.sessionSecret, or development's generated one). */
  sessionSecret: string;
  logger: Logger;
  store: Store;
  registry?: PresenceRegistry;
  /** Installs a cluster adapter on the namespaces (Redis); the in-memory adapter otherwise. */
  installAdapter?: (ns: Namespaces) => void;
  readinessChecks?: ReadinessCheck[];
  clock?: Clock;
  loginLimits?: LoginLimits;
}

export interface App {
  httpServer: HttpServer;
  ns: Namespaces;
  accounts: Accounts;
  conversations: ConversationService;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Closes sockets and HTTP; the store and registry belong to the caller. */
  close(): Promise<void>;
}

export function createApp(deps: AppDeps): App {
  const { config, logger, store } = deps;
  const clock = deps.clock ?? { now: () => Date.now() };
  const registry = deps.registry ?? createMemoryPresenceRegistry();
  const schemas = createSchemas(config.maxMessageLength);
  const trustProxy = config.trustProxy !== false;

  // Socket.IO takes over the server's existing 'request' listeners and routes only non-engine
  // paths to them, so the HTTP handler must be registered before it attaches (and bound later).
  let handleHttp: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const httpServer = createServer((req, res) => handleHttp(req, res));
  const session = createSessionMiddleware({ store, logger, secret: deps.sessionSecret, trustProxy });
  const ns = createIo(httpServer, { config, session: session as never, logger });
  deps.installAdapter?.(ns);
  const metrics = createMetrics(ns);

  const fanout = createFanout({ ns, store, registry, logger });
  const events: DomainEvents = {
    ...fanout,
    messageCreated(message, conversation, origin) {
      metrics.messages.inc({ author: message.authorKind });
      fanout.messageCreated(message, conversation, origin);
    },
  };
  const queue = createQueuePositions({ store, events, logger });
  const conversations = createConversationService({ store, events, queue, clock });
  const accounts = createAccounts({ store, clock, limits: deps.loginLimits });
  const presence = createPresence({
    registry,
    graceMs: config.presenceGraceMs,
    logger,
    onOnline: (p) => fanout.personOnline(p),
    onOffline: (p) => fanout.personOffline(p),
  });

  const ctx = { ns, config, logger, store, clock, schemas, conversations, presence, registry, queue, fanout };
  registerVisitorNamespace(ctx);
  registerAgentNamespace(ctx);
  registerAdminNamespace(ctx);

  const http = createHttpApp({
    logger,
    trustProxy: config.trustProxy,
    session,
    routers: [
      healthRouter({ store, checks: deps.readinessChecks ?? [], metrics: metrics.registry, logger }),
      authRouter({
        store,
        accounts,
        schemas,
        logger,
        allowedOrigins: config.allowedOrigins,
        trustProxy,
        disconnectSession: (sid) => disconnectSession(ns, sid),
      }),
      agentsRouter({ store, accounts, conversations, queue, schemas, logger, trustProxy }),
      pagesRouter(),
    ],
  });
  handleHttp = http;

  const stopWatch = watchSessions(ns, store, logger);
  const housekeeping = setInterval(() => {
    const now = clock.now();
    Promise.all([store.sessionPrune(now), store.loginFailurePrune(now - 24 * 60 * 60_000)]).catch((err: unknown) =>
      logger.warn({ event: 'housekeeping.failed', err }, 'housekeeping failed'),
    );
  }, 60 * 60_000);
  housekeeping.unref();

  return {
    httpServer,
    ns,
    accounts,
    conversations,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve(httpServer.address() as AddressInfo);
        });
      });
    },
    async close() {
      stopWatch();
      clearInterval(housekeeping);
      // io.close() closes every client and then the HTTP server; idle keep-alive connections would hold that open.
      const closed = new Promise<void>((resolve) => ns.io.close(() => resolve()));
      httpServer.closeIdleConnections();
      presence.close();
      queue.close();
      fanout.close();
      const force = setTimeout(() => httpServer.closeAllConnections(), 2000);
      await closed;
      clearTimeout(force);
    },
  };
}
