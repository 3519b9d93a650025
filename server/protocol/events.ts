// Typed Socket.IO event maps for the three namespaces (SPEC §5). The ack
// callback is always the last argument. Imports only sibling protocol files.

import type { Ack } from './errors.ts';
import type { TagsEvent } from './search.ts';
import type { Csat, CsatRating, VisitorDetails } from './agent-tools.ts';
import type {
  AgentStatus,
  Conversation,
  HistoryQuery,
  MentionEvent,
  Message,
  Note,
  OnlineAgent,
  OnlineEvent,
  OnlineVisitor,
  PresenceEvent,
  QueueRemoveEvent,
  ReadEvent,
  TypingEvent,
  Visitor,
} from './shapes.ts';

export type AckFn<T extends object = object> = (result: Ack<T>) => void;

export interface HistoryResult {
  conversation: Conversation | null;
  messages: Message[];
  /** A closed conversation's satisfaction rating, null when none (docs/protocol.md, CSAT). */
  csat?: Csat | null;
}

/** Sent by the server on every namespace when a client should re-fetch history. */
export interface ResyncEvent {
  reason: string;
}

// ---- /visitor
export interface VisitorClientEvents {
  'message:send': (input: { clientId: string; body: string; attachmentId?: string }, ack: AckFn<{ message: Message }>) => void;
  'history:get': (input: HistoryQuery, ack: AckFn<HistoryResult>) => void;
  typing: (input: { typing: boolean }) => void;
  read: (input: { seq: number }) => void;
  'profile:update': (input: { name?: string; email?: string }, ack: AckFn<{ visitor: Visitor }>) => void;
  /** `timeZone`: the visitor's IANA zone, for the agent's context panel (docs/protocol.md). */
  'page:view': (input: { url: string; title?: string; timeZone?: string; language?: string }) => void;
  /** Rates a closed conversation of this visitor (docs/protocol.md, CSAT). */
  'csat:rate': (input: { conversationId: string; rating: CsatRating; comment?: string }, ack: AckFn<{ csat: Csat }>) => void;
  /**
   * Emails the transcript of this visitor's closed conversation, once per conversation (docs/protocol.md,
   * "Email"); `email` is saved on the visitor first. `email_off` when the server sends no email.
   */
  'transcript:request': (input: { conversationId: string; email?: string; language?: string }, ack: AckFn<{ to: string; duplicate: boolean }>) => void;
}

/** Whether anyone can answer now, as the widget shows it (docs/protocol.md, "Availability"). */
export interface Availability {
  /** Agents available right now (online, not away): lets the widget say "no agent is online". */
  agentsOnline: number;
  /** The service can email the visitor (SMTP_URL is set): only then may the widget offer or promise email. */
  email: boolean;
  /** Within the team's business hours now (always true without a schedule). */
  open: boolean;
  /** Outside business hours: when they start again (ISO 8601, UTC); null when open now or no opening is ahead. */
  nextOpening: string | null;
}

export interface VisitorServerEvents {
  conversation: (conversation: Conversation) => void;
  message: (message: Message) => void;
  presence: (event: PresenceEvent) => void;
  typing: (event: TypingEvent) => void;
  read: (event: ReadEvent) => void;
  availability: (event: Availability) => void;
  resync: (event: ResyncEvent) => void;
  /** This visitor's rating was given or changed (by another of their tabs too). */
  csat: (csat: Csat) => void;
}

