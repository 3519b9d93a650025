// The PostgreSQL engine of Store, for many nodes sharing one database: pool
// lifecycle, migrations, agents, visitors, sessions and login throttling here;
// the contended conversation/message statements in conversations.ts.

import pg from 'pg';
import type { Pool } from 'pg';
import type { Role } from '../../protocol/shapes.ts';
import { createLogger } from '../../logger.ts';
import { type Clock, systemClock } from '../../clock.ts';
import { createOrderedIds, newId, type OrderedIds } from '../ids.ts';
import { type AgentRow, isActiveAdmin, toAgent, toVisitor, type VisitorRow } from '../rows.ts';
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
import { type AppendBatcher, createAppendBatcher } from './append-batch.ts';
import * as conversations from './conversations.ts';
import * as notes from './notes.ts';
import * as attachments from './attachments.ts';
import type { AttachmentRecord, NewAttachment } from '../attachment-store.ts';
import * as routing from './routing.ts';
import * as search from './search.ts';
import { createDb, errorInfo } from './db.ts';
import type { PoolClient } from 'pg';

/** 'account' in ASCII: the advisory lock account changes take turns on. */
const ACCOUNTS_LOCK_KEY = 0x6163636f756e74;
/** Thrown inside a transaction to roll it back when it would leave no active admin. */
const LAST_ADMIN = Symbol('last_admin');

