// The embedded SQLite engine of Store (node:sqlite), for a single node. The
// driver is synchronous, so each transaction runs whole inside one call with no
// await in it: nothing else in this process can interleave. Every write goes
// through #transaction: the writes of one event-loop turn share a commit (group-commit.ts).

import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import type { Role } from '../../protocol/shapes.ts';
import type { Logger } from '../../logger.ts';
import { type Clock, systemClock } from '../../clock.ts';
import { appended, decideAppend } from '../append.ts';
import { createOrderedIds, newId, type OrderedIds } from '../ids.ts';
import { DEFAULT_LIST_LIMIT, readSeq, rowLimit } from '../limits.ts';
import { type ConversationRow, isActiveAdmin, toAgent, toAttachment, toConversation, toMessage, toReadPosition, toReportConversation, toVisitor } from '../rows.ts';
import type { AttachmentRecord, NewAttachment } from '../attachment-store.ts';
import type {
  AddNoteResult,
  NewNote,
  NoteRange,
  NoteRecord,
  AgentPatch,
  AgentRecord,
  DeleteAgentResult,
  UpdateAgentResult,
  AgentLoad,
  AppendResult,
  ConversationFilter,
  ConversationRecord,
  QueueTail,
  CreateAgentResult,
  HistoryPage,
  MessageRecord,
  NewMessage,
  NewVisitorMessage,
  OpenResult,
  ReadPosition,
  ReportConversation,
  ReportRange,
  MessageSearchHit,
  SearchQuery,
  Store,
  TagChangeResult,
  VisitorSearchHit,
  TransitionResult,
  VisitorAttribute,
  VisitorRecord,
} from '../store.ts';
import { type Checkpointer, startCheckpointer, WRITER_CHECKPOINT_FRAMES } from './checkpointer.ts';
import { createGroupCommit, type GroupCommit, type WalSync, walFileSync } from './group-commit.ts';
import { migrate } from './migrations.ts';
import { createSqliteNotes, type SqliteNotes } from './notes.ts';
import { candidateParams, prepareSearchStatements, rankCandidates, searchParams } from './search.ts';
import { createSearchIndexer, type SearchIndexer } from './search-indexer.ts';
import { createSqliteAgentTools } from './agent-tools.ts';
import type { AgentToolsStore } from '../agent-tools.ts';
import { createSqliteEmail } from './email.ts';
import type { EmailStore } from '../email-store.ts';
import type { ApiTokenStore } from '../api-tokens.ts';
import type { WebhookStore } from '../webhook-store.ts';
import { createSqliteWebhooks } from './webhooks.ts';
import { createSqliteApiTokens } from './api-tokens.ts';
import { listConversationsSql, prepare, prepareStatements, type Query, type Statements } from './statements.ts';

/** Thrown inside a transaction to roll it back when it would leave no active admin. */
const LAST_ADMIN = Symbol('last_admin');

export interface SqliteStoreOptions {
  /** What checkpoints the WAL off the event loop, stopped at close. */
  checkpointer?: Checkpointer | null;
  /** What time it is (createdAt of agents and visitors, migrations' applied-at, message ids). */
  clock?: Clock;
  /** Message ids; one generator per store (on the store's clock unless given). */
  ids?: OrderedIds;
}

// Canned replies, page views and CSAT live in ./agent-tools.ts, email in ./email.ts, API tokens in ./api-tokens.ts; the constructor makes their methods this store's.
export interface SqliteStore extends AgentToolsStore, EmailStore, ApiTokenStore, WebhookStore {}

