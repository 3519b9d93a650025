// Email (issue #18): the follow-up rule, transcripts on request, and the outbox worker that sends
// what the database holds. Every node runs one; the database decides who sends what (leased
// claims, idempotency keys), so in a cluster each email leaves from one node. Knows no SMTP: the
// Mailer is passed in (server/mail/smtp.ts).

import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { ConversationRecord, FollowUpReply, MessageRecord, OutboxEmail, PendingFollowUp, Store } from '../store/store.ts';
import { EMAIL_LINK_TTL_MS, signEmailLink } from './email-link.ts';
import { type EmailTexts, renderFollowUp, renderTranscript } from './email-render.ts';
import { personKey, type PresenceRegistry } from './presence-registry.ts';

export interface OutgoingMail {
  /** The outbox row's id: the SMTP Message-ID is made from it, so a resend is recognisable. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Thrown by a Mailer: `permanent` when the server refused for good (5xx), else it is tried again. */
export class MailError extends Error {
  readonly permanent: boolean;
  /** What went wrong without the text (which may name the recipient): the client's code and the SMTP reply code. */
  readonly detail: { code: string | null; responseCode: number | null };
  constructor(message: string, permanent: boolean, detail: MailError['detail'], options?: { cause?: unknown }) {
    super(message, options);
    this.permanent = permanent;
    this.detail = detail;
  }
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface EmailTiming {
  /** How often the worker looks for due follow-ups and emails (default: a quarter of the delay, 50 ms to 1 s). */
  pollMs?: number;
  /** A claim's lease: another node may send the email after it (default 2 min, longer than an SMTP attempt). */
  leaseMs?: number;
  /** First retry after this; doubled each time up to 30 min (default 1 s). */
  retryBaseMs?: number;
  /** Attempts before an email is given up (default 48: about a day at the cap). */
  maxAttempts?: number;
  /** The link's lifetime (default 7 days). */
  linkTtlMs?: number;
}

export interface EmailDeps {
  store: Store;
  registry: PresenceRegistry;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  texts: EmailTexts;
  secret: string;
  /** PUBLIC_URL, or http://HOST:PORT: where the link points. */
  publicUrl: () => string;
  /** How long unread replies wait, counting only time the visitor is away (the team setting, read on every pass). */
  delayMs: () => number;
  /** The delay the worker's polling is paced for (EMAIL_FOLLOWUP_DELAY_MS): a quarter of it, between 50 ms and 1 s. */
  pollFor: number;
  timing?: EmailTiming;
  /** Emails sent, retried and given up (metrics). */
  counted?: (outcome: 'sent' | 'retry' | 'failed' | 'enqueued', kind: string) => void;
}

export interface EmailService {
  start(): void;
  /** Stops the worker; resolves once the replies it holds are written. */
  close(): Promise<void>;
  /** A message was stored: an agent's reply starts (or joins) a wait for the visitor to read it. */
  messageCreated(message: MessageRecord, conversation: ConversationRecord): void;
  /** The visitor's first socket came / last went (cluster-wide, after the grace). */
  visitorSeen(visitorId: string): void;
  /** The widget's language, for the visitor's emails. */
  visitorLanguage(visitorId: string, language: string): Promise<void>;
  /** Queues the transcript of the visitor's own closed conversation, once per conversation. */
  requestTranscript(
    visitor: { id: string; email: string | null },
    conversationId: string,
    options: { language: string | null; newEmail: string | null; save(email: string): Promise<string> },
  ): Promise<{ to: string; duplicate: boolean }>;
  /** One pass of the worker (follow-ups, then due emails); the timer calls it. */
  tick(): Promise<void>;
}

const PAGE = 100;
/** Per pass, at most this many waiting conversations are looked at (the rest next pass). */
const MAX_SCAN = 2000;
const MAX_TRANSCRIPT_MESSAGES = 2000;
const RETRY_CAP_MS = 30 * 60_000;
const SEND_BATCH = 10;
/**
 * Agent replies are written for follow-ups together, at most this long after the first of them:
 * one statement per interval, not a commit per reply. The wait's clock starts at each reply's own
 * time, so the interval never delays an email by more than itself.
 */
const REPLY_WRITE_MS = 100;
/** …or at once when this many conversations wait to be written. */
const REPLY_WRITE_MAX = 500;

export function createEmailService(deps: EmailDeps): EmailService {
  const { store, registry, clock, logger, mailer, texts } = deps;
  const t = deps.timing ?? {};
  const pollMs = t.pollMs ?? Math.min(1000, Math.max(50, Math.floor(deps.pollFor / 4)));
  const leaseMs = t.leaseMs ?? 120_000;
  const retryBaseMs = t.retryBaseMs ?? 1000;
  const maxAttempts = t.maxAttempts ?? 48;
  const linkTtlMs = t.linkTtlMs ?? EMAIL_LINK_TTL_MS;
  const owner = randomUUID();
  const counted = deps.counted ?? (() => {});
  const warn = (event: string) => (err: unknown) => logger.warn({ event, err }, event);

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let closed = false;

  /** Replies not written yet, by conversation (its first reply's time counts). */
  let replies = new Map<string, FollowUpReply>();
  let replyTimer: NodeJS.Timeout | null = null;
  /** The writes in order: each waits for the one before. */
  let writing: Promise<void> = Promise.resolve();

  function writeReplies(): Promise<void> {
    if (replyTimer) clearTimeout(replyTimer);
    replyTimer = null;
    if (replies.size === 0) return writing;
    const batch = [...replies.values()];
    replies = new Map();
    writing = writing.then(() => store.followUpReplies(batch)).catch(warn('email.followup_reply_failed'));
    return writing;
  }

  async function followUp(row: PendingFollowUp, now: number, delayMs: number): Promise<void> {
    if (!row.email) {
      // Nobody to write to: the wait ends (replies after the visitor gives an email start a new one).
      await store.followUpSettle(row.conversationId, row.revision, { kind: 'nothing' }, now);
      return;
    }
    // Connected (in any tab, on any node, or within the presence grace): they see the replies live.
    if (await registry.isAnnounced(personKey('visitor', row.visitorId))) return;
    // The clock counts only time away: from the reply, or from when the visitor last left, whichever is later.
    if (now - Math.max(row.pendingAt, row.lastSeenAt ?? 0) < delayMs) return;
    const conversation = await store.getConversation(row.conversationId);
    const from = Math.max(conversation?.reads.visitor ?? 0, row.emailedSeq);
    const replies = conversation ? (await store.getMessages(row.conversationId, { afterSeq: from, limit: 200 })).filter((m) => m.authorKind === 'agent') : [];
    if (replies.length === 0) {
      await store.followUpSettle(row.conversationId, row.revision, { kind: 'nothing' }, now);
      return;
    }
    const throughSeq = replies[replies.length - 1].seq;
    const locale = row.language ?? 'en';
    const token = signEmailLink(deps.secret, { visitorId: row.visitorId, conversationId: row.conversationId, language: row.language, expiresAt: now + linkTtlMs });
    const link = `${deps.publicUrl()}/chat/return?t=${token}`;
    const rendered = renderFollowUp(texts, locale, replies, link, Math.max(1, Math.round(linkTtlMs / 86_400_000)));
    // The key names the batch by its last reply: every node that notices the same batch makes the same key.
    const key = `followup:${row.conversationId}:${throughSeq}`;
    const created = await store.followUpSettle(
      row.conversationId,
      row.revision,
      { kind: 'enqueue', throughSeq, email: { key, kind: 'followup', conversationId: row.conversationId, recipient: row.email, ...rendered } },
      now,
    );
    if (created) {
      counted('enqueued', 'followup');
      logger.info({ event: 'email.enqueued', kind: 'followup', conversationId: row.conversationId, replies: replies.length, throughSeq }, 'follow-up email queued');
    }
  }

  async function followUps(): Promise<void> {
    const now = clock.now();
    const delayMs = deps.delayMs();
    let after: { pendingAt: number; conversationId: string } | null = null;
    for (let scanned = 0; scanned < MAX_SCAN; ) {
      const rows = await store.followUpsPending(now - delayMs, after, PAGE);
      for (const row of rows) await followUp(row, now, delayMs).catch(warn('email.followup_failed'));
      scanned += rows.length;
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      after = { pendingAt: last.pendingAt, conversationId: last.conversationId };
    }
  }

  async function deliver(email: OutboxEmail): Promise<void> {
    const fields = { id: email.id, kind: email.kind, conversationId: email.conversationId, attempt: email.attempts };
    try {
      await mailer.send({ id: email.id, to: email.recipient, subject: email.subject, text: email.text, html: email.html });
    } catch (err) {
      const permanent = err instanceof MailError && err.permanent;
      const giveUp = permanent || email.attempts >= maxAttempts;
      const now = clock.now();
      const retryAt = giveUp ? null : now + Math.min(RETRY_CAP_MS, retryBaseMs * 2 ** (email.attempts - 1));
      const message = err instanceof Error ? err.message : String(err);
      // The text goes to the row (last_error) for operators; logs get only codes: an SMTP reply may quote the address.
      await store.emailFailed(email.id, owner, message, retryAt, now);
      counted(giveUp ? 'failed' : 'retry', email.kind);
      const why = err instanceof MailError ? err.detail : { code: 'internal', responseCode: null };
      if (giveUp) logger.error({ event: 'email.failed', ...fields, ...why }, 'email given up');
      else logger.warn({ event: 'email.retry', ...fields, ...why, retryInMs: retryAt! - now }, 'email not sent; will retry');
      return;
    }
    // Accepted: recorded at once. A node that dies right here leaves the lease to expire and the
    // email is sent again, with the same Message-ID (docs/deployment.md, "Email").
    await store.emailSent(email.id, clock.now());
    counted('sent', email.kind);
    logger.info({ event: 'email.sent', ...fields }, 'email sent');
  }

  async function sendDue(): Promise<void> {
    for (;;) {
      if (closed) return;
      const batch = await store.claimEmails(owner, clock.now(), leaseMs, SEND_BATCH);
      for (const email of batch) {
        if (closed) return; // the lease runs out and another node (or this one, restarted) sends it
        await deliver(email);
      }
      if (batch.length < SEND_BATCH) return;
    }
  }

  async function tick(): Promise<void> {
    if (running) return running;
    running = (async () => {
      await followUps().catch(warn('email.followups_failed'));
      await sendDue().catch(warn('email.send_failed'));
    })().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    start() {
      if (timer || closed) return;
      timer = setInterval(() => void tick(), pollMs);
      timer.unref();
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await writeReplies();
      mailer.close();
    },
    messageCreated(message, conversation) {
      if (message.authorKind !== 'agent' || replies.has(conversation.id)) return;
      replies.set(conversation.id, { conversationId: conversation.id, visitorId: conversation.visitorId, at: message.createdAt });
      if (replies.size >= REPLY_WRITE_MAX) void writeReplies();
      else if (!replyTimer) {
        replyTimer = setTimeout(() => void writeReplies(), REPLY_WRITE_MS);
        replyTimer.unref();
      }
    },
    visitorSeen(visitorId) {
      store.visitorSeen(visitorId, clock.now()).catch(warn('email.visitor_seen_failed'));
    },
    visitorLanguage: (visitorId, language) => store.setVisitorLanguage(visitorId, language),
    async requestTranscript(visitor, conversationId, { language, newEmail, save }) {
      const conversation = await store.getConversation(conversationId);
      if (!conversation) throw new AppError(ErrorCode.NotFound, 'no such conversation');
      if (conversation.visitorId !== visitor.id) throw new AppError(ErrorCode.Forbidden, 'not your conversation');
      if (conversation.status !== 'closed') throw new AppError(ErrorCode.Conflict, 'the conversation is still open');
      if (!visitor.email && !newEmail) throw new AppError(ErrorCode.InvalidPayload, 'an email address is needed');
      const recipient = newEmail && newEmail !== visitor.email ? await save(newEmail) : visitor.email!;
      const messages: MessageRecord[] = [];
      while (messages.length < MAX_TRANSCRIPT_MESSAGES) {
        const page = await store.getMessages(conversationId, { afterSeq: messages.at(-1)?.seq ?? 0, limit: 200 });
        messages.push(...page);
        if (page.length < 200) break;
      }
      const rendered = renderTranscript(texts, language ?? 'en', messages);
      // One transcript per conversation: asking again returns the first.
      const result = await store.enqueueEmail(
        { key: `transcript:${conversationId}`, kind: 'transcript', conversationId, recipient, ...rendered },
        clock.now(),
      );
      if (result.kind === 'created') {
        counted('enqueued', 'transcript');
        logger.info({ event: 'email.enqueued', kind: 'transcript', conversationId }, 'transcript email queued');
        void tick();
      }
      return { to: result.email.recipient, duplicate: result.kind === 'duplicate' };
    },
    tick,
  };
}