async function countActiveAdmins(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM agents WHERE role = 'admin' AND NOT disabled`);
  return rows[0].n;
}
import type { Db, StoreLogger } from './db.ts';
import { applyMigrations } from './migrations.ts';
import { createPostgresAgentTools } from './agent-tools.ts';
import type { AgentToolsStore } from '../agent-tools.ts';
import { createPostgresEmail } from './email.ts';
import type { EmailStore } from '../email-store.ts';
import type { ApiTokenStore } from '../api-tokens.ts';
import { createPostgresApiTokens } from './api-tokens.ts';
import type { WebhookStore } from '../webhook-store.ts';
import { createPostgresWebhooks } from './webhooks.ts';

export type { StoreLogger } from './db.ts';

/** Connections per node when DATABASE_POOL_SIZE is unset. */
export const DEFAULT_POOL_SIZE = 10;

export interface PostgresStoreOptions {
  /** Connections this node opens at most (DATABASE_POOL_SIZE); appends use half of them at most. */
  poolSize?: number;
  logger?: StoreLogger;
  /** What time it is (createdAt of agents and visitors, migrations' applied-at, message ids). */
  clock?: Clock;
  /** Message ids; one generator per store (on the store's clock unless given). */
  ids?: OrderedIds;
  /** Append batches in flight at once (append-batch.ts); half the pool when unset. */
  appendBatches?: number;
}

const UNIQUE_VIOLATION = '23505';

// Canned replies, page views and CSAT live in ./agent-tools.ts, email in ./email.ts, API tokens in ./api-tokens.ts; the constructor makes their methods this store's.
export interface PostgresStore extends AgentToolsStore, EmailStore, ApiTokenStore, WebhookStore {}

export class PostgresStore implements Store {
  readonly engine = 'postgres' as const;
  readonly #pool: Pool;
  readonly #db: Db;
  readonly #log: StoreLogger;
  readonly #clock: Clock;
  readonly #appends: AppendBatcher;
  readonly #ids: OrderedIds;
  #closed = false;

  constructor(
    pool: Pool,
    logger: StoreLogger,
    { clock = systemClock, ids = createOrderedIds({ clock }), appendBatches }: Pick<PostgresStoreOptions, 'clock' | 'ids' | 'appendBatches'> = {},
  ) {
    this.#pool = pool;
    this.#log = logger;
    this.#clock = clock;
    this.#db = createDb(pool, logger);
    Object.assign(this, createPostgresAgentTools(this.#db, () => this.#clock.now()), createPostgresEmail(this.#db));
    Object.assign(this, createPostgresApiTokens(this.#db));
    Object.assign(this, createPostgresWebhooks(this.#db));
    // Group commit (append-batch.ts): at most half the pool's connections hold append batches,
    // the others stay free for reads, claims and sessions.
    const concurrency = appendBatches ?? Math.max(1, Math.floor((pool.options.max ?? DEFAULT_POOL_SIZE) / 2));
    this.#appends = createAppendBatcher(this.#db, ids, { concurrency });
    this.#ids = ids;
    // An idle client whose backend dies (restart, failover) is reported here;
    // without a listener `pg` would crash the process.
    pool.on('error', (err) => logger.warn({ event: 'pg_pool_error', err: errorInfo(err) }, 'idle PostgreSQL client failed'));
  }

  async migrate(): Promise<void> {
    const { applied, checksummed } = await this.#db.transaction((client) => applyMigrations(client, this.#clock.now()));
    if (checksummed.length > 0) {
      this.#log.info({ event: 'store_checksums_recorded', engine: 'postgres', versions: checksummed }, 'checksums of applied migrations recorded');
    }
    if (applied.length > 0) this.#log.info({ event: 'store_migrated', engine: 'postgres', versions: applied }, 'schema migrated');
  }

  async ping(): Promise<void> {
    await this.#db.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Appends already asked for are committed (or fail) before the pool goes.
    await this.#appends.drained();
    await this.#pool.end();
  }

  // ---- agents

  async createAgent(input: { email: string; name: string; role: Role; passwordHash: string }): Promise<CreateAgentResult> {
    try {
      const [row] = await this.#db.query<AgentRow>(
        'INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
        [newId(), input.email, input.name, input.role, input.passwordHash, this.#clock.now()],
      );
      return { kind: 'created', agent: toAgent(row) };
    } catch (err) {
      // The unique index on lower(email) decides, also between racing nodes.
      if (errorInfo(err).code === UNIQUE_VIOLATION) return { kind: 'email_taken' };
      throw err;
    }
  }

  async getAgent(id: string): Promise<AgentRecord | null> {
    const [row] = await this.#db.query<AgentRow>('SELECT * FROM agents WHERE id = $1', [id]);
    return row ? toAgent(row) : null;
  }

  async getAgents(ids: readonly string[]): Promise<AgentRecord[]> {
    return (await this.#db.query<AgentRow>('SELECT * FROM agents WHERE id = ANY($1::text[])', [ids])).map(toAgent);
  }

  async getAgentByEmail(email: string): Promise<AgentRecord | null> {
    const [row] = await this.#db.query<AgentRow>('SELECT * FROM agents WHERE lower(email) = lower($1)', [email]);
    return row ? toAgent(row) : null;
  }

  async listAgents(): Promise<AgentRecord[]> {
    return (await this.#db.query<AgentRow>('SELECT * FROM agents ORDER BY created_at, id')).map(toAgent);
  }

  async setAgentLanguage(id: string, language: string | null): Promise<AgentRecord | null> {
    const [row] = await this.#db.query<AgentRow>('UPDATE agents SET language = $1 WHERE id = $2 RETURNING *', [language, id]);
    return row ? toAgent(row) : null;
  }

  async countAdmins(): Promise<number> {
    const [row] = await this.#db.query<{ n: number }>(`SELECT count(*)::int AS n FROM agents WHERE role = 'admin'`);
    return row.n;
  }

  async updateAgent(id: string, patch: AgentPatch): Promise<UpdateAgentResult> {
    try {
      return await this.#db.transaction(async (client): Promise<UpdateAgentResult> => {
        // Account changes take turns: the last-admin rule reads what the others wrote, and revisions commit in order.
        await client.query('SELECT pg_advisory_xact_lock($1)', [ACCOUNTS_LOCK_KEY]);
        const [before] = (await client.query<AgentRow>('SELECT * FROM agents WHERE id = $1', [id])).rows;
        if (!before) return { kind: 'not_found' };
        const [row] = (
          await client.query<AgentRow>(
            `UPDATE agents SET name = coalesce($2, name), role = coalesce($3, role), disabled = coalesce($4, disabled),
               password_hash = coalesce($5, password_hash), session_epoch = session_epoch + $6,
               capacity = CASE WHEN $7 THEN $8::int ELSE capacity END,
               revision = (SELECT coalesce(max(revision), 0) + 1 FROM agents) WHERE id = $1 RETURNING *`,
            [id, patch.name ?? null, patch.role ?? null, patch.disabled ?? null, patch.passwordHash ?? null, patch.endSessions ? 1 : 0, patch.capacity !== undefined, patch.capacity ?? null],
          )
        ).rows;
        if (isActiveAdmin(before) && !isActiveAdmin(row) && (await countActiveAdmins(client)) === 0) throw LAST_ADMIN;
        if (patch.name !== undefined && patch.name !== before.name) {
          await client.query(`UPDATE conversations SET agent_name = $2, revision = revision + 1 WHERE agent_id = $1 AND status = 'active'`, [id, patch.name]);
        }
        return { kind: 'updated', agent: toAgent(row), previous: toAgent(before) };
      });
    } catch (err) {
      if (err === LAST_ADMIN) return { kind: 'last_admin' };
      throw err;
    }
  }

  async deleteAgent(id: string): Promise<DeleteAgentResult> {
    try {
      return await this.#db.transaction(async (client): Promise<DeleteAgentResult> => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [ACCOUNTS_LOCK_KEY]);
        const [row] = (await client.query<AgentRow>('SELECT * FROM agents WHERE id = $1', [id])).rows;
        if (!row) return { kind: 'not_found' };
        // Closed conversations keep their agent_id; a released one does not, but whoever wrote in it
        // left messages under their id (no index: a rare admin action reads them all).
        const [{ handled }] = (
          await client.query<{ handled: boolean }>(
            `SELECT (EXISTS (SELECT 1 FROM conversations WHERE agent_id = $1)
               OR EXISTS (SELECT 1 FROM messages WHERE author_kind = 'agent' AND author_id = $1)) AS handled`,
            [id],
          )
        ).rows;
        if (handled) return { kind: 'has_conversations' };
        await client.query('DELETE FROM agents WHERE id = $1', [id]);
        if (isActiveAdmin(row) && (await countActiveAdmins(client)) === 0) throw LAST_ADMIN;
        return { kind: 'deleted', agent: toAgent(row) };
      });
    } catch (err) {
      if (err === LAST_ADMIN) return { kind: 'last_admin' };
      throw err;
    }
  }

  async agentsChangedSince(revision: number): Promise<AgentRecord[]> {
    return (await this.#db.query<AgentRow>('SELECT * FROM agents WHERE revision > $1 ORDER BY revision', [revision])).map(toAgent);
  }

  // ---- visitors

  async createVisitor(input: { name: string; email: string | null }): Promise<VisitorRecord> {
    const [row] = await this.#db.query<VisitorRow>('INSERT INTO visitors (id, name, email, created_at) VALUES ($1, $2, $3, $4) RETURNING *', [
      newId(),
      input.name,
      input.email,
      this.#clock.now(),
    ]);
    return toVisitor(row);
  }

  async getVisitor(id: string): Promise<VisitorRecord | null> {
    const [row] = await this.#db.query<VisitorRow>('SELECT * FROM visitors WHERE id = $1', [id]);
    return row ? toVisitor(row) : null;
  }

  async getVisitors(ids: readonly string[]): Promise<VisitorRecord[]> {
    return (await this.#db.query<VisitorRow>('SELECT * FROM visitors WHERE id = ANY($1::text[])', [ids])).map(toVisitor);
  }

  async updateVisitor(id: string, patch: { name?: string; email?: string | null }): Promise<VisitorRecord | null> {
    // One statement: the visitor and the name on their open conversation change together.
    const [row] = await this.#db.query<VisitorRow>(
      `WITH v AS (
         UPDATE visitors SET name = COALESCE($2, name), email = CASE WHEN $3::boolean THEN $4 ELSE email END
         WHERE id = $1 RETURNING *
       ), renamed AS (
         UPDATE conversations SET visitor_name = v.name, revision = conversations.revision + 1 FROM v
         WHERE $2::text IS NOT NULL AND conversations.visitor_id = v.id AND conversations.status IN ('queued', 'active')
       )
       SELECT * FROM v`,
      [id, patch.name ?? null, patch.email !== undefined, patch.email ?? null],
    );
    return row ? toVisitor(row) : null;
  }

  async bindVerifiedVisitor(userId: string, candidateId: string | null, defaults: { name: string; email: string | null }): Promise<VisitorRecord> {
    // No transaction: the unique index on user_id decides races. A bind or insert that loses one
    // (another node bound this user id first) reads the winner's row.
    const byUser = async () => (await this.#db.query<VisitorRow>('SELECT * FROM visitors WHERE user_id = $1', [userId]))[0];
    const existing = await byUser();
    if (existing) return toVisitor(existing);
    if (candidateId) {
      try {
        const [bound] = await this.#db.query<VisitorRow>('UPDATE visitors SET user_id = $2, verified = true WHERE id = $1 AND user_id IS NULL RETURNING *', [
          candidateId,
          userId,
        ]);
        if (bound) return toVisitor(bound);
      } catch (err) {
        if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
        const winner = await byUser();
        if (winner) return toVisitor(winner);
        throw err;
      }
    }
    const [inserted] = await this.#db.query<VisitorRow>(
      `INSERT INTO visitors (id, name, email, created_at, user_id, verified) VALUES ($1, $2, $3, $4, $5, true)
       ON CONFLICT (user_id) WHERE user_id IS NOT NULL DO NOTHING RETURNING *`,
      [newId(), defaults.name, defaults.email, this.#clock.now(), userId],
    );
    if (inserted) return toVisitor(inserted);
    const winner = await byUser();
    if (!winner) throw new Error('verified visitor vanished during bind');
    return toVisitor(winner);
  }

  async setVisitorAttributes(id: string, attributes: Record<string, VisitorAttribute>): Promise<VisitorRecord | null> {
    const [row] = await this.#db.query<VisitorRow>('UPDATE visitors SET attributes = $2 WHERE id = $1 RETURNING *', [id, JSON.stringify(attributes)]);
    return row ? toVisitor(row) : null;
  }

  // ---- express sessions

  async sessionGet(sid: string, now: number): Promise<string | null> {
    const [row] = await this.#db.query<{ data: string }>('SELECT data FROM sessions WHERE sid = $1 AND expires_at > $2', [sid, now]);
    return row ? row.data : null;
  }

  async sessionSet(sid: string, data: string, expiresAt: number): Promise<void> {
    await this.#db.execute(
      `INSERT INTO sessions (sid, data, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
      [sid, data, expiresAt],
    );
  }

  async sessionTouch(sid: string, expiresAt: number): Promise<void> {
    // An asynchronous commit: no wait for the WAL flush. set_config(…, true) lasts until the end of this
    // statement's own transaction, so the pooled connection keeps its setting for everything after.
    await this.#db.execute(
      `UPDATE sessions SET expires_at = $2
       WHERE sid = $1 AND set_config('synchronous_commit', 'off', true) IS NOT NULL`,
      [sid, expiresAt],
    );
  }

  async sessionDestroy(sid: string): Promise<void> {
    await this.#db.execute('DELETE FROM sessions WHERE sid = $1', [sid]);
  }

  sessionPrune(now: number): Promise<number> {
    return this.#db.execute('DELETE FROM sessions WHERE expires_at <= $1', [now]);
  }

  // ---- login throttling

  async loginFailureRecord(key: string, at: number): Promise<void> {
    await this.#db.execute('INSERT INTO login_failures (key, at) VALUES ($1, $2)', [key, at]);
  }

  async loginFailureCount(key: string, since: number): Promise<number> {
    const [row] = await this.#db.query<{ n: number }>('SELECT count(*)::int AS n FROM login_failures WHERE key = $1 AND at >= $2', [key, since]);
    return row.n;
  }

  async loginFailurePrune(before: number): Promise<void> {
    await this.#db.execute('DELETE FROM login_failures WHERE at < $1', [before]);
  }

  async loginFailureClear(key: string): Promise<void> {
    await this.#db.execute('DELETE FROM login_failures WHERE key = $1', [key]);
  }

  // ---- conversations, messages, read positions (conversations.ts)

  openConversation(visitor: { id: string; name: string }, now: number): Promise<OpenResult> {
    return conversations.openConversation(this.#db, visitor, now);
  }

  getConversation(id: string): Promise<ConversationRecord | null> {
    return conversations.getConversation(this.#db, id);
  }

  getCurrentConversation(visitorId: string): Promise<ConversationRecord | null> {
    return conversations.getCurrentConversation(this.#db, visitorId);
  }

  getOpenConversations(visitorIds: readonly string[]): Promise<ConversationRecord[]> {
    return conversations.getOpenConversations(this.#db, visitorIds);
  }

  listConversations(filter: ConversationFilter): Promise<ConversationRecord[]> {
    return conversations.listConversations(this.#db, filter);
  }

  listQueue(): Promise<ConversationRecord[]> {
    return conversations.listQueue(this.#db);
  }

  listQueueFrom(queuedAt: number): Promise<QueueTail> {
    return conversations.listQueueFrom(this.#db, queuedAt);
  }

  queuePositions(conversationIds: readonly string[]): Promise<Map<string, number>> {
    return conversations.queuePositions(this.#db, conversationIds);
  }

  claim(id: string, agent: { id: string; name: string }): Promise<TransitionResult> {
    return conversations.claim(this.#db, id, agent, this.#clock.now());
  }

  // ---- routing

  assign(id: string, agent: { id: string; name: string }, capacity: number, now: number): Promise<TransitionResult | { kind: 'at_capacity' }> {
    return routing.assign(this.#db, id, agent, capacity, now);
  }

  agentLoads(): Promise<AgentLoad[]> {
    return routing.agentLoads(this.#db);
  }

  getSettings(): Promise<Map<string, string>> {
    return routing.getSettings(this.#db);
  }

  putSettings(values: ReadonlyMap<string, string>, now: number): Promise<void> {
    return routing.putSettings(this.#db, values, now);
  }

  release(id: string, agentId: string | null): Promise<TransitionResult> {
    return conversations.release(this.#db, id, agentId);
  }

  transfer(id: string, fromAgentId: string | null, to: { id: string; name: string }): Promise<TransitionResult> {
    return conversations.transfer(this.#db, id, fromAgentId, to);
  }

  closeConversation(id: string, agentId: string | null, now: number): Promise<TransitionResult> {
    return conversations.closeConversation(this.#db, id, agentId, now);
  }

  appendMessage(input: NewMessage): Promise<AppendResult> {
    return this.#appends.append(input);
  }

  appendVisitorMessage(visitorId: string, input: NewVisitorMessage): Promise<AppendResult | { kind: 'no_open_conversation' }> {
    return this.#appends.appendVisitor(visitorId, input);
  }

  getMessages(conversationId: string, page: HistoryPage): Promise<MessageRecord[]> {
    return conversations.getMessages(this.#db, conversationId, page);
  }

  reportConversations(range: ReportRange): Promise<ReportConversation[]> {
    return conversations.reportConversations(this.#db, range);
  }

  addNote(input: NewNote): Promise<AddNoteResult> {
    return notes.addNote(this.#db, this.#ids, input);
  }

  getNotes(conversationId: string, range: NoteRange): Promise<NoteRecord[]> {
    return notes.getNotes(this.#db, conversationId, range);
  }

  searchMessages(query: SearchQuery): Promise<MessageSearchHit[]> {
    return search.searchMessages(this.#db, query);
  }

  searchVisitors(query: SearchQuery): Promise<VisitorSearchHit[]> {
    return search.searchVisitors(this.#db, query);
  }

  addTag(conversationId: string, tag: string, max: number, now: number): Promise<TagChangeResult> {
    return search.addTag(this.#db, conversationId, tag, max, now);
  }

  removeTag(conversationId: string, tag: string): Promise<TagChangeResult> {
    return search.removeTag(this.#db, conversationId, tag);
  }

  getTags(conversationIds: readonly string[]): Promise<Record<string, string[]>> {
    return search.getTags(this.#db, conversationIds);
  }

  setReadPosition(pos: ReadPosition): Promise<boolean> {
    return conversations.setReadPosition(this.#db, pos);
  }

  getReadPositions(conversationId: string): Promise<ReadPosition[]> {
    return conversations.getReadPositions(this.#db, conversationId);
  }

  // ---- attachments (attachments.ts)

  putAttachment(input: NewAttachment): Promise<AttachmentRecord> {
    return attachments.putAttachment(this.#db, input);
  }

  getAttachment(id: string): Promise<AttachmentRecord | null> {
    return attachments.getAttachment(this.#db, id);
  }

  getAttachmentData(id: string): Promise<Uint8Array | null> {
    return attachments.getAttachmentData(this.#db, id);
  }

  attachmentConversations(id: string, limit: number): Promise<string[]> {
    return attachments.attachmentConversations(this.#db, id, limit);
  }

  countUnsentAttachments(owner: { kind: 'visitor' | 'agent'; id: string }, since: number): Promise<number> {
    return attachments.countUnsentAttachments(this.#db, owner, since);
  }

  pruneAttachments(before: number): Promise<number> {
    return attachments.pruneAttachments(this.#db, before);
  }
}

/** Opens a pool on `url` (`postgres://…`) and checks it answers. Call migrate() before use. */
export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const { poolSize = DEFAULT_POOL_SIZE, logger = createLogger('warn'), clock, ids, appendBatches } = opts;
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  const store = new PostgresStore(pool, logger, { clock, ids, appendBatches });
  try {
    await store.ping();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
