// The storage contract every engine (SQLite, PostgreSQL) implements. Each
// method is one whole operation, atomic in its engine: callers never hold a
// transaction open. Failures a caller must handle are result unions, never
// thrown; a throw means the database failed. Imports only protocol types.

import type { AuthorKind, ConversationStatus, Role } from '../protocol/shapes.ts';
import type { AttachmentRef, AttachmentStore } from './attachment-store.ts';
import type { AgentToolsStore } from './agent-tools.ts';
import type { ApiTokenStore } from './api-tokens.ts';
import type { WebhookStore } from './webhook-store.ts';
import type { EmailStore } from './email-store.ts';

export type { AttachmentRecord, AttachmentRef, NewAttachment } from './attachment-store.ts';
export type { CannedReplyRecord, CsatCounts, CsatRecord, PageViewRecord } from './agent-tools.ts';
export type { EmailKind, EnqueueResult, FollowUpReply, FollowUpSettlement, NewOutboxEmail, OutboxEmail, PendingFollowUp } from './email-store.ts';
export type { ApiTokenRecord } from './api-tokens.ts';
export type { ClaimedDelivery, WebhookDeliveryRecord, WebhookRecord } from './webhook-store.ts';

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
  /** The most active conversations routing gives this agent; null: the team's default. */
  capacity: number | null;
}

/** An agent as routing weighs them (Store.agentLoads). */
export interface AgentLoad {
  agentId: string;
  name: string;
  /** Their own capacity, or null for the team's default. */
  capacity: number | null;
  active: number;
  lastAssignedAt: number | null;
}

/** What updateAgent may change; absent fields stay as they are. */
export interface AgentPatch {
  name?: string;
  role?: Role;
  disabled?: boolean;
  passwordHash?: string;
  /** Raise sessionEpoch: every session and socket opened before ends. */
  endSessions?: boolean;
  /** The agent's own capacity; null: back to the team's default. */
  capacity?: number | null;
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

/** A custom visitor attribute's value, as the host page set it (Parley.setAttributes). */
export type VisitorAttribute = string | number | boolean;

export interface VisitorRecord {
  id: string;
  name: string;
  email: string | null;
  createdAt: number;
  /** The host site's user id, set only by a verified identify (its HMAC checked); null for anonymous visitors. */
  userId: string | null;
  verified: boolean;
  attributes: Record<string, VisitorAttribute>;
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
  /** The file sent with it, if any (absent otherwise). */
  attachment?: AttachmentRef;
}

/** A private note (agents only); kept apart from messages so the visitor's seq has no gaps. */
export interface NoteRecord {
  id: string;
  conversationId: string;
  clientId: string;
  /** The conversation's last seq when the note was stored: the note sits after that message. */
  afterSeq: number;
  authorId: string;
  authorName: string;
  body: string;
  mentions: Array<{ id: string; name: string }>;
  createdAt: number;
}

export interface NewNote {
  conversationId: string;
  clientId: string;
  authorId: string;
  authorName: string;
  body: string;
  mentions: Array<{ id: string; name: string }>;
  createdAt: number;
}

export type AddNoteResult =
  | { kind: 'created'; note: NoteRecord }
  /** The same clientId was already used for a note in this conversation by the same author: nothing new. */
  | { kind: 'duplicate'; note: NoteRecord }
  | { kind: 'not_found' }
  /** The clientId is taken by another author's note in this conversation. */
  | { kind: 'client_id_taken' };

/** Notes whose afterSeq is in [fromSeq, toSeq] (toSeq null: no upper end), at most `limit`. */
export interface NoteRange {
  fromSeq: number;
  toSeq: number | null;
  limit: number;
}

export interface NewMessage {
  conversationId: string;
  clientId: string;
  authorKind: AuthorKind;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: number;
  /** A file the author uploaded (core/attachments.ts checked it is theirs); stored with the message. */
  attachment?: AttachmentRef;
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
  attachment?: AttachmentRef;
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
  /** Only the conversations carrying this tag (a normalized tag, protocol/search.ts). */
  tag?: string;
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

/** A full-text query (#17 search): terms made by protocol/search.ts searchTerms(), AND-ed. */
export interface SearchQuery {
  terms: ReadonlyArray<{ text: string; prefix: boolean }>;
  /** Whose view: a non-admin never finds another agent's active conversation. */
  viewer: { agentId: string; admin: boolean };
  limit: number;
  offset: number;
  /** Messages: only the newest `candidates` matches are ranked and paged (protocol/search.ts SEARCH_CANDIDATES). */
  candidates: number;
}

/** A matching message and its conversation; of the newest `candidates` matches, best match first (SQLite: BM25 over the candidates; PostgreSQL: ts_rank_cd), then newest. */
export interface MessageSearchHit {
  message: MessageRecord;
  conversation: ConversationRecord;
}

/** A visitor whose name or email matched, with their latest conversation the viewer may read. */
export interface VisitorSearchHit {
  visitor: VisitorRecord;
  conversation: ConversationRecord;
}

export type TagChangeResult =
  /** `changed`: false when the tag was already there (add) or absent (remove). Tags sorted. */
  | { kind: 'ok'; tags: string[]; changed: boolean }
  | { kind: 'not_found' }
  /** The conversation has `max` tags already: nothing stored. */
  | { kind: 'too_many'; tags: string[] };

/** The end of the queue from some point on (Store.listQueueFrom). */
export interface QueueTail {
  /** How many are queued ahead of `queue[0]`. */
  ahead: number;
  queue: ConversationRecord[];
}

export interface ConversationFilter {
  status?: ConversationStatus;
  agentId?: string;
  visitorId?: string;
  limit?: number;
  /**
   * A page of newest first (created_at DESC, id DESC), whatever the status: only conversations
   * strictly after this position in that order (the last of the previous page). Stable under
   * inserts: a conversation created meanwhile sorts before every page already read.
   */
  before?: { createdAt: number; id: string };
  /** Newest first even for `queued` (which is otherwise in queue order). */
  newestFirst?: boolean;
}

/** Attachments: attachment-store.ts; canned replies, page views and CSAT: agent-tools.ts; email: email-store.ts; API tokens: api-tokens.ts; webhooks: webhook-store.ts. */
export interface Store extends AttachmentStore, AgentToolsStore, EmailStore, ApiTokenStore, WebhookStore {
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
  /**
   * The verified visitor of this host-site user id: the one that has it, else `candidateId`'s visitor if it
   * is anonymous (it becomes theirs), else a new one. Concurrent calls for one user id agree on one row.
   * Callers must have checked the identity's HMAC: this binds whoever asks.
   */
  bindVerifiedVisitor(userId: string, candidateId: string | null, defaults: { name: string; email: string | null }): Promise<VisitorRecord>;
  /** Replaces the visitor's custom attributes (already validated and bounded). */
  setVisitorAttributes(id: string, attributes: Record<string, VisitorAttribute>): Promise<VisitorRecord | null>;

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
   * The queued conversations with queuedAt ≥ this, in listQueue() order, and how many are queued
   * before them: one read, so that `ahead + i + 1` is each one's place. Those behind a change, without
   * reading the queue ahead of it.
   */
  listQueueFrom(queuedAt: number): Promise<QueueTail>;
  /**
   * The 1-based place in listQueue() order of each of these conversations that is queued (the others,
   * active, closed or unknown, are absent), from one read that does not read the queue row by row:
   * one count up to the first of them and the rows from the first to the last.
   */
  queuePositions(conversationIds: readonly string[]): Promise<Map<string, number>>;
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

