// The Socket.IO server: transports, limits, the Origin allowlist, the
// express-session middleware run on handshakes only, and what a node refuses
// before Engine.IO reads a request (a session it does not hold; handshakes while draining).

import { type Server as HttpServer, type IncomingMessage, ServerResponse } from 'node:http';
import { Server } from 'socket.io';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { isAllowedOrigin } from '../edge/origin.ts';
import { clientAddressResolver, createAddressGauge } from '../edge/address-limits.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { type Namespaces, room } from './types.ts';
import { batchWebSocketWrites } from './write-batching.ts';
import { enforceOutputBudget, outputBudgetBytes } from './output-budget.ts';
import { HISTORY_MAX_LIMIT } from '../protocol/shapes.ts';
import { holdWhileDraining, refuseHandshake } from './drain.ts';
import { holdsSession, refuse } from './engine-refusals.ts';
import { outageOf } from '../edge/failures.ts';
import { signedSessionId } from '../edge/session-cookie.ts';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

const ADDRESS = Symbol('parley.clientAddress');
interface EngineConnection {
  request: IncomingMessage;
  on(event: 'close', fn: (this: EngineConnection) => void): void;
  [ADDRESS]?: string;
}

/** Bytes one frame may carry: the longest body in 4-byte UTF-8 plus JSON framing. */
export function maxFrameBytes(maxMessageLength: number): number {
  return Math.max(64 * 1024, maxMessageLength * 4 + 8 * 1024);
}

export function createIo(
  httpServer: HttpServer,
  deps: { config: Config; session: Middleware; /** Verifies the session cookie's signature. */ sessionSecret: string; logger: Logger; /** True once the node drains: handshakes are refused (drain.ts). */ draining: () => boolean },
): Namespaces {
  const { config, logger } = deps;
  const trustProxy = config.trustProxy !== false;
  // Open connections per client address (CONNECTIONS_PER_ADDRESS): counted from the handshake to the close.
  const addressOf = clientAddressResolver(config.trustProxy);
  const perAddress = createAddressGauge(config.connectionsPerAddress);
  // One listener shared by every connection (no closure per connection): the address rides on it.
  function closed(this: EngineConnection) {
    perAddress.close(this[ADDRESS]!);
  }
  const io = new Server(httpServer, {
    serveClient: false,
    transports: ['polling', 'websocket'],
    maxHttpBufferSize: maxFrameBytes(config.maxMessageLength),
    perMessageDeflate: false,
    // CORS only matters for long-polling from an embedding site; WebSocket is covered by allowRequest below.
    cors: config.allowedOrigins.length ? { origin: config.allowedOrigins, credentials: true } : undefined,
    // Runs for every handshake, WebSocket-direct ones included (CORS does not).
    allowRequest: (req, cb) => {
      // JSONP long-polling (`j=`) serves no client of ours and answers with script: refused.
      if ((req as IncomingMessage & { _query?: Record<string, string> })._query?.j !== undefined) return cb('JSONP polling is disabled', false);
      if (!isAllowedOrigin(req, config.allowedOrigins, trustProxy)) {
        logger.info({ event: 'handshake.origin_refused', origin: req.headers.origin }, 'handshake from a foreign origin refused');
        return cb('origin not allowed', false);
      }
      if (perAddress.full(addressOf(req))) {
        logger.info({ event: 'handshake.address_full' }, 'too many connections from one address');
        return cb('too many connections from this address', false);
      }
      cb(null, true);
    },
  });

  // Only the handshake needs the session; running it on every long-poll request would hit the store each time.
  io.engine.use((req: IncomingMessage & { _query?: Record<string, string> }, res: ServerResponse, next: (err?: unknown) => void) => {
    // Every engine answer (poll payloads, its 400s and 413s) is data, never to be sniffed as HTML.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // A request of an existing connection: only the node holding it takes it. Another node says 503 before
    // reading anything, so that a balancer whose hash moved (a node came back) passes it on to the holder.
    if (req._query?.sid !== undefined) {
      if (holdsSession(io.engine, req._query.sid)) return next();
      return refuse(req, res, 'this node does not hold that connection');
    }
    // A new connection while draining: 503 before any work, so a balancer tries another node.
    if (deps.draining()) return refuseHandshake(req, res);
    if (!(res instanceof ServerResponse)) {
      // A WebSocket handshake: the namespace middleware reads the session (realtime/handshake.ts), and an
      // upgrade's response is never ended, so express-session would neither touch nor set a cookie. Only
      // its id is needed: from the signed cookie, without a read of the session here as well.
      (req as IncomingMessage & { sessionID?: string }).sessionID = signedSessionId(req.headers.cookie, deps.sessionSecret);
      return next();
    }
    deps.session(req, res, (err?: unknown) => {
      // The session store is down (edge/failures.ts): 503, to retry, rather than engine.io's 400 for a failed middleware.
      const outage = err === undefined ? null : outageOf(err);
      if (!outage) return next(err);
      logger.warn({ event: 'handshake.unavailable', ns: null, dependency: outage.dependency, reason: outage.reason }, 'handshake: dependency unavailable');
      refuse(req, res, 'temporarily unavailable; retry shortly');
    });
  });
  io.engine.on('connection', (raw: EngineConnection) => {
    const address = addressOf(raw.request);
    perAddress.open(address);
    raw[ADDRESS] = address;
    raw.on('close', closed);
  });

  batchWebSocketWrites(io);
  const slowConsumerCuts = enforceOutputBudget(io, outputBudgetBytes(config.maxMessageLength, HISTORY_MAX_LIMIT), logger);

  // The main namespace is not part of the protocol.
  io.use((_socket, next) => next(new Error('not_found')));

  const ns: Namespaces = {
    io,
    visitor: io.of('/visitor') as Namespaces['visitor'],
    agent: io.of('/agent') as Namespaces['agent'],
    admin: io.of('/admin') as Namespaces['admin'],
    slowConsumerCuts,
  };
  // First in every namespace, before authentication: a CONNECT while draining waits for the connection to close.
  for (const nsp of [ns.visitor, ns.agent, ns.admin]) nsp.use(holdWhileDraining(deps.draining));
  return ns;
}

