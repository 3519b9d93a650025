// express-session on Parley's own store (never MemoryStore): sessions survive
// restarts and are shared by every node. Cookie rules live here too. A session's
// expiry is the injected clock's: read against it, extended from it.

import type { IncomingMessage, ServerResponse } from 'node:http';
import session from 'express-session';
import type { RequestHandler } from 'express';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { SESSION_COOKIE } from '../edge/session-cookie.ts';

declare module 'express-session' {
  interface SessionData {
    visitorId: string;
    agentId: string;
    /** The agent's session epoch at sign-in (core/session-rules.ts). */
    agentEpoch: number;
  }
}

export const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60_000;

type Callback<T = void> = (err?: unknown, value?: T | null) => void;

/** The express-session Store contract, on Parley's database. */
export class DatabaseSessionStore extends session.Store {
  #store: Store;
  #logger: Logger;
  #clock: Clock;

  constructor(store: Store, logger: Logger, clock: Clock) {
    super();
    this.#store = store;
    this.#logger = logger;
    this.#clock = clock;
  }

  override get(sid: string, cb: Callback<session.SessionData>): void {
    this.#store.sessionGet(sid, this.#clock.now()).then(
      (raw) => {
        if (raw === null) return cb(null, null);
        try {
          cb(null, JSON.parse(raw) as session.SessionData);
        } catch (err) {
          this.#logger.warn({ event: 'session.corrupt', err }, 'unreadable session dropped');
          cb(null, null);
        }
      },
      (err: unknown) => cb(err),
    );
  }

  override set(sid: string, data: session.SessionData, cb?: Callback): void {
    this.#store.sessionSet(sid, JSON.stringify(data), this.#expiry()).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  override touch(sid: string, data: session.SessionData, cb?: Callback): void {
    this.#store.sessionTouch(sid, this.#expiry()).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  override destroy(sid: string, cb?: Callback): void {
    this.#store.sessionDestroy(sid).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  /**
   * The session's lifetime from now on the injected clock: every session lives SESSION_MAX_AGE_MS
   * after its last use. Not the cookie's `originalMaxAge`: express-session recomputes that as
   * `expires - Date.now()` when it sets `expires`, which comes out a millisecond or two short when
   * the clock ticks in between ([SESS3] saw a session expire 1 ms early).
   */
  #expiry(): number {
    return this.#clock.now() + SESSION_MAX_AGE_MS;
  }
}

/** Middleware over Node's own request and response: how Socket.IO's engine runs it (io.engine.use). */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** For express's routes and for Socket.IO's handshakes alike. */
export function createSessionMiddleware(opts: {
  store: Store;
  logger: Logger;
  clock: Clock;
  secret: string;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-Proto for the Secure flag. */
  trustProxy: boolean;
}): RequestHandler & NodeMiddleware {
  // express-session's typings make it an express RequestHandler only, but it reads what express adds to
  // a request only when present, and Socket.IO's docs run it on the engine's plain Node requests: both.
  return session({
    name: SESSION_COOKIE,
    secret: opts.secret,
    store: new DatabaseSessionStore(opts.store, opts.logger, opts.clock),
    resave: false,
    saveUninitialized: false,
    // Socket.IO's raw requests never see app.set('trust proxy'); this reaches them too.
    proxy: opts.trustProxy ? true : undefined,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: 'auto',
      maxAge: SESSION_MAX_AGE_MS,
    },
  }) as RequestHandler & NodeMiddleware;
}
