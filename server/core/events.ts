// The domain events the core raises. realtime/fanout.ts is the one place that
// decides who receives each of them; the core never sees Socket.IO.

import type { Participant } from '../protocol/shapes.ts';
import type { ConversationRecord, MessageRecord, NoteRecord } from '../store/store.ts';

export interface Person {
  kind: 'visitor' | 'agent';
  id: string;
  name: string;
}

/** Who switched to which status (webhooks' agent.status). */
export interface AgentStatusChange {
  agent: { id: string; name: string };
  status: 'online' | 'away';
}

export interface DomainEvents {
  /** A visitor's first message opened a queued conversation. */
  conversationOpened(conversation: ConversationRecord, queuePosition: number | null): void;
  /** `origin` is an opaque id of the connection that sent it (it has the ack and may be skipped). */
  messageCreated(message: MessageRecord, conversation: ConversationRecord, origin: string | null): void;
  /** A private note was stored (`fresh`) or re-sent: agents only, never the visitor; `origin` as for messages. */
  noteAdded(note: NoteRecord, origin: string | null, fresh: boolean): void;
  conversationClaimed(conversation: ConversationRecord, previous: ConversationRecord): void;
  /** Routing gave a queued conversation to an agent (as a claim, without the agent asking). */
  conversationAssigned(conversation: ConversationRecord, previous: ConversationRecord): void;
  conversationReleased(conversation: ConversationRecord, previous: ConversationRecord, queuePosition: number | null): void;
  conversationTransferred(conversation: ConversationRecord, previous: ConversationRecord): void;
  conversationClosed(conversation: ConversationRecord, previous: ConversationRecord): void;
  /** Anything else visible changed (the visitor renamed themselves). */
  conversationUpdated(conversation: ConversationRecord, queuePosition: number | null): void;
  /** A queued conversation moved up because one ahead left: only its visitor is told (agents see the order). */
  queuePositionChanged(conversation: ConversationRecord, queuePosition: number): void;
  typing(conversationId: string, participant: Participant, typing: boolean, origin: string | null): void;
  read(conversationId: string, participant: Participant, seq: number): void;
  /** A person's first connection anywhere (after any grace) / their last one went away. */
  personOnline(person: Person): void;
  personOffline(person: Person): void;
  /** Agent status, visitor page or queue changed: admin views should refresh. */
  dashboardChanged(): void;
  /** An agent switched between online and away: availability and dashboards change. */
  agentStatusChanged(change?: AgentStatusChange): void;
  /** A conversation's tags changed (#17): every agent hears it. */
  tagsChanged(conversationId: string, tags: string[]): void;
}

/**
 * The events delivered to `primary` (the fan-out, which decides who receives what) and then to each
 * subscriber that listens to them (metrics, routing, email, webhooks), in that order.
 */
export function withSubscribers(primary: DomainEvents, ...subscribers: Array<Partial<DomainEvents>>): DomainEvents {
  const combined: DomainEvents = { ...primary };
  for (const subscriber of subscribers) {
    for (const key of Object.keys(subscriber) as Array<keyof DomainEvents>) chain(combined, key, subscriber);
  }
  return combined;
}

function chain<K extends keyof DomainEvents>(target: DomainEvents, key: K, subscriber: Partial<DomainEvents>): void {
  type Listener = (...args: Parameters<DomainEvents[K]>) => void;
  const first = target[key] as Listener;
  const then = subscriber[key] as Listener | undefined;
  if (!then) return;
  const both: Listener = (...args) => {
    first(...args);
    then(...args);
  };
  target[key] = both as DomainEvents[K];
}