/**
 * Logout: every socket of that session, every namespace, every node (rooms are per namespace).
 * Visitor sockets are in their visitor's room, not a session room: pass the session's visitor.
 */
export function disconnectSession(ns: Namespaces, sessionId: string, visitorId?: string): void {
  for (const nsp of [ns.agent, ns.admin]) nsp.in(room.session(sessionId)).disconnectSockets(true);
  if (visitorId) ns.visitor.in(room.visitor(visitorId)).disconnectSockets(true);
}

/**
 * WebSocket traffic never touches express-session, so a long-lived socket would
 * outlive its session. Periodically drop local sockets whose session is gone.
 */
export function watchSessions(ns: Namespaces, store: Store, logger: Logger, clock: Clock, everyMs = 60_000): () => void {
  const timer = setInterval(() => {
    const bySession = new Map<string, Array<{ disconnect(close: boolean): unknown }>>();
    for (const nsp of [ns.visitor, ns.agent, ns.admin]) {
      for (const s of nsp.sockets.values()) {
        const sid = s.data.sessionId;
        if (!sid) continue;
        const sockets = bySession.get(sid);
        if (sockets) sockets.push(s);
        else bySession.set(sid, [s]);
      }
    }
    const now = clock.now();
    for (const [sid, sockets] of bySession) {
      store
        .sessionGet(sid, now)
        .then((data) => {
          if (data !== null) return;
          logger.info({ event: 'session.expired_sockets_closed' }, 'closing sockets of an ended session');
          for (const s of sockets) s.disconnect(true);
        })
        .catch((err: unknown) => logger.warn({ event: 'session.watch_failed', err }, 'session watch failed'));
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