  // ---- routing
  /**
   * Routing's claim: queued → active for this agent, only while they hold fewer than `capacity`
   * active conversations, atomically across nodes (two assignments to one agent take turns, so
   * together they never pass the capacity). Records `now` as the agent's last assignment. The
   * first claim is recorded for reports, as claim() does.
   */
  assign(id: string, agent: { id: string; name: string }, capacity: number, now: number): Promise<TransitionResult | { kind: 'at_capacity' }>;
  /** Every agent who is not disabled: how many active conversations they hold, and when routing last gave them one. */
  agentLoads(): Promise<AgentLoad[]>;
  /** Team settings: key → JSON text. */
  getSettings(): Promise<Map<string, string>>;
  /** Writes these settings (key → JSON text) in one transaction. */
  putSettings(values: ReadonlyMap<string, string>, now: number): Promise<void>;

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

  // ---- private notes
  /** Stores a note after the conversation's current last seq, honouring clientId idempotency, in one transaction. */
  addNote(input: NewNote): Promise<AddNoteResult>;
  /** Ascending (afterSeq, createdAt, id). */
  getNotes(conversationId: string, range: NoteRange): Promise<NoteRecord[]>;

  // ---- reports
  /**
   * Every conversation opened, first claimed or closed within the range, each once, in no
   * particular order: range scans of the created_at, claimed_at and closed_at indexes.
   */
  reportConversations(range: ReportRange): Promise<ReportConversation[]>;

  // ---- search and tags (#17)
  /** Full text over message bodies (SQLite FTS5, PostgreSQL GIN on to_tsvector('simple', body)). */
  searchMessages(query: SearchQuery): Promise<MessageSearchHit[]>;
  /** Full text over visitors' names and emails; newest visitors first. */
  searchVisitors(query: SearchQuery): Promise<VisitorSearchHit[]>;
  /** Adds a (normalized) tag, unless the conversation already has `max` others. Atomic. */
  addTag(conversationId: string, tag: string, max: number, now: number): Promise<TagChangeResult>;
  removeTag(conversationId: string, tag: string): Promise<TagChangeResult>;
  /** The tags of each of these conversations that has any (sorted): one query however many are asked. */
  getTags(conversationIds: readonly string[]): Promise<Record<string, string[]>>;

  // ---- read positions (monotonic)
  /** Returns true when the stored position advanced. Never moves backwards or past lastSeq. */
  setReadPosition(pos: ReadPosition): Promise<boolean>;
  getReadPositions(conversationId: string): Promise<ReadPosition[]>;
}
