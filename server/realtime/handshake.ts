// Namespace middleware: who is connecting. The session is read from the store at every namespace
// handshake, not trusted as it was loaded with the Engine.IO handshake: a connection opened before
// a logout must not join /agent or /admin after it. Refusals are `connect_error` with message
// `unauthorized` (no identity) or `forbidden` (wrong identity, origin, or a second CONNECT to a
// namespace this connection is already joining).

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'socket.io';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';

/** What a handshake reads: the session, and the identity it names. */
export type SessionLookup = Pick<Store, 'sessionGet' | 'getVisitor' | 'getAgent'>;
import { isOwnOrigin } from '../edge/origin.ts';
import { knownFailure } from '../edge/failures.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { sessionIsCurrent } from '../core/session-rules.ts';

/** What express-session left on the handshake request: the session id its cookie named, if valid. */
type SessionRequest = IncomingMessage & { session?: unknown; sessionID?: string };

function refuse(code: 'unauthorized' | 'forbidden' | 'identity_required'): Error {
  const err = new Error(code) as Error & { data: { code: string } };
  err.data = { code };
  return err;
}

interface Identity {
  sid: string;
  visitorId?: string;
  agentId?: string;
  /** The agent's session epoch when this session signed in (0 before epochs existed). */
  agentEpoch: number;
}

/**
 * The session as it is in the store now. The request keeps only the session id afterwards: the
 * request lives as long as the connection, and express-session's Session holds per-request closures.
 */
async function currentIdentity(store: SessionLookup, socket: Socket, now: number): Promise<Identity | null> {
  const req = socket.request as SessionRequest;
  req.session = undefined;
  const sid = req.sessionID;
  if (!sid) return null;
  const raw = await store.sessionGet(sid, now);
  if (raw === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const { visitorId, agentId, agentEpoch } = data as { visitorId?: unknown; agentId?: unknown; agentEpoch?: unknown };
  return {
    sid,
    visitorId: typeof visitorId === 'string' ? visitorId : undefined,
    agentId: typeof agentId === 'string' ? agentId : undefined,
    agentEpoch: typeof agentEpoch === 'number' ? agentEpoch : 0,
  };
}

type Middleware = (socket: Socket, next: (err?: Error) => void) => void;

/**
 * The session could not be read. In an outage (the database down: edge/failures.ts) the connection
 * is closed at the transport instead of refused: socket.io-client gives a namespace up after a
 * `connect_error` but reconnects by itself, with its backoff, after a closed transport, and so
 * gets in once the database is back. A fault of ours is refused `internal`.
 */
function handshakeFailed(socket: Socket, next: (err?: Error) => void, logger: Logger, ns: string, err: unknown): void {
  const known = knownFailure(err);
  if (known?.outage) {
    logger.warn({ event: 'handshake.unavailable', ns, dependency: known.outage.dependency, reason: known.outage.reason }, 'handshake: dependency unavailable');
    socket.conn.close();
    return next(new Error(ErrorCode.Unavailable));
  }
  logger.error({ event: 'handshake.failed', ns, err }, 'handshake failed');
  next(new Error(known?.error.code ?? ErrorCode.Internal));
}

// Socket.IO refuses a second CONNECT to a namespace only once the first has passed its (async)
// middleware: until then each one makes another socket (1,000 CONNECTs in one polling POST made
// 1,000 sockets, and every broadcast went out 1,000 times). The namespaces a connection is joining:
const joining = new WeakMap<object, Set<string>>();

/** Runs `middleware` for at most one CONNECT per namespace at a time on one connection; a second closes it. */
export function oncePerConnection(nsp: string, middleware: Middleware): Middleware {
  return (socket, next) => {
    const client = socket.client;
    let names = joining.get(client);
    if (names?.has(nsp)) {
      // Discard: a polling transport would otherwise wait (30 s) for a GET to deliver the close.
      socket.conn.close(true);
      return next(refuse('forbidden'));
    }
    if (!names) joining.set(client, (names = new Set()));
    names.add(nsp);
    middleware(socket, (err) => {
      names.delete(nsp);
      next(err);
    });
  };
}

export function visitorHandshake(store: SessionLookup, logger: Logger, now: () => number, opts: { identityRequired?: boolean } = {}): Middleware {
  return oncePerConnection('/visitor', (socket, next) => {
    currentIdentity(store, socket, now())
      .then(async (identity) => {
        if (!identity?.visitorId) return next(refuse('unauthorized'));
        const v = await store.getVisitor(identity.visitorId);
        if (!v) return next(refuse('unauthorized'));
        // IDENTITY_REQUIRED: a visitor from before it was turned on (or any unverified one) cannot chat.
        if (opts.identityRequired && !v.verified) return next(refuse('identity_required'));
        socket.data.visitor = { id: v.id, name: v.name, email: v.email };
        socket.data.sessionId = identity.sid;
        next();
      })
      .catch((err: unknown) => handshakeFailed(socket, next, logger, '/visitor', err));
  });
}

/** /agent and /admin: an agent session, and a browser Origin that is the service's own (cross-site WebSocket hijacking). */
export function agentHandshake(store: SessionLookup, logger: Logger, opts: { adminOnly: boolean; trustProxy: boolean; now: () => number }): Middleware {
  const ns = opts.adminOnly ? '/admin' : '/agent';
  return oncePerConnection(ns, (socket, next) => {
    if (!isOwnOrigin(socket.request, opts.trustProxy)) return next(refuse('forbidden'));
    currentIdentity(store, socket, opts.now())
      .then(async (identity) => {
        if (!identity?.agentId) return next(refuse(identity?.visitorId ? 'forbidden' : 'unauthorized'));
        const a = await store.getAgent(identity.agentId);
        // Disabled, or the session is from before a password change: no longer this agent's.
        if (!a || !sessionIsCurrent(a, identity.agentEpoch)) return next(refuse('unauthorized'));
        if (opts.adminOnly && a.role !== 'admin') return next(refuse('forbidden'));
        socket.data.agent = { id: a.id, name: a.name, email: a.email, role: a.role };
        socket.data.sessionId = identity.sid;
        socket.data.epoch = a.sessionEpoch;
        next();
      })
      .catch((err: unknown) => handshakeFailed(socket, next, logger, ns, err));
  });
}
