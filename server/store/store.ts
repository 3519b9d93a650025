// The storage contract every engine (SQLite, PostgreSQL) implements. Each
// method is one whole operation, atomic in its engine: callers never hold a
// transaction open. Failures a caller must handle are result unions, never
// thrown; a throw means the database failed. Imports only protocol types.

import type { AuthorKind, ConversationStatus, Role } from '../protocol/shapes.ts';
import type { AgentToolsStore } from './agent-tools.ts';

export type { CannedReplyRecord, CsatCounts, CsatRecord, PageViewRecord } from './agent-tools.ts';

export interface AgentRecord {
  id: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: number;
  /** The console's language the agent chose (a shipped code); null follows the browser. */
  language: string | null;
  /** Refused at login and on every request; their sessions and sockets end. */
  disabled: boolean;
  /** Sessions and sockets opened under another epoch are no longer this agent's (a password change ends them). */
  sessionEpoch: number;
  /** Raised on every change through updateAgent: what agentsChangedSince() reads. */
  revision: number;
}

/** What updateAgent may change; absent fields stay as they are. */
export interface AgentPatch {
  name?: string;
  role?: Role;
  disabled?: boolean;
  passwordHash?: string;
  /** Raise sessionEpoch: every session and socket opened before ends. */
  endSessions?: boolean;
}

export type UpdateAgentResult =
  | { kind: 'updated'; agent: AgentRecord; previous: AgentRecord }
  | { kind: 'not_found' }
  /** The change would leave no admin who is not disabled: nothing stored. */
  | { kind: 'last_admin' };

export type DeleteAgentResult =
  | { kind: 'deleted'; agent: AgentRecord }
  | { kind: 'not_found' }
  | { kind: 'last_admin' }
  /** The agent is or was assigned a conversation, or wrote in one: their name stays on the record. Nothing deleted. */
  | { kind: 'has_conversations' };

export interface VisitorRecord {
  id: string;
  name: string;
  email: string | null;
  createdAt: number;
}

export interface ConversationRecord {
  id: string;
  visitorId: string;
  visitorName: string;
  status: ConversationStatus;
  agentId: string | null;
  agentName: string | null;
  lastSeq: number;
  /** Epoch ms; the queue is ordered by (queuedAt, id). A release keeps it: the visitor keeps their place. */
  queuedAt: number;
  createdAt: number;
  closedAt: number | null;
  /** Highest seq read by the visitor and by any agent (0: nothing read). */
  reads: { visitor: number; agent: number };
  /** Bumped by every change of status, agent or visitor name. */
  revision: number;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  seq: number;
  clientId: string;
  authorKind: AuthorKind;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: number;
}

export interface NewMessage {
  conversationId: string;
  clientId: string;
  authorKind: AuthorKind;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: number;
  /**
   * Only into a conversation that is active and assigned to this agent: otherwise nothing is
   * stored and the result is `not_assigned` with the conversation as it is (checked first,
   * before idempotency: an agent who lost the conversation gets told so, even on a resend).
   */
  assignedTo?: string;
}

/** A visitor's message: its conversation, author name and id come from their open conversation. */
export interface NewVisitorMessage {
  clientId: string;
  body: string;
  createdAt: number;
}

export type CreateAgentResult =
  | { kind: 'created'; agent: AgentRecord }
  /** Another agent has this email (compared case-insensitively): nothing stored. */
  | { kind: 'email_taken' };

export type OpenResult =
  | { kind: 'ok'; conversation: ConversationRecord; created: boolean }
  /**
   * PostgreSQL only: the visitor's open conversation kept being opened and closed by
   * others between this node's insert and its read, attempt after attempt. Nothing stored.
   */
  | { kind: 'contended' };

/** Decided by append.ts, the same in every engine. */
export type AppendResult =
  | { kind: 'created'; message: MessageRecord; conversation: ConversationRecord }
  /** The same clientId was already stored in this conversation by the same author: nothing new. */
  | { kind: 'duplicate'; message: MessageRecord; conversation: ConversationRecord }
  | { kind: 'not_found' }
  | { kind: 'closed' }
  /** The clientId is taken in this conversation by another author. */
  | { kind: 'client_id_taken' }
  /** `assignedTo` was given and the conversation is not active with that agent. */
  | { kind: 'not_assigned'; conversation: ConversationRecord };

