// Sends one's own messages in order, one at a time, retrying with the SAME
// clientId (the server de-duplicates) until acked. Waits while disconnected,
// gives up only after repeated refusals, and then offers a manual retry.

import type { Ack } from '../../server/protocol/errors.ts';
import type { Attachment, Message } from '../../server/protocol/shapes.ts';
import { newClientId } from './ids.ts';

/** An uploaded file a message carries (POST /api/attachments's answer). */
export type AttachmentInfo = Omit<Attachment, 'url'>;

export interface OutboxItem {
  clientId: string;
  body: string;
  attempts: number;
  attachment?: AttachmentInfo;
}

export interface OutboxDeps {
  /** Emits `message:send`; rejects on timeout or disconnect. */
  send(item: OutboxItem): Promise<Ack<{ message: Message }>>;
  connected(): boolean;
  onSent(item: OutboxItem, message: Message): void;
  onFailed(item: OutboxItem, failure: SendFailure): void;
}

export interface Outbox {
  /** Queues a new message and returns its clientId. */
  send(body: string, attachment?: AttachmentInfo): string;
  /** Re-queues a failed message under its original clientId. */
  retry(clientId: string, body: string, attachment?: AttachmentInfo): void;
  /** Messages an earlier page of this tab left unsent: ahead of anything queued since, in their order. */
  restore(items: ReadonlyArray<{ clientId: string; body: string; attachment?: AttachmentInfo }>): void;
  /** After (re)connecting: send what waits, now. */
  flush(): void;
  size(): number;
}

/** Why a message was not sent, in words for the person who wrote it. */
export interface SendFailure {
  code: string;
  reason: string;
  /** Sending the same text again may work (the server was busy or away); else it must be edited or dropped. */
  retryable: boolean;
}

const REASONS: Record<string, string> = {
  invalid_payload: 'the server refused this text (too long, or characters it cannot store)',
  forbidden: 'you can no longer write in this conversation',
  conversation_closed: 'the conversation has ended',
  not_found: 'the conversation no longer exists',
  rate_limited: 'too many messages at once; wait a moment',
};

export function sendFailure(code: string): SendFailure {
  return { code, reason: REASONS[code] ?? 'the server could not be reached', retryable: RETRYABLE.has(code) };
}

// Transient refusals: the server is busy, limiting, or restarting.
const RETRYABLE = new Set(['unavailable', 'rate_limited', 'internal', 'timeout']);
const MAX_ATTEMPTS = 6;

export function createOutbox(deps: OutboxDeps): Outbox {
  const queue: OutboxItem[] = [];
  let busy = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const remove = (item: OutboxItem) => {
    const i = queue.indexOf(item);
    if (i >= 0) queue.splice(i, 1);
  };

  async function pump(): Promise<void> {
    if (busy || timer !== undefined || queue.length === 0 || !deps.connected()) return;
    const item = queue[0];
    busy = true;
    item.attempts++;
    let ack: Ack<{ message: Message }> | null = null;
    try {
      ack = await deps.send(item);
    } catch {
      ack = null; // timeout or disconnect: the message may or may not be stored; a resend is safe
    }
    busy = false;
    if (ack?.ok) {
      remove(item);
      deps.onSent(item, ack.message);
      return pump();
    }
    const code = ack ? ack.error.code : 'timeout';
    if (!deps.connected()) {
      item.attempts--; // not the server's answer: wait for flush() on reconnect
      return;
    }
    if (RETRYABLE.has(code) && item.attempts < MAX_ATTEMPTS) {
      timer = setTimeout(
        () => {
          timer = undefined;
          void pump();
        },
        Math.min(8000, 500 * 2 ** item.attempts),
      );
      return;
    }
    remove(item);
    deps.onFailed(item, sendFailure(code));
    return pump();
  }

  return {
    send(body, attachment) {
      const clientId = newClientId();
      queue.push({ clientId, body, attempts: 0, attachment });
      void pump();
      return clientId;
    },
    retry(clientId, body, attachment) {
      if (queue.some((i) => i.clientId === clientId)) return;
      queue.push({ clientId, body, attempts: 0, attachment });
      void pump();
    },
    restore(items) {
      const fresh = items.filter((item) => !queue.some((i) => i.clientId === item.clientId));
      // Behind the one in flight, if any (it cannot be called back).
      queue.splice(busy ? 1 : 0, 0, ...fresh.map(({ clientId, body, attachment }) => ({ clientId, body, attempts: 0, attachment })));
      void pump();
    },
    flush() {
      clearTimeout(timer);
      timer = undefined;
      void pump();
    },
    size: () => queue.length,
  };
}