export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  readonly #db: DatabaseSync;
  /** Needs no table, so /readyz works before migrate(). */
  readonly #ping: StatementSync;
  #statements: Statements | undefined;
  #search: ReturnType<typeof prepareSearchStatements> | undefined;
  #indexer: SearchIndexer | undefined;
  readonly #listStatements = new Map<string, Query<ConversationRow>>();
  readonly #writes: GroupCommit;
  readonly #ids: OrderedIds;
  readonly #notes: SqliteNotes;
  readonly #clock: Clock;
  #closed = false;

  readonly #wal: (WalSync & { close(): void }) | null;
  readonly #checkpointer: Checkpointer | null;

  /** `walPath`: the WAL file to sync after each commit (synchronous=NORMAL); null for an in-memory database. */
  constructor(
    db: DatabaseSync,
    walPath: string | null,
    { checkpointer = null, clock = systemClock, ids = createOrderedIds({ clock }) }: SqliteStoreOptions = {},
  ) {
    this.#db = db;
    this.#checkpointer = checkpointer;
    this.#clock = clock;
    this.#ids = ids;
    this.#notes = createSqliteNotes(db, ids);
    this.#ping = db.prepare('SELECT 1');
    this.#wal = walPath === null ? null : walFileSync(() => openSync(walPath, 'r'));
    this.#writes = createGroupCommit(db, this.#wal);
    Object.assign(this, createSqliteAgentTools(db, (work) => this.#transaction(work), () => this.#clock.now()), createSqliteEmail(db, (work) => this.#transaction(work)));
    Object.assign(this, createSqliteApiTokens(db, (work) => this.#transaction(work)));
    Object.assign(this, createSqliteWebhooks(db, (work) => this.#transaction(work)));
  }

  /** Prepared once, after migrate(): before it the tables may not exist. */
  get #q(): Statements {
    if (!this.#statements) throw new Error('SqliteStore: call migrate() before use');
    return this.#statements;
  }

  /**
   * A write transaction (BEGIN IMMEDIATE: the write lock up front, so a
   * read-then-write never upgrades mid-way), committed with the others of this
   * event-loop turn: one fsync for all. Resolves only once the COMMIT is durable.
   */
  #transaction<T>(work: () => T): Promise<T> {
    return this.#writes.run(work);
  }

  async migrate(): Promise<void> {
    migrate(this.#db, this.#clock.now());
    this.#statements ??= prepareStatements(this.#db);
    this.#search ??= prepareSearchStatements(this.#db);
    // What a crash left unindexed is indexed now.
    this.#indexer ??= createSearchIndexer(this.#db, this.#writes);
    this.#indexer.written();
  }

  async ping(): Promise<void> {
    this.#ping.get();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#indexer?.stop();
    this.#writes.flush();
    await this.#checkpointer?.stop();
    this.#wal?.close();
    this.#db.close();
  }

  // ---- agents

  async createAgent(input: { email: string; name: string; role: Role; passwordHash: string }): Promise<CreateAgentResult> {
    return this.#transaction((): CreateAgentResult => {
      // ON CONFLICT DO NOTHING: the case-insensitive unique index decides, and no row comes back.
      const row = this.#q.insertAgent.get(newId(), input.email, input.name, input.role, input.passwordHash, this.#clock.now());
      return row ? { kind: 'created', agent: toAgent(row) } : { kind: 'email_taken' };
    });
  }

  async getAgent(id: string): Promise<AgentRecord | null> {
    const row = this.#q.agentById.get(id);
    return row ? toAgent(row) : null;
  }

  async getAgents(ids: readonly string[]): Promise<AgentRecord[]> {
    return this.#q.agentsByIds.all(JSON.stringify(ids)).map(toAgent);
  }

  async getAgentByEmail(email: string): Promise<AgentRecord | null> {
    const row = this.#q.agentByEmail.get(email);
    return row ? toAgent(row) : null;
  }

  async listAgents(): Promise<AgentRecord[]> {
    return this.#q.listAgents.all().map(toAgent);
  }

  async setAgentLanguage(id: string, language: string | null): Promise<AgentRecord | null> {
    const row = this.#q.setAgentLanguage.get(language, id);
    return row ? toAgent(row) : null;
  }

  async countAdmins(): Promise<number> {
    return Number(this.#q.countAdmins.get()?.n ?? 0);
  }

  async updateAgent(id: string, patch: AgentPatch): Promise<UpdateAgentResult> {
    try {
      return await this.#transaction((): UpdateAgentResult => {
        const before = this.#q.agentById.get(id);
        if (!before) return { kind: 'not_found' };
        const disabled = patch.disabled === undefined ? null : patch.disabled ? 1 : 0;
        const capacity = patch.capacity === undefined ? [0, null] : [1, patch.capacity];
        const row = this.#q.updateAgent.get(id, patch.name ?? null, patch.role ?? null, disabled, patch.passwordHash ?? null, patch.endSessions ? 1 : 0, ...capacity)!;
        // Thrown to roll this transaction's savepoint back (the others of the batch commit).
        if (isActiveAdmin(before) && !isActiveAdmin(row) && Number(this.#q.countActiveAdmins.get()!.n) === 0) throw LAST_ADMIN;
        if (patch.name !== undefined && patch.name !== before.name) this.#q.renameInAgentConversations.run(id, patch.name);
        return { kind: 'updated', agent: toAgent(row), previous: toAgent(before) };
      });
    } catch (err) {
      if (err === LAST_ADMIN) return { kind: 'last_admin' };
      throw err;
    }
  }

  async deleteAgent(id: string): Promise<DeleteAgentResult> {
    try {
      return await this.#transaction((): DeleteAgentResult => {
        const row = this.#q.agentById.get(id);
        if (!row) return { kind: 'not_found' };
        if (Number(this.#q.agentHandled.get(id)!.handled)) return { kind: 'has_conversations' };
        this.#q.deleteAgent.run(id);
        if (isActiveAdmin(row) && Number(this.#q.countActiveAdmins.get()!.n) === 0) throw LAST_ADMIN;
        return { kind: 'deleted', agent: toAgent(row) };
      });
    } catch (err) {
      if (err === LAST_ADMIN) return { kind: 'last_admin' };
      throw err;
    }
  }

  async agentsChangedSince(revision: number): Promise<AgentRecord[]> {
    return this.#q.agentsChangedSince.all(revision).map(toAgent);
  }

  // ---- visitors

  async createVisitor(input: { name: string; email: string | null }): Promise<VisitorRecord> {
    return this.#transaction(() => toVisitor(this.#q.insertVisitor.get(newId(), input.name, input.email, this.#clock.now())!));
  }

  async getVisitor(id: string): Promise<VisitorRecord | null> {
    const row = this.#q.visitorById.get(id);
    return row ? toVisitor(row) : null;
  }

  async getVisitors(ids: readonly string[]): Promise<VisitorRecord[]> {
    return this.#q.visitorsByIds.all(JSON.stringify(ids)).map(toVisitor);
  }

  async updateVisitor(id: string, patch: { name?: string; email?: string | null }): Promise<VisitorRecord | null> {
    return this.#transaction(() => {
      const emailPatched = patch.email !== undefined ? 1 : 0;
      const row = this.#q.updateVisitor.get(id, patch.name ?? null, emailPatched, patch.email ?? null);
      if (!row) return null;
      // The visitor's open conversation carries their name: rename it with them.
      if (patch.name !== undefined) this.#q.renameInOpenConversations.run(id, patch.name);
      return toVisitor(row);
    });
  }

  async bindVerifiedVisitor(userId: string, candidateId: string | null, defaults: { name: string; email: string | null }): Promise<VisitorRecord> {
    // One write transaction: no other writer can bind this user id between the look-up and the write.
    return this.#transaction(() => {
      const existing = this.#q.visitorByUserId.get(userId);
      if (existing) return toVisitor(existing);
      const bound = candidateId ? this.#q.bindAnonymousVisitor.get(candidateId, userId) : undefined;
      if (bound) return toVisitor(bound);
      return toVisitor(this.#q.insertVerifiedVisitor.get(newId(), defaults.name, defaults.email, this.#clock.now(), userId)!);
    });
  }

  async setVisitorAttributes(id: string, attributes: Record<string, VisitorAttribute>): Promise<VisitorRecord | null> {
    const row = this.#q.setVisitorAttributes.get(id, JSON.stringify(attributes));
    return row ? toVisitor(row) : null;
  }

  // ---- express sessions

  async sessionGet(sid: string, now: number): Promise<string | null> {
    const row = this.#q.sessionGet.get(sid, now);
    return row ? row.data : null;
  }

  async sessionSet(sid: string, data: string, expiresAt: number): Promise<void> {
    await this.#transaction(() => this.#q.sessionSet.run(sid, data, expiresAt));
  }

  async sessionTouch(sid: string, expiresAt: number): Promise<void> {
    // Not through the group commit's WAL sync: every request of a signed-in browser touches its session.
    await this.#writes.runLazy(() => this.#q.sessionTouch.run(sid, expiresAt));
  }

  async sessionDestroy(sid: string): Promise<void> {
    await this.#transaction(() => this.#q.sessionDestroy.run(sid));
  }

  async sessionPrune(now: number): Promise<number> {
    return this.#transaction(() => Number(this.#q.sessionPrune.run(now).changes));
  }

  // ---- attachments

  async putAttachment(input: NewAttachment): Promise<AttachmentRecord> {
    return this.#transaction(() =>
      toAttachment(
        this.#q.insertAttachment.get(newId(), input.ownerKind, input.ownerId, input.name, input.type, input.data.byteLength, input.createdAt, input.data)!,
      ),
    );
  }

  async getAttachment(id: string): Promise<AttachmentRecord | null> {
    const row = this.#q.attachmentById.get(id);
    return row ? toAttachment(row) : null;
  }

  async getAttachmentData(id: string): Promise<Uint8Array | null> {
    return this.#q.attachmentData.get(id)?.data ?? null;
  }

  async attachmentConversations(id: string, limit: number): Promise<string[]> {
    return this.#q.attachmentConversations.all(id, limit).map((r) => r.conversation_id);
  }

  async countUnsentAttachments(owner: { kind: 'visitor' | 'agent'; id: string }, since: number): Promise<number> {
    return Number(this.#q.countUnsentAttachments.get(owner.kind, owner.id, since)?.n ?? 0);
  }

  async pruneAttachments(before: number): Promise<number> {
    return this.#transaction(() => Number(this.#q.pruneAttachments.run(before).changes));
  }

  // ---- login throttling

  async loginFailureRecord(key: string, at: number): Promise<void> {
    await this.#transaction(() => this.#q.loginFailureRecord.run(key, at));
  }

  async loginFailureCount(key: string, since: number): Promise<number> {
    return Number(this.#q.loginFailureCount.get(key, since)?.n ?? 0);
  }

  async loginFailurePrune(before: number): Promise<void> {
    await this.#transaction(() => this.#q.loginFailurePrune.run(before));
  }

  async loginFailureClear(key: string): Promise<void> {
    await this.#transaction(() => this.#q.loginFailureClear.run(key));
  }

  // ---- conversations

  async openConversation(visitor: { id: string; name: string }, now: number): Promise<OpenResult> {
    // Usually it is open already: a plain read, no write transaction (every visitor message comes here).
    const open = this.#q.openConversationOf.get(visitor.id);
    if (open) return { kind: 'ok', conversation: toConversation(open), created: false };
    // Never `contended` here: the write lock is held from the insert to the read.
    return this.#transaction((): OpenResult => {
      const inserted = this.#q.insertConversation.get(newId(), visitor.id, visitor.name, now);
      if (inserted) return { kind: 'ok', conversation: toConversation(inserted), created: true };
      // The insert lost to the one-open-per-visitor index, inside our write lock: the row is there.
      return { kind: 'ok', conversation: toConversation(this.#q.openConversationOf.get(visitor.id)!), created: false };
    });
  }

  async getConversation(id: string): Promise<ConversationRecord | null> {
    const row = this.#q.conversationById.get(id);
    return row ? toConversation(row) : null;
  }

  async getCurrentConversation(visitorId: string): Promise<ConversationRecord | null> {
    const row = this.#q.currentConversation.get(visitorId);
    return row ? toConversation(row) : null;
  }

  async getOpenConversations(visitorIds: readonly string[]): Promise<ConversationRecord[]> {
    return this.#q.openConversationsOf.all(JSON.stringify(visitorIds)).map(toConversation);
  }

  async listConversations(filter: ConversationFilter): Promise<ConversationRecord[]> {
    const { sql, params } = listConversationsSql(filter);
    let statement = this.#listStatements.get(sql);
    if (!statement) {
      statement = prepare(this.#db, sql);
      this.#listStatements.set(sql, statement);
    }
    return statement.all(...params, rowLimit(filter.limit ?? DEFAULT_LIST_LIMIT)).map(toConversation);
  }

  async listQueue(): Promise<ConversationRecord[]> {
    return this.#q.listQueue.all().map(toConversation);
  }

  async listQueueFrom(queuedAt: number): Promise<QueueTail> {
    const rows = this.#q.listQueueFrom.all(queuedAt);
    return { ahead: rows.length === 0 ? 0 : Number(rows[0].ahead), queue: rows.map(toConversation) };
  }

  async queuePositions(conversationIds: readonly string[]): Promise<Map<string, number>> {
    const positions = new Map<string, number>();
    if (conversationIds.length === 0) return positions;
    for (const row of this.#q.queuePositions.all(JSON.stringify(conversationIds))) positions.set(row.id, Number(row.position));
    return positions;
  }

  /**
   * One conditional UPDATE decides; the row read just before it, under the
   * same write lock, is exactly the version it replaced.
   */
  #transition(update: Query<ConversationRow>, id: string, ...params: (string | number | null)[]): Promise<TransitionResult> {
    return this.#transaction((): TransitionResult => {
      const before = this.#q.conversationById.get(id);
      if (!before) return { kind: 'not_found' };
      const after = update.get(id, ...params);
      if (!after) return { kind: 'conflict', conversation: toConversation(before) };
      return { kind: 'ok', conversation: toConversation(after), previous: toConversation(before) };
    });
  }

  async claim(id: string, agent: { id: string; name: string }): Promise<TransitionResult> {
    return this.#transition(this.#q.claim, id, agent.id, agent.name, this.#clock.now());
  }

  async release(id: string, agentId: string | null): Promise<TransitionResult> {
    return this.#transition(this.#q.release, id, agentId);
  }

  async transfer(id: string, fromAgentId: string | null, to: { id: string; name: string }): Promise<TransitionResult> {
    return this.#transition(this.#q.transfer, id, fromAgentId, to.id, to.name);
  }

  async closeConversation(id: string, agentId: string | null, now: number): Promise<TransitionResult> {
    return this.#transition(this.#q.closeConversation, id, agentId, now);
  }

  // ---- routing

  async assign(id: string, agent: { id: string; name: string }, capacity: number, now: number): Promise<TransitionResult | { kind: 'at_capacity' }> {
    // One writer: the count and the claim are one transaction, so no other assignment comes between.
    return this.#transaction((): TransitionResult | { kind: 'at_capacity' } => {
      const before = this.#q.conversationById.get(id);
      if (!before) return { kind: 'not_found' };
      if (before.status !== 'queued') return { kind: 'conflict', conversation: toConversation(before) };
      if (Number(this.#q.activeCountOf.get(agent.id)!.n) >= capacity) return { kind: 'at_capacity' };
      const after = this.#q.claim.get(id, agent.id, agent.name, now)!;
      this.#q.markAssigned.run(agent.id, now);
      return { kind: 'ok', conversation: toConversation(after), previous: toConversation(before) };
    });
  }

  async agentLoads(): Promise<AgentLoad[]> {
    return this.#q.agentLoads.all().map((r) => ({
      agentId: r.id,
      name: r.name,
      capacity: r.capacity === null ? null : Number(r.capacity),
      active: Number(r.active),
      lastAssignedAt: r.last_assigned_at === null ? null : Number(r.last_assigned_at),
    }));
  }

  async getSettings(): Promise<Map<string, string>> {
    return new Map(this.#q.getSettings.all().map((r) => [r.key, r.value]));
  }

  async putSettings(values: ReadonlyMap<string, string>, now: number): Promise<void> {
    await this.#transaction(() => {
      for (const [key, value] of values) this.#q.putSetting.run(key, value, now);
    });
  }

  // ---- messages

  async appendMessage(input: NewMessage): Promise<AppendResult> {
    return this.#transaction((): AppendResult => {
      const conversation = this.#q.conversationById.get(input.conversationId);
      if (!conversation) return { kind: 'not_found' };
      return this.#append(conversation, input);
    });
  }

  async appendVisitorMessage(visitorId: string, input: NewVisitorMessage): Promise<AppendResult | { kind: 'no_open_conversation' }> {
    return this.#transaction((): AppendResult | { kind: 'no_open_conversation' } => {
      const conversation = this.#q.openConversationOf.get(visitorId);
      if (!conversation) return { kind: 'no_open_conversation' };
      return this.#append(conversation, {
        conversationId: conversation.id,
        clientId: input.clientId,
        authorKind: 'visitor',
        authorId: visitorId,
        authorName: conversation.visitor_name,
        body: input.body,
        createdAt: input.createdAt,
        attachment: input.attachment,
      });
    });
  }

  /**
   * The append itself (decided by ../append.ts), inside a write transaction, given the conversation
   * row read in it. The clientId is looked up under the same write lock, so no other insert of it
   * can come between; last_seq was read with the row, so seq is gap-free, and UNIQUE
   * (conversation_id, seq) backs that up.
   */
  #append(row: ConversationRow, input: NewMessage): AppendResult {
    const conversation = toConversation(row);
    const existing = this.#q.messageByClientId.get(conversation.id, input.clientId);
    const refused = decideAppend(conversation, input, existing ? toMessage(existing) : null);
    if (refused) return refused;
    const result = appended(conversation, input, this.#ids.next());
    const { message } = result;
    this.#q.insertMessage.run(
      message.id,
      message.conversationId,
      message.seq,
      message.clientId,
      message.authorKind,
      message.authorId,
      message.authorName,
      message.body,
      message.createdAt,
      message.attachment?.id ?? null,
      message.attachment?.name ?? null,
      message.attachment?.type ?? null,
      message.attachment?.size ?? null,
    );
    if (message.authorKind === 'agent' && row.first_reply_at == null) this.#q.setFirstReply.run(message.conversationId, message.createdAt);
    // The search index follows a moment later (search-indexer.ts).
    this.#indexer?.written();
    return result;
  }

  async getMessages(conversationId: string, page: HistoryPage): Promise<MessageRecord[]> {
    // Never show a message that is committed but not yet durable (its sender has no ack yet).
    await this.#writes.durable();
    const { afterSeq, beforeSeq } = page;
    const limit = rowLimit(page.limit);
    const q = this.#q;
    if (afterSeq !== undefined && beforeSeq !== undefined) {
      return q.messagesBetween.all(conversationId, afterSeq, beforeSeq, limit).map(toMessage);
    }
    if (afterSeq !== undefined) return q.messagesAfter.all(conversationId, afterSeq, limit).map(toMessage);
    const rows = beforeSeq !== undefined ? q.messagesBefore.all(conversationId, beforeSeq, limit) : q.messagesLatest.all(conversationId, limit);
    return rows.reverse().map(toMessage);
  }

  // ---- private notes

  async addNote(input: NewNote): Promise<AddNoteResult> {
    void this.#q; // migrate() first, as every other method
    return this.#transaction(() => this.#notes.add(input));
  }

  async getNotes(conversationId: string, range: NoteRange): Promise<NoteRecord[]> {
    // As getMessages: never show a note that is committed but not yet durable.
    await this.#writes.durable();
    return this.#notes.list(conversationId, range);
  }

  // ---- reports

  async reportConversations(range: ReportRange): Promise<ReportConversation[]> {
    return this.#q.reportConversations.all(range.from, range.to, range.agentId ?? null, range.tag ?? null).map(toReportConversation);
  }

  // ---- search and tags

  get #s(): ReturnType<typeof prepareSearchStatements> {
    if (!this.#search) throw new Error('SqliteStore: call migrate() before use');
    return this.#search;
  }

  async searchMessages(query: SearchQuery): Promise<MessageSearchHit[]> {
    if (query.terms.length === 0) return [];
    // Every message committed so far indexed; and, as getMessages, none shown before it is durable.
    await this.#indexer?.catchUp();
    await this.#writes.durable();
    const ranked = rankCandidates(this.#s.messages.all(...candidateParams(query)), query.terms);
    const rows = ranked.slice(query.offset, query.offset + query.limit);
    const conversations = new Map<string, ConversationRecord>();
    return rows.map((row) => {
      let conversation = conversations.get(row.conversation_id);
      if (!conversation) {
        conversation = toConversation(this.#q.conversationById.get(row.conversation_id)!);
        conversations.set(conversation.id, conversation);
      }
      return { message: toMessage(row), conversation };
    });
  }

  async searchVisitors(query: SearchQuery): Promise<VisitorSearchHit[]> {
    if (query.terms.length === 0) return [];
    return this.#s.visitors
      .all(...searchParams(query))
      .map((row) => ({ visitor: toVisitor(row), conversation: toConversation(this.#q.conversationById.get(row.conversation_id)!) }));
  }

  async addTag(conversationId: string, tag: string, max: number, now: number): Promise<TagChangeResult> {
    return this.#transaction((): TagChangeResult => {
      if (!this.#s.conversationExists.get(conversationId)) return { kind: 'not_found' };
      const before = this.#s.tagsOf.all(conversationId).map((r) => r.tag);
      if (before.includes(tag)) return { kind: 'ok', tags: before, changed: false };
      if (before.length >= max) return { kind: 'too_many', tags: before };
      this.#s.insertTag.run(conversationId, tag, now);
      return { kind: 'ok', tags: this.#s.tagsOf.all(conversationId).map((r) => r.tag), changed: true };
    });
  }

  async removeTag(conversationId: string, tag: string): Promise<TagChangeResult> {
    return this.#transaction((): TagChangeResult => {
      if (!this.#s.conversationExists.get(conversationId)) return { kind: 'not_found' };
      const changed = Number(this.#s.deleteTag.run(conversationId, tag).changes) > 0;
      return { kind: 'ok', tags: this.#s.tagsOf.all(conversationId).map((r) => r.tag), changed };
    });
  }

  async getTags(conversationIds: readonly string[]): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const row of this.#s.tagsOfMany.all(JSON.stringify(conversationIds))) (out[row.conversation_id] ??= []).push(row.tag);
    return out;
  }

  // ---- read positions

  async setReadPosition(pos: ReadPosition): Promise<boolean> {
    const seq = readSeq(pos.seq);
    if (seq === null) return false;
    return this.#transaction(() => Number(this.#q.setReadPosition.run(pos.conversationId, pos.participantKind, pos.participantId, seq).changes) > 0);
  }

  async getReadPositions(conversationId: string): Promise<ReadPosition[]> {
    return this.#q.readPositions.all(conversationId).map(toReadPosition);
  }
}

const PAGE_SIZE = 2048;

/**
 * Opens (creating if needed) the database file at `path`, or ':memory:', with
 * the settings the store relies on. `walPath` is the WAL file the group commit
 * must sync after each COMMIT, or null when COMMIT is durable by itself (no
 * WAL: synchronous=FULL) or nothing is on disk.
 */
export function openSqliteDatabase(path: string): { db: DatabaseSync; walPath: string | null } {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: 5000 });
  let wal = false;
  try {
    // Only a new database takes it (an existing one keeps its page size). Each message dirties a
    // few B-tree pages to different conversations; with 2 KiB pages a commit writes less to the
    // WAL and the fdatasync after it has fewer file pages to flush (a WAL frame is a page plus
    // a 24-byte header, so 4 KiB frames straddle two file pages each). `npm run bench:store`
    // measured 10–25 % less CPU per durable append at 5 per commit; 1 KiB was no better than 4.
    db.exec(`PRAGMA page_size = ${PAGE_SIZE}`);
    // WAL lets readers run beside the writer. An ack promises the message is
    // durably stored: synchronous=NORMAL plus the WAL fdatasync the group
    // commit does after each COMMIT (off the event loop) is synchronous=FULL's
    // guarantee. NORMAL still syncs the WAL and the database around checkpoints.
    wal = !inMemory && db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode === 'wal';
    // Where WAL is unavailable (some network file systems), FULL syncs in COMMIT itself.
    db.exec(`PRAGMA synchronous = ${wal ? 'NORMAL' : 'FULL'}`);
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA busy_timeout = 5000');
    // Throughput, not durability: the message indexes outgrow the default 2 MiB page cache quickly,
    // and a checkpoint every 1000 WAL pages copies the same hot index pages again and again.
    db.exec('PRAGMA cache_size = -65536');
    if (!inMemory) db.exec('PRAGMA wal_autocheckpoint = 10000');
  } catch (err) {
    db.close();
    throw err;
  }
  return { db, walPath: wal ? `${path}-wal` : null };
}

/**
 * Opens (creating if needed) the store at `path`, or ':memory:'. Call
 * migrate() before use.
 */
export async function openSqliteStore(path: string, opts: { logger?: Logger; clock?: Clock } = {}): Promise<SqliteStore> {
  const { db, walPath } = openSqliteDatabase(path);
  if (walPath === null) return new SqliteStore(db, null, { clock: opts.clock });
  db.exec(`PRAGMA wal_autocheckpoint = ${WRITER_CHECKPOINT_FRAMES}`);
  const checkpointer = startCheckpointer(path, {
    onError: (message) => opts.logger?.warn({ event: 'store.checkpoint_failed', error: message }, 'background checkpoint failed'),
  });
  return new SqliteStore(db, walPath, { checkpointer, clock: opts.clock });
}
