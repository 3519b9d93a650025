// Payload shapes of SPEC §5, shared by server, client/ and tests. Imports nothing.

export const AuthorKind = { Visitor: 'visitor', Agent: 'agent', System: 'system' } as const;
export type AuthorKind = (typeof AuthorKind)[keyof typeof AuthorKind];

export const ConversationStatus = { Queued: 'queued', Active: 'active', Closed: 'closed' } as const;
export type ConversationStatus = (typeof ConversationStatus)[keyof typeof ConversationStatus];

export const Role = { Agent: 'agent', Admin: 'admin' } as const;
export type Role = (typeof Role)[keyof typeof Role];

export const AgentStatus = { Online: 'online', Away: 'away', Offline: 'offline' } as const;
export type AgentStatus = (typeof AgentStatus)[keyof typeof AgentStatus];

export interface Author {
  kind: AuthorKind;
  id: string;
  name: string;
}

export interface Message {
  id: string;
  conversationId: string;
  /** 1-based, gap-free per conversation. */
  seq: number;
  clientId: string;
  author: Author;
  body: string;
  /** ISO-8601. */
  createdAt: string;
  /** A file sent with the message (docs/protocol.md, Attachments); absent on messages without one. */
  attachment?: Attachment;
}

/** An uploaded file as a message carries it; `url` serves it to whoever may read the conversation. */
export interface Attachment {
  id: string;
  /** The uploader's file name, cleaned for display (no path, no control or bidi characters). */
  name: string;
  /** Bytes. */
  size: number;
  /** The type the server recognised in the content (one of ATTACHMENT_TYPES), not the one the client declared. */
  type: string;
  url: string;
}

/**
 * A private note: agents' words about a conversation that its visitor never sees (docs/protocol.md,
 * "Private notes"). Notes have no `seq`: the visitor's seq stays gap-free. `afterSeq` places the
 * note after that message (0: before the first); notes at one place come in createdAt order.
 */
export interface Note {
  id: string;
  conversationId: string;
  clientId: string;
  afterSeq: number;
  author: { kind: 'agent'; id: string; name: string };
  body: string;
  /** The agents its `@name`s named (each was sent a `mention`). */
  mentions: Array<{ id: string; name: string }>;
  /** ISO-8601. */
  createdAt: string;
}

/** To an agent named in a note (`@name`): where and what. */
export interface MentionEvent {
  conversationId: string;
  note: Note;
}

export interface Conversation {
  id: string;
  visitor: { id: string; name: string };
  status: ConversationStatus;
  agent: { id: string; name: string } | null;
  /** 1-based position while queued, else null. */
  queuePosition: number | null;
  lastSeq: number;
  createdAt: string;
  /**
   * Highest seq read by the visitor and by any agent (0 if none), so that unread counts and "Seen"
   * survive a reload and other tabs agree. Live changes arrive as `read` events.
   */
  reads: { visitor: number; agent: number };
  /**
   * Bumped by every change of status, agent or visitor name. Snapshots of one conversation can
   * reach a client out of order (a queue-position update read just before a claim, sent after it):
   * a client keeps the one with the highest revision.
   */
  revision: number;
}

export interface Participant {
  kind: 'visitor' | 'agent';
  id: string;
  name: string;
}

export interface Visitor {
  id: string;
  name: string;
  email: string | null;
  /** True when the host site vouched for this visitor (a verified identify, docs/embedding.md). */
  verified: boolean;
}

export interface Agent {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** The language the agent chose for the console and dashboard (a shipped code); null follows the browser. */
  language: string | null;
  /** A disabled account cannot sign in; an admin can enable it again. */
  disabled: boolean;
  /** The most active conversations routing gives this agent; null: the team's default (docs/protocol.md, Routing). */
  capacity: number | null;
}

/** An account as admins see it in the team list (`GET /api/agents`). */
export interface TeamMember extends Agent {
  /** Failed logins from unknown browsers have locked sign-in from new browsers; an admin can unlock. */
  signInLocked: boolean;
}

/** A teammate as any agent sees them (`GET /api/team`): who they can hand a conversation to. */
export interface Teammate {
  id: string;
  name: string;
  role: Role;
  status: AgentStatus;
}

export interface PresenceEvent {
  conversationId: string;
  action: 'join' | 'leave';
  participant: Participant;
}

export interface TypingEvent {
  conversationId: string;
  participant: Participant;
  typing: boolean;
}

export interface ReadEvent {
  conversationId: string;
  participant: Participant;
  seq: number;
}

export interface QueueRemoveEvent {
  conversationId: string;
  reason: 'claimed' | 'assigned' | 'closed';
}

export interface OnlineAgent {
  id: string;
  name: string;
  role: Role;
  status: AgentStatus;
  connections: number;
  activeConversations: number;
}

export interface OnlineVisitor {
  id: string;
  name: string;
  connections: number;
  conversationId: string | null;
  page: { url: string; title: string | null } | null;
}

export interface OnlineEvent {
  kind: 'agent' | 'visitor';
  id: string;
  name: string;
  action: 'online' | 'offline';
}

export interface HistoryQuery {
  afterSeq?: number;
  beforeSeq?: number;
  limit?: number;
}

export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 200;
