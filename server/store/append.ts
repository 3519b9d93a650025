// The append decision every engine makes, once: given the conversation read
// under the engine's lock on it and the message already stored under the
// clientId (if any), what appendMessage answers. Pure: no I/O, no clock, no ids.

import type { AppendResult, ConversationRecord, MessageRecord, NewMessage } from './store.ts';

/** Every outcome of an append except a new message. */
export type AppendRefusal = Exclude<AppendResult, { kind: 'created' }>;

/**
 * What stands in the way of storing `input` in `conversation`, or null when
 * nothing does (then `appended()` builds the message). The order is the
 * contract of store.ts: the assignee guard first (an agent who lost the
 * conversation is told so, even on a resend), then idempotency (a resend of a
 * message stored before the close still gets its original back), then closed.
 * `existing` must have been looked up after the lock was taken, so no other
 * append of this clientId can come between.
 */
export function decideAppend(conversation: ConversationRecord, input: NewMessage, existing: MessageRecord | null): AppendRefusal | null {
  if (input.assignedTo !== undefined && (conversation.status !== 'active' || conversation.agentId !== input.assignedTo)) {
    return { kind: 'not_assigned', conversation };
  }
  if (existing !== null) {
    if (existing.authorKind !== input.authorKind || existing.authorId !== input.authorId) return { kind: 'client_id_taken' };
    return { kind: 'duplicate', message: existing, conversation };
  }
  if (conversation.status === 'closed') return { kind: 'closed' };
  return null;
}

/**
 * The new message, next in the conversation's gap-free seq, and the conversation
 * as the append leaves it. The engine stores `message` in the same transaction.
 */
export function appended(conversation: ConversationRecord, input: NewMessage, id: string): AppendResult & { kind: 'created' } {
  const seq = conversation.lastSeq + 1;
  const message: MessageRecord = {
    id,
    conversationId: conversation.id,
    seq,
    clientId: input.clientId,
    authorKind: input.authorKind,
    authorId: input.authorId,
    authorName: input.authorName,
    body: input.body,
    createdAt: input.createdAt,
    ...(input.attachment ? { attachment: input.attachment } : {}),
  };
  return { kind: 'created', message, conversation: { ...conversation, lastSeq: seq } };
}