/** Outcome of a conditional state change (claim, release, transfer, close). */
export type TransitionResult =
  | { kind: 'ok'; conversation: ConversationRecord; previous: ConversationRecord }
  | { kind: 'not_found' }
  /** The precondition did not hold; `conversation` is the current state. */
  | { kind: 'conflict'; conversation: ConversationRecord };

export interface HistoryPage {
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
}

export interface ReadPosition {
  conversationId: string;
  participantKind: 'visitor' | 'agent';
  participantId: string;
  seq: number;
}

/** Conversations opened, first claimed or closed within [from, to) (epoch ms). */
export interface ReportRange {
  from: number;
  to: number;
  /** Only the conversations this agent first claimed or holds (or closed). */
  agentId?: string;
}

/** What reports (server/core/reports.ts) read of one conversation: times are epoch ms. */
export interface ReportConversation {
  id: string;
  status: ConversationStatus;
  createdAt: number;
  /** The first claim: a release and a re-claim keep it. Null: never claimed (or before migration 6/5). */
  claimedAt: number | null;
  claimedBy: string | null;
  /** The first message an agent wrote in it. */
  firstReplyAt: number | null;
  closedAt: number | null;
  /** The agent holding it (active), or who held it when it was closed; null when closed from the queue. */
  agentId: string | null;
  /** How many messages it has (its last seq). */
  messages: number;
}

export interface ConversationFilter {
  status?: ConversationStatus;
  agentId?: string;
  visitorId?: string;
  limit?: number;
}

/** Canned replies, page views and CSAT: agent-tools.ts. */
export interface Store extends AgentToolsStore {
  readonly engine: 'sqlite' | 'postgres';
  /** Applies pending migrations; safe to call on every start and from many nodes. */
  migrate(): Promise<void>;
  /** Cheap liveness query for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // ---- agents
  /** `email_taken` when the email (case-insensitive) is taken, also by an agent created at the same moment on another node. */
  createAgent(input: { email: string; name: string; role: Role; passwordHash: string }): Promise<CreateAgentResult>;
  getAgent(id: string): Promise<AgentRecord | null>;
  /** The agents of these ids that exist, in no particular order: one query however many are asked. */
  getAgents(ids: readonly string[]): Promise<AgentRecord[]>;
  getAgentByEmail(email: string): Promise<AgentRecord | null>;
  listAgents(): Promise<AgentRecord[]>;
  /** Sets the agent's console language (null: the browser's); the updated record, or null for an unknown id. */
  setAgentLanguage(id: string, language: string | null): Promise<AgentRecord | null>;
  countAdmins(): Promise<number>;
  /**
   * Changes an account, atomically with the rule that at least one admin stays who is not
   * disabled (checked under a lock, so two admins demoting each other cannot both succeed).
   * A rename also renames the agent in their active conversations. Raises the revision.
   */
  updateAgent(id: string, patch: AgentPatch): Promise<UpdateAgentResult>;
  /** Deletes an account that never handled a conversation, under the same last-admin rule. */
  deleteAgent(id: string): Promise<DeleteAgentResult>;
  /** Agents changed by updateAgent after `revision`, in ascending revision: one indexed read. */
  agentsChangedSince(revision: number): Promise<AgentRecord[]>;

  // ---- visitors
  createVisitor(input: { name: string; email: string | null }): Promise<VisitorRecord>;
  getVisitor(id: string): Promise<VisitorRecord | null>;
  /** The visitors of these ids that exist, in no particular order: one query however many are asked. */
  getVisitors(ids: readonly string[]): Promise<VisitorRecord[]>;
  /** Also renames the visitor in their open conversations. */
  updateVisitor(id: string, patch: { name?: string; email?: string | null }): Promise<VisitorRecord | null>;

