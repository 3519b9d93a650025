// The console's collection of conversation models (client/lib/conversation-set.ts):
// routing by conversationId, totals, and change notification.

import { describe, expect, it, vi } from 'vitest';
import type { Conversation, Message } from '../../server/protocol/shapes.ts';
import { createConversationModel } from '../../client/lib/conversation-model.ts';
import { createConversationSet } from '../../client/lib/conversation-set.ts';

const VISITOR = { id: 'v1', name: 'Maya Chen' };

function conv(id: string, over: Partial<Conversation> = {}): Conversation {
  return { id, visitor: VISITOR, status: 'active', agent: { id: 'a1', name: 'Ada' }, queuePosition: null, lastSeq: 0, createdAt: '2026-03-01T10:00:00.000Z', reads: { visitor: 0, agent: 0 }, revision: 1, ...over };
}

function fromVisitor(conversationId: string, seq: number): Message {
  return { id: `${conversationId}-${seq}`, conversationId, seq, clientId: `k${seq}`, author: { kind: 'visitor', ...VISITOR }, body: `hi ${seq}`, createdAt: '2026-03-01T10:01:00.000Z' };
}

function agentSet() {
  const history = vi.fn(() => new Promise<never>(() => {}));
  const set = createConversationSet((c) =>
    createConversationModel({ side: 'agent', conversation: c, history, send: () => new Promise(() => {}), sendRead: () => {}, connected: () => true }),
  );
  return { set, history };
}

describe('conversation set', () => {
  it('[CS1] routes live events to their own conversation and drops those of conversations not held', () => {
    const { set } = agentSet();
    set.upsert(conv('c1'));
    set.upsert(conv('c2'));
    set.message(fromVisitor('c1', 1));
    set.message(fromVisitor('c2', 1));
    set.message(fromVisitor('c2', 2));
    set.message(fromVisitor('c3', 1));
    expect(set.get('c1')!.getState().messages.map((m) => m.id)).toEqual(['c1-1']);
    expect(set.get('c2')!.getState().messages.map((m) => m.id)).toEqual(['c2-1', 'c2-2']);
    expect(set.ids()).toEqual(['c1', 'c2']);
    set.read({ conversationId: 'c2', participant: { kind: 'agent', id: 'a9', name: 'Grace' }, seq: 1 });
    expect(set.get('c1')!.getState().unread).toBe(1);
    expect(set.get('c2')!.getState().unread).toBe(1);
    expect(set.unread()).toBe(2);
  });

  it('[CS2] upsert hands a held model the new snapshot instead of making a second one', () => {
    const { set } = agentSet();
    const first = set.upsert(conv('c1'));
    const again = set.upsert(conv('c1', { visitor: { id: 'v1', name: 'Maya C.' } }));
    expect(again).toBe(first);
    expect(first.getState().conversation?.visitor.name).toBe('Maya C.');
  });

  it('[CS3] tells subscribers about any model\'s change and about adds and removes, and stops after remove', () => {
    const { set } = agentSet();
    const listener = vi.fn();
    set.subscribe(listener);
    const model = set.upsert(conv('c1'));
    expect(listener).toHaveBeenCalledTimes(1);
    set.message(fromVisitor('c1', 1));
    expect(listener).toHaveBeenCalledTimes(2);
    const before = set.version();
    set.remove('c1');
    expect(listener).toHaveBeenCalledTimes(3);
    expect(set.version()).toBe(before + 1);
    model.messages([fromVisitor('c1', 2)]);
    expect(listener).toHaveBeenCalledTimes(3);
    expect(set.unread()).toBe(0);
  });
});
