// The append decision both engines share (server/store/append.ts), on its own:
// the order of its checks is the contract of store.ts. The engines run it
// through test/store/contract.ts as well.

import { describe, expect, it } from 'vitest';
import { appended, decideAppend } from '../../server/store/append.ts';
import type { ConversationRecord, MessageRecord, NewMessage } from '../../server/store/store.ts';

const active: ConversationRecord = {
  id: 'c1',
  visitorId: 'v1',
  visitorName: 'Vera',
  status: 'active',
  agentId: 'alice',
  agentName: 'Alice',
  lastSeq: 7,
  queuedAt: 100,
  createdAt: 100,
  closedAt: null,
  reads: { visitor: 0, agent: 0 },
  revision: 0,
};
const fromAlice: NewMessage = { conversationId: 'c1', clientId: 'k1', authorKind: 'agent', authorId: 'alice', authorName: 'Alice', body: 'hi', createdAt: 200, assignedTo: 'alice' };
const stored: MessageRecord = { id: 'm1', conversationId: 'c1', seq: 3, clientId: 'k1', authorKind: 'agent', authorId: 'alice', authorName: 'Alice', body: 'hi', createdAt: 150 };

describe('append decision', () => {
  it('[STORE-APPEND] nothing in the way: null, and appended() takes the next seq', () => {
    expect(decideAppend(active, fromAlice, null)).toBeNull();
    const result = appended(active, fromAlice, 'new-id');
    expect(result).toEqual({
      kind: 'created',
      message: { id: 'new-id', conversationId: 'c1', seq: 8, clientId: 'k1', authorKind: 'agent', authorId: 'alice', authorName: 'Alice', body: 'hi', createdAt: 200 },
      conversation: { ...active, lastSeq: 8 },
    });
  });

  it('[STORE-APPEND] the assignee guard comes first, before idempotency', () => {
    const bobs = { ...active, agentId: 'bob' };
    expect(decideAppend(bobs, fromAlice, stored)).toEqual({ kind: 'not_assigned', conversation: bobs });
    const queued = { ...active, status: 'queued' as const, agentId: null };
    expect(decideAppend(queued, fromAlice, null)).toEqual({ kind: 'not_assigned', conversation: queued });
    expect(decideAppend(queued, { ...fromAlice, assignedTo: undefined }, null)).toBeNull();
  });

  it('[STORE-IDEM] a resend is a duplicate even after the close; another author is client_id_taken', () => {
    const closed = { ...active, status: 'closed' as const, closedAt: 300 };
    const visitor = { ...fromAlice, assignedTo: undefined, authorKind: 'visitor' as const, authorId: 'v1' };
    expect(decideAppend(active, fromAlice, stored)).toEqual({ kind: 'duplicate', message: stored, conversation: active });
    expect(decideAppend(closed, { ...fromAlice, assignedTo: undefined }, stored)).toEqual({ kind: 'duplicate', message: stored, conversation: closed });
    expect(decideAppend(active, visitor, stored)).toEqual({ kind: 'client_id_taken' });
    expect(decideAppend(active, { ...fromAlice, authorId: 'bob', assignedTo: undefined }, stored)).toEqual({ kind: 'client_id_taken' });
    expect(decideAppend(closed, visitor, null)).toEqual({ kind: 'closed' });
  });
});
