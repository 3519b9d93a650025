// A connection's own state (budgets, heavy reads, readiness) and its place in presence.

import type { Person } from '../core/events.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import { logFailure } from '../edge/failures.ts';
import type { Presence } from '../core/presence.ts';
import type { Logger } from '../logger.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import type { ConversationService } from '../core/conversations.ts';
import type { Desk } from '../core/desk.ts';
import type { QueuePositions } from '../core/queue-positions.ts';
import type { VisitorService } from '../core/visitors.ts';
import type { Schemas } from '../edge/schemas.ts';
import type { SessionLookup } from './handshake.ts';
import type { SendAdmission } from './send-admission.ts';

/** What the /visitor and /agent namespaces are given: the core services, and the transport's settings. */
export interface NamespaceServices {
  sessions: SessionLookup;
  conversations: ConversationService;
  visitors: VisitorService;
  desk: Desk;
  presence: Presence;
  queue: QueuePositions;
  schemas: Schemas;
  logger: Logger;
  now: () => number;
  messageRateLimit: number;
  /** Backpressure from the fan-out path (cluster mode): refuse new messages rather than queue without bound. */
  overloaded: () => boolean;
  /** Backpressure from the store: the node's sends waiting for their commit, bounded (send-admission.ts). */
  admission: SendAdmission;
  /** Every connection's state, shared by the namespaces: what a drain waits for (drain.ts). */
  states: ConnectionStates;
}

/** Each namespace socket's ConnectionState, in one map for every namespace. */
export type ConnectionStates = WeakMap<object, ConnectionState>;

/**
 * At most this many unacknowledged message:send per connection; more is a flood, not a chat. An agent's
 * console sends one at a time per conversation (its outbox); 256 leaves room for a busy agent's many
 * conversations and bounds what one connection can have waiting in the node.
 */
export const MAX_IN_FLIGHT_PER_CONNECTION = 256;

/**
 * Heavy reads (a history page, the visitor context, the dashboard snapshot) run one at a time per
 * connection, and at most this many wait: the console asks for up to 20 previews at once, while 40
 * parallel 200-message pages were an attacker's way to hold 40 pages in memory at once.
 */
export const MAX_HEAVY_WAITING = 32;

const SETTLED: Promise<void> = Promise.resolve();

/**
 * The refusal of a send under backpressure, made once: an overloaded node refuses thousands a
 * second, and each new Error would capture a stack trace nobody reads (only code and message are
 * sent, respond.ts).
 */
const BUSY = new AppError(ErrorCode.Unavailable, 'busy; retry shortly');

/**
 * A connection's own state in one object, for handlers shared by every connection of a
 * namespace: visitors are the most numerous connections, and a closure per handler per
 * connection (plus the context they share) costs more memory than the connection's real state.
 */
export class ConnectionState {
  readonly messages: RateLimiter;
  readonly events: RateLimiter;
  #inFlight = 0;
  #heavyTail: Promise<void> = SETTLED;
  #heavyWaiting = 0;
  #closed = false;
  /** Handlers running now (acked or not), and who waits for none to run (a drain). */
  #running = 0;
  #whenIdle: Array<() => void> = [];
  /**
   * Settles once this connection counts in presence and has its snapshot. Its events are handled after
   * that: a claim sent right after connecting could otherwise race the connection's own "online"
   * announcement, and the visitor saw the agent join twice (or, polling, not at all).
   */
  ready: Promise<void> = SETTLED;
  #log: Logger | undefined;
  readonly #logger: Logger;
  readonly #bindings: { ns: string; socket: string };
  readonly #overloaded: () => boolean;
  readonly #admission: SendAdmission | null;

  constructor(deps: {
    logger: Logger;
    ns: string;
    socketId: string;
    messageRateLimit: number;
    overloaded: () => boolean;
    /** The node's send admission; null where the namespace sends no messages. */
    admission?: SendAdmission | null;
  }) {
    this.messages = createRateLimiter(deps.messageRateLimit);
    this.events = createRateLimiter(eventBudget(deps.messageRateLimit));
    this.#logger = deps.logger;
    this.#bindings = { ns: deps.ns, socket: deps.socketId };
    this.#overloaded = deps.overloaded;
    this.#admission = deps.admission ?? null;
  }

  /** The connection's child logger, made on first use (most connections never log). */
  log(): Logger {
    return (this.#log ??= this.#logger.child(this.#bindings));
  }

  /** Runs a heavy read after the connection's previous one (see MAX_HEAVY_WAITING); none after close(). */
  async heavy<T>(work: () => Promise<T>): Promise<T> {
    if (this.#heavyWaiting >= MAX_HEAVY_WAITING) throw new AppError(ErrorCode.RateLimited, 'too many requests at once; wait for the answers');
    this.#heavyWaiting++;
    const previous = this.#heavyTail;
    let done!: () => void;
    this.#heavyTail = new Promise((resolve) => (done = resolve));
    try {
      await previous;
      if (this.#closed) throw new AppError(ErrorCode.Unavailable, 'connection closed');
      return await work();
    } finally {
      this.#heavyWaiting--;
      done();
    }
  }

  /**
   * Counts `work` (a handler, up to its ack being written) as running on this connection until it
   * settles. A drain closes the connection only while nothing runs, so no started handler loses its ack.
   */
  track(work: Promise<void>): void {
    this.#running++;
    const done = () => {
      if (--this.#running === 0) for (const wake of this.#whenIdle.splice(0)) wake();
    };
    work.then(done, done);
  }

  /** True while a handler runs on this connection. */
  get busy(): boolean {
    return this.#running > 0;
  }

  /** Settles the next time no handler runs (at once if none does). */
  idle(): Promise<void> {
    return this.#running === 0 ? SETTLED : new Promise((resolve) => this.#whenIdle.push(resolve));
  }

  /** The connection is gone: heavy reads still waiting are not run. */
  close(): void {
    this.#closed = true;
  }

  /**
   * This connection's sends under backpressure: refused with `unavailable`, before any work, while the
   * node is overloaded (the cluster's publishes or the store's queue, send-admission.ts) or the
   * connection has too many in flight, rather than queued without bound. Nothing of a refused send
   * is stored; the client retries with the same clientId.
   */
  async send<T>(work: () => Promise<T>): Promise<T> {
    if (this.#overloaded() || this.#inFlight >= MAX_IN_FLIGHT_PER_CONNECTION || this.#admission?.full()) throw BUSY;
    this.#inFlight++;
    const leave = this.#admission?.enter();
    try {
      return await work();
    } finally {
      this.#inFlight--;
      leave?.();
    }
  }
}

/** Non-message events (typing, read, history…) get a generous budget derived from the message limit. */
export function eventBudget(messageRateLimit: number): number {
  return messageRateLimit === 0 ? 0 : Math.max(200, messageRateLimit * 4);
}

/**
 * A connection's place in presence: counted first, then its snapshot is sent,
 * so once a client has its snapshot its presence is settled everywhere; and
 * uncounted when it goes.
 */
export function trackPresence(
  presence: Presence,
  socket: { id: string; on(event: 'disconnect', fn: () => void): unknown },
  state: ConnectionState,
  person: () => Person,
  sendSnapshot: () => Promise<void>,
): void {
  state.ready = presence
    .connected(person(), socket.id)
    .then(sendSnapshot)
    .catch((err: unknown) => logFailure(state.log(), 'connect.snapshot_failed', err));
  socket.on('disconnect', () => {
    state.close();
    presence.disconnected(person(), socket.id).catch((err: unknown) => logFailure(state.log(), 'presence.failed', err));
  });
}
