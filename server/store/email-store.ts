// The storage contract of email (issue #18: follow-up and transcripts): the durable outbox and the
// follow-up state. Part of Store (store.ts), implemented by each engine in its email.ts. Whole
// operations; a throw means the database failed.

export type EmailKind = 'followup' | 'transcript';

/** One email of the outbox, rendered when it was enqueued. Times are epoch ms. */
export interface OutboxEmail {
  id: string;
  /** Unique: enqueueing the same key twice stores one email. */
  key: string;
  kind: EmailKind;
  conversationId: string;
  recipient: string;
  subject: string;
  text: string;
  html: string;
  /** Sending attempts started (a claim counts one). */
  attempts: number;
  nextAttemptAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  /** The SMTP server accepted it. */
  sentAt: number | null;
  /** Given up (a permanent SMTP refusal, or too many attempts). */
  failedAt: number | null;
  lastError: string | null;
  createdAt: number;
}

export interface NewOutboxEmail {
  key: string;
  kind: EmailKind;
  conversationId: string;
  recipient: string;
  subject: string;
  text: string;
  html: string;
}

export type EnqueueResult = { kind: 'created'; email: OutboxEmail } | { kind: 'duplicate'; email: OutboxEmail };

/** A conversation whose agent replies have waited unread since `pendingAt`, with what the follow-up rule needs. */
export interface PendingFollowUp {
  conversationId: string;
  visitorId: string;
  /** The last seq a follow-up email covered (0: none yet). */
  emailedSeq: number;
  pendingAt: number;
  /** Counts agent replies: a settle applies only to the replies it saw. */
  revision: number;
  email: string | null;
  language: string | null;
  /** When the visitor's last socket came or went (null: never recorded). */
  lastSeenAt: number | null;
}

/** An agent's reply in a conversation, at `at`. */
export interface FollowUpReply {
  conversationId: string;
  visitorId: string;
  at: number;
}

/** How a follow-up check ended: an email for the batch through `throughSeq`, or nothing to send. */
export type FollowUpSettlement = { kind: 'enqueue'; throughSeq: number; email: NewOutboxEmail } | { kind: 'nothing' };

export interface EmailStore {
  /**
   * Agents replied: each conversation's replies wait unread from its reply's `at` (if they did not
   * already), and each reply changes its revision. One transaction for all; a conversation may
   * come more than once (its earliest `at` counts).
   */
  followUpReplies(replies: readonly FollowUpReply[]): Promise<void>;
  /**
   * Conversations whose replies have waited since `before` or earlier, in (pendingAt,
   * conversationId) order after `after` (a page's last row; null: from the start), at most `limit`.
   */
  followUpsPending(before: number, after: { pendingAt: number; conversationId: string } | null, limit: number): Promise<PendingFollowUp[]>;
  /**
   * Ends one check, in one transaction: enqueues the email (once per key) and records `throughSeq`
   * as emailed; the wait is over unless a reply came after the check read `revision` (then it
   * waits from `now`). `nothing`: the wait is over if no reply came since. Returns whether an
   * email was newly stored.
   */
  followUpSettle(conversationId: string, revision: number, settlement: FollowUpSettlement, now: number): Promise<boolean>;
  /** Stores an email to send, once per key; `duplicate` returns the stored one. */
  enqueueEmail(email: NewOutboxEmail, now: number): Promise<EnqueueResult>;
  /**
   * Leases up to `limit` due emails (not sent, not given up, next attempt ≤ now, no live lease) to
   * `owner` until now + leaseMs and counts an attempt on each, atomically across nodes: a row is
   * leased to one owner at a time.
   */
  claimEmails(owner: string, now: number, leaseMs: number, limit: number): Promise<OutboxEmail[]>;
  /** The SMTP server accepted it: sent, never tried again. */
  emailSent(id: string, now: number): Promise<void>;
  /** This attempt failed: tried again at `retryAt`, or given up when null. Only while `owner` holds the lease. */
  emailFailed(id: string, owner: string, error: string, retryAt: number | null, now: number): Promise<void>;
  /** The emails of one conversation, oldest first (operators, tests). */
  listEmails(conversationId: string): Promise<OutboxEmail[]>;
  /** Emails not yet sent nor given up: what the outbox still holds. */
  countUnsentEmails(): Promise<number>;
  /** The visitor's last socket came or went at `at`. */
  visitorSeen(visitorId: string, at: number): Promise<void>;
  /** The visitor's chat language (a shipped code), for their emails. */
  setVisitorLanguage(visitorId: string, language: string): Promise<void>;
}

/** The row as both engines return it. */
export interface OutboxRow {
  id: string;
  key: string;
  kind: EmailKind;
  conversation_id: string;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  attempts: number | string;
  next_attempt_at: number | string;
  lease_owner: string | null;
  lease_until: number | string | null;
  sent_at: number | string | null;
  failed_at: number | string | null;
  last_error: string | null;
  created_at: number | string;
}

export const OUTBOX_COLUMNS =
  'id, key, kind, conversation_id, recipient, subject, text_body, html_body, attempts, next_attempt_at, lease_owner, lease_until, sent_at, failed_at, last_error, created_at';

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function toOutboxEmail(r: OutboxRow): OutboxEmail {
  return {
    id: r.id,
    key: r.key,
    kind: r.kind,
    conversationId: r.conversation_id,
    recipient: r.recipient,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    leaseOwner: r.lease_owner,
    leaseUntil: num(r.lease_until),
    sentAt: num(r.sent_at),
    failedAt: num(r.failed_at),
    lastError: r.last_error,
    createdAt: Number(r.created_at),
  };
}

export interface PendingRow {
  conversation_id: string;
  visitor_id: string;
  emailed_seq: number | string;
  pending_at: number | string;
  revision: number | string;
  email: string | null;
  language: string | null;
  last_seen_at: number | string | null;
}

export function toPendingFollowUp(r: PendingRow): PendingFollowUp {
  return {
    conversationId: r.conversation_id,
    visitorId: r.visitor_id,
    emailedSeq: Number(r.emailed_seq),
    pendingAt: Number(r.pending_at),
    revision: Number(r.revision),
    email: r.email,
    language: r.language,
    lastSeenAt: num(r.last_seen_at),
  };
}

/** last_error is kept short: an SMTP reply, not a stack trace. */
export const MAX_ERROR_LENGTH = 500;
