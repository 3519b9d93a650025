// Namespace middleware: who is connecting, from the express-session loaded on
// the handshake request. Refusals are `connect_error` with message
// `unauthorized` (no identity) or `forbidden` (wrong identity or origin).

import type { IncomingMessage } from 'node:http';
import type { Session, SessionData } from 'express-session';
import type { Socket } from 'socket.io';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { isOwnOrigin } from '../http/origin.ts';

type SessionRequest = IncomingMessage & { session?: (Session & Partial<SessionData>) | Readonly<Partial<SessionData>>; sessionID?: string };

function refuse(code: 'unauthorized' | 'forbidden'): Error {
  const err = new Error(code) as Error & { data: { code: string } };
  err.data = { code };
  return err;
}

function sessionOf(socket: Socket): { session: Partial<SessionData> | undefined; sid: string | undefined } {
  const req = socket.request as SessionRequest;
  return { session: req.session, sid: req.sessionID };
}

/**
 * The request (and so its session) lives as long as the connection; after the handshake only the ids
 * are read (by another namespace multiplexed on the same connection). Keep those, not express-session's
 * Session with its per-request closures. Its response has ended: nothing will save or touch it again.
 */
function keepIdentityOnly(socket: Socket): void {
  const req = socket.request as SessionRequest;
  const session = req.session;
  if (!session || !('cookie' in session)) return;
  const ids: Partial<SessionData> = {};
  if (session.visitorId) ids.visitorId = session.visitorId;
  if (session.agentId) ids.agentId = session.agentId;
  (req as { session?: Partial<SessionData> }).session = Object.freeze(ids);
}

export function visitorHandshake(store: Store, logger: Logger) {
  return (socket: Socket, next: (err?: Error) => void) => {
    const { session, sid } = sessionOf(socket);
    if (!session?.visitorId || !sid) return next(refuse('unauthorized'));
    store
      .getVisitor(session.visitorId)
      .then((v) => {
        if (!v) return next(refuse('unauthorized'));
        socket.data.visitor = { id: v.id, name: v.name, email: v.email };
        socket.data.sessionId = sid;
        keepIdentityOnly(socket);
        next();
      })
      .catch((err: unknown) => {
        logger.error({ event: 'handshake.failed', ns: '/visitor', err }, 'handshake failed');
        next(new Error('unavailable'));
      });
  };
}

/** /agent and /admin: an agent session, and a browser Origin that is the service's own (cross-site WebSocket hijacking). */
export function agentHandshake(store: Store, logger: Logger, opts: { adminOnly: boolean; trustProxy: boolean }) {
  return (socket: Socket, next: (err?: Error) => void) => {
    if (!isOwnOrigin(socket.request, opts.trustProxy)) return next(refuse('forbidden'));
    const { session, sid } = sessionOf(socket);
    if (!session?.agentId || !sid) return next(refuse(session?.visitorId ? 'forbidden' : 'unauthorized'));
    store
      .getAgent(session.agentId)
      .then((a) => {
        if (!a) return next(refuse('unauthorized'));
        if (opts.adminOnly && a.role !== 'admin') return next(refuse('forbidden'));
        socket.data.agent = { id: a.id, name: a.name, email: a.email, role: a.role };
        socket.data.sessionId = sid;
        keepIdentityOnly(socket);
        next();
      })
      .catch((err: unknown) => {
        logger.error({ event: 'handshake.failed', ns: opts.adminOnly ? '/admin' : '/agent', err }, 'handshake failed');
        next(new Error('unavailable'));
      });
  };
}
