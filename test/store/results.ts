// Unwraps store result unions in tests: the expected kind, or a failure naming the one that came.

import type { AgentRecord, AppendResult, ConversationRecord, CreateAgentResult, MessageRecord, OpenResult, TransitionResult } from '../../server/store/store.ts';

export function ok(r: TransitionResult): { conversation: ConversationRecord; previous: ConversationRecord } {
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${r.kind}`);
  return r;
}

export function conflict(r: TransitionResult): ConversationRecord {
  if (r.kind !== 'conflict') throw new Error(`expected conflict, got ${r.kind}`);
  return r.conversation;
}

export function created(r: AppendResult | { kind: 'no_open_conversation' }): MessageRecord {
  if (r.kind !== 'created') throw new Error(`expected created, got ${r.kind}`);
  return r.message;
}

export function openOk(r: OpenResult): { conversation: ConversationRecord; created: boolean } {
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${r.kind}`);
  return r;
}

export function agentOf(r: CreateAgentResult): AgentRecord {
  if (r.kind !== 'created') throw new Error(`expected created, got ${r.kind}`);
  return r.agent;
}