  // ---- express sessions (JSON text, expiry in epoch ms)
  sessionGet(sid: string, now: number): Promise<string | null>;
  sessionSet(sid: string, data: string, expiresAt: number): Promise<void>;
  /**
   * Moves an existing session's expiry (nothing else). Resolves once written and visible, without
   * waiting for it to be durable: a crash may undo a touch, which only makes the session end sooner.
   */
  sessionTouch(sid: string, expiresAt: number): Promise<void>;
  sessionDestroy(sid: string): Promise<void>;
  /** Deletes expired sessions; returns how many. */
  sessionPrune(now: number): Promise<number>;

  // ---- login throttling (failed attempts, shared by every node)
  loginFailureRecord(key: string, at: number): Promise<void>;
  loginFailureCount(key: string, since: number): Promise<number>;
  loginFailurePrune(before: number): Promise<void>;
  /** Forgets every failure recorded under `key` (an admin unlocking an account). */
  loginFailureClear(key: string): Promise<void>;

  // ---- conversations
  /** The visitor's open (queued or active) conversation, creating a queued one if none; atomic. */
  openConversation(visitor: { id: string; name: string }, now: number): Promise<OpenResult>;
  getConversation(id: string): Promise<ConversationRecord | null>;
  /** The visitor's open conversation, else their most recent one, else null. */
  getCurrentConversation(visitorId: string): Promise<ConversationRecord | null>;
  /**
   * The open (queued or active) conversation of each of these visitors who has one (at most one
   * each), in no particular order: one query however many are asked.
   */
  getOpenConversations(visitorIds: readonly string[]): Promise<ConversationRecord[]>;
  /** Newest first, except `status: 'queued'` which comes in queue order. */
  listConversations(filter: ConversationFilter): Promise<ConversationRecord[]>;
  /** Queued conversations in queue order (queuedAt, id). */
  listQueue(): Promise<ConversationRecord[]>;
  /**
   * The conversation's 1-based place in listQueue() order, counted in one statement without
   * reading the queue; null when it is not queued (active, closed, unknown).
   */
  queuePosition(conversationId: string): Promise<number | null>;
  /**
   * One conditional update: queued → active for this agent. The first claim also records when
   * (the store's clock) and by whom, for reports; later claims keep it.
   */
  claim(id: string, agent: { id: string; name: string }): Promise<TransitionResult>;
  /** active (held by agentId, or anyone when agentId is null) → queued. */
  release(id: string, agentId: string | null): Promise<TransitionResult>;
  /** active (held by fromAgentId, or anyone when null) → active for `to`. */
  transfer(id: string, fromAgentId: string | null, to: { id: string; name: string }): Promise<TransitionResult>;
  /** queued, or active (held by agentId, or anyone when null) → closed. */
  closeConversation(id: string, agentId: string | null, now: number): Promise<TransitionResult>;

  // ---- messages
  /**
   * Assigns the next gap-free seq and honours clientId idempotency, in one transaction. An agent's
   * first message in a conversation also records its time (reports: first response).
   */
  appendMessage(input: NewMessage): Promise<AppendResult>;
  /**
   * appendMessage into the visitor's open conversation, found in the same transaction, under the
   * name that conversation carries. `no_open_conversation` (nothing stored) when there is none.
   */
  appendVisitorMessage(visitorId: string, input: NewVisitorMessage): Promise<AppendResult | { kind: 'no_open_conversation' }>;
  /** Ascending seq; see HistoryPage for the window rules of SPEC §5. */
  getMessages(conversationId: string, page: HistoryPage): Promise<MessageRecord[]>;

  // ---- reports
  /**
   * Every conversation opened, first claimed or closed within the range, each once, in no
   * particular order: range scans of the created_at, claimed_at and closed_at indexes.
   */
  reportConversations(range: ReportRange): Promise<ReportConversation[]>;

  // ---- read positions (monotonic)
  /** Returns true when the stored position advanced. Never moves backwards or past lastSeq. */
  setReadPosition(pos: ReadPosition): Promise<boolean>;
  getReadPositions(conversationId: string): Promise<ReadPosition[]>;
}