// ---- /agent
export interface AgentClientEvents {
  'conversation:claim': (input: { conversationId: string }, ack: AckFn<{ conversation: Conversation }>) => void;
  'conversation:release': (input: { conversationId: string }, ack: AckFn<{ conversation: Conversation }>) => void;
  'conversation:transfer': (
    input: { conversationId: string; agentId: string },
    ack: AckFn<{ conversation: Conversation }>,
  ) => void;
  'conversation:close': (input: { conversationId: string }, ack: AckFn<{ conversation: Conversation }>) => void;
  'message:send': (
    input: { conversationId: string; clientId: string; body: string; attachmentId?: string },
    ack: AckFn<{ message: Message }>,
  ) => void;
  'history:get': (input: { conversationId: string } & HistoryQuery, ack: AckFn<AgentHistoryResult>) => void;
  typing: (input: { conversationId: string; typing: boolean }) => void;
  read: (input: { conversationId: string; seq: number }) => void;
  'status:set': (input: { status: 'online' | 'away' }, ack: AckFn) => void;
  /** A private note (docs/protocol.md, "Private notes"): agents and admins only, never the visitor. */
  'note:add': (input: { conversationId: string; clientId: string; body: string }, ack: AckFn<{ note: Note }>) => void;
  /** Visitor context for the console (beyond SPEC §5): who they are, whether they are here, what page they are on. */
  'visitor:get': (input: { conversationId: string }, ack: AckFn<{ visitor: VisitorContext }>) => void;
  /** Tags (#17, docs/protocol.md): add or remove one; the ack has the conversation's tags after it. */
  'tag:add': (input: { conversationId: string; tag: string }, ack: AckFn<TagsEvent>) => void;
  'tag:remove': (input: { conversationId: string; tag: string }, ack: AckFn<TagsEvent>) => void;
  'tags:get': (input: { conversationIds: string[] }, ack: AckFn<{ tags: Record<string, string[]> }>) => void;
  /** Pages viewed, browser and OS, time zone, first seen, earlier conversations (docs/protocol.md). */
  'visitor:details': (input: { conversationId: string }, ack: AckFn<{ details: VisitorDetails }>) => void;
}

export interface VisitorContext extends Visitor {
  online: boolean;
  /** The host page's custom attributes (Parley.setAttributes), as set. */
  attributes: Record<string, string | number | boolean>;
  page: { url: string; title: string | null } | null;
}

/** The agent's history answer: the visitor's HistoryResult plus the private notes placed in that page. */
export interface AgentHistoryResult extends HistoryResult {
  notes: Note[];
}

export interface AgentServerEvents {
  queue: (snapshot: { conversations: Conversation[] }) => void;
  'queue:add': (conversation: Conversation) => void;
  'queue:remove': (event: QueueRemoveEvent) => void;
  conversation: (conversation: Conversation) => void;
  message: (message: Message) => void;
  /** A private note in a conversation this socket's agent holds, or wrote, or (admins) any. */
  note: (note: Note) => void;
  /** This agent was named in a note (`@name`). */
  mention: (event: MentionEvent) => void;
  presence: (event: PresenceEvent) => void;
  typing: (event: TypingEvent) => void;
  read: (event: ReadEvent) => void;
  resync: (event: ResyncEvent) => void;
  /** Sent just before the server closes this socket because the account changed (docs/protocol.md). */
  'session:ended': (event: SessionEndedEvent) => void;
  /** What the console needs of the team settings: on connect, and whenever they change. */
  settings: (event: ConsoleSettings) => void;
  /** A conversation's tags changed (#17): to every agent. */
  tags: (event: TagsEvent) => void;
  /** A conversation this agent held (or is viewing) was rated by its visitor. */
  csat: (csat: Csat) => void;
}

/** The team settings a console follows (docs/protocol.md, "Routing"). */
export interface ConsoleSettings {
  /** After this long (ms) without activity in any of the agent's consoles, the console sets the agent away; 0: never. */
  awayAfterMs: number;
}

/**
 * Why an agent's socket is being closed by the server: their account was disabled or deleted, their
 * password was changed (elsewhere) or reset, or — on /admin only — they are no longer an admin.
 */
export const SessionEndReason = { Disabled: 'disabled', Deleted: 'deleted', PasswordChanged: 'password_changed', RoleChanged: 'role_changed' } as const;
export type SessionEndReason = (typeof SessionEndReason)[keyof typeof SessionEndReason];
export interface SessionEndedEvent {
  reason: SessionEndReason;
}

// ---- /admin
export interface OnlineSnapshot {
  agents: OnlineAgent[];
  visitors: OnlineVisitor[];
  queue: { length: number; oldestWaitMs: number | null };
}

export interface AdminClientEvents {
  'online:get': (ack: AckFn<OnlineSnapshot>) => void;
}

export interface AdminServerEvents {
  online: (event: OnlineEvent) => void;
  /** Pushed when the snapshot changed in ways `online` does not tell (status, load, page, queue). */
  'online:changed': () => void;
  'session:ended': (event: SessionEndedEvent) => void;
}

export type { AgentStatus };
