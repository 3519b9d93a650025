// Store outcomes → the AppError the actor sees: the one place that decides
// which code and message a refused store operation answers with. The store
// returns result unions (store.ts) and never imports protocol errors.

import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { AppendResult, ConversationRecord, TransitionResult } from '../store/store.ts';

export function conversationNotFound(): AppError {
  return new AppError(ErrorCode.NotFound, 'no such conversation');
}

/** Why an agent may not write in `c`, which is not active with them. */
export function notAssigned(c: ConversationRecord): AppError {
  if (c.status === 'closed') return new AppError(ErrorCode.ConversationClosed, 'the conversation is closed');
  if (c.status === 'queued') return new AppError(ErrorCode.Forbidden, 'claim the conversation first');
  return new AppError(ErrorCode.Forbidden, 'the conversation is assigned to another agent');
}

/** An append that stored nothing and returned nothing to deliver. */
export function appendRefused(result: Exclude<AppendResult, { kind: 'created' | 'duplicate' }>): AppError {
  switch (result.kind) {
    case 'not_found':
      return conversationNotFound();
    case 'closed':
      return new AppError(ErrorCode.ConversationClosed, 'the conversation is closed');
    case 'client_id_taken':
      return new AppError(ErrorCode.InvalidPayload, 'clientId is already used in this conversation');
    case 'not_assigned':
      return notAssigned(result.conversation);
  }
}

/** A failed conditional update (claim, release, transfer, close) of `agentId`. */
export function transitionRefused(
  result: Exclude<TransitionResult, { kind: 'ok' }>,
  agentId: string,
  action: 'claim' | 'release' | 'transfer' | 'close',
): AppError {
  if (result.kind === 'not_found') return conversationNotFound();
  const c = result.conversation;
  if (c.status === 'closed') return new AppError(ErrorCode.ConversationClosed, 'the conversation is closed');
  if (action === 'claim') {
    const by = c.agentId === agentId ? 'you' : 'another agent';
    return new AppError(ErrorCode.AlreadyClaimed, `the conversation was already claimed by ${by}`);
  }
  if (c.status === 'queued') return new AppError(ErrorCode.Forbidden, 'the conversation is not claimed');
  return new AppError(ErrorCode.Forbidden, 'the conversation is assigned to another agent');
}

/** openConversation kept losing races (PostgreSQL, many nodes): the visitor may retry. */
export function openContended(): AppError {
  return new AppError(ErrorCode.Unavailable, 'could not open a conversation: too much contention');
}

export function emailTaken(): AppError {
  return new AppError(ErrorCode.Conflict, 'email already registered');
}
