// The SQL of the SQLite engine, prepared once per connection, each statement
// typed with the row it returns (../rows.ts maps rows to records). Values are
// always bound, never spliced in.

import type { DatabaseSync, SQLInputValue, StatementResultingChanges } from 'node:sqlite';
import type { AgentRow, AttachmentRow, ConversationRow, MessageRow, ReadPositionRow, ReportRow, VisitorRow } from '../rows.ts';
import type { ConversationFilter } from '../store.ts';

/** A prepared statement whose rows have the shape R (node:sqlite types every row as a loose record). */
export interface Query<R> {
  get(...params: SQLInputValue[]): R | undefined;
  all(...params: SQLInputValue[]): R[];
  run(...params: SQLInputValue[]): StatementResultingChanges;
}

/** SQL text tagged with the row its statement returns: a type only, a plain string at run time. */
export type Sql<R> = string & { readonly __row?: R };
const sql = <R = never>(text: string): Sql<R> => text;
type RowOf<S> = S extends Sql<infer R> ? R : never;

const OPEN = `status IN ('queued', 'active')`;
const QUEUE_ORDER = 'ORDER BY queued_at, id';
const NEWEST_FIRST = 'ORDER BY created_at DESC, id DESC';
/**
 * A conversation's last seq is not stored in its row (migration 3): appending a
 * message would rewrite the row's page too. It is read off the end of the
 * messages' (conversation_id, seq) index, a seek to the page the next insert
 * writes anyway. Every statement that returns conversation rows adds it.
 */
const LAST_SEQ = '(SELECT coalesce(max(seq), 0) FROM messages WHERE messages.conversation_id = conversations.id) AS last_seq';
/** How far each side has read: the primary key of read_positions leads with (conversation_id, participant_kind). */
const READ_SEQ = (kind: 'visitor' | 'agent') =>
  `(SELECT coalesce(max(seq), 0) FROM read_positions r WHERE r.conversation_id = conversations.id AND r.participant_kind = '${kind}') AS ${kind}_read_seq`;
const CONVERSATION = `*, ${LAST_SEQ}, ${READ_SEQ('visitor')}, ${READ_SEQ('agent')}`;
/**
 * The ids of a batched read, bound as one JSON array: one statement whatever the count, and no
 * limit on bound parameters to meet.
 */
const IN_IDS = 'IN (SELECT value FROM json_each(?))';

const SQL = {
  insertAgent: sql<AgentRow>(`INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING RETURNING *`),
  agentById: sql<AgentRow>('SELECT * FROM agents WHERE id = ?'),
  agentsByIds: sql<AgentRow>(`SELECT * FROM agents WHERE id ${IN_IDS}`),
  agentByEmail: sql<AgentRow>('SELECT * FROM agents WHERE email = ? COLLATE NOCASE'),
  listAgents: sql<AgentRow>('SELECT * FROM agents ORDER BY created_at, id'),
  setAgentLanguage: sql<AgentRow>('UPDATE agents SET language = ? WHERE id = ? RETURNING *'),
  countAdmins: sql<{ n: number }>(`SELECT count(*) AS n FROM agents WHERE role = 'admin'`),
  countActiveAdmins: sql<{ n: number }>(`SELECT count(*) AS n FROM agents WHERE role = 'admin' AND disabled = 0`),
  // NULL keeps a field; ?6 = 1 raises the session epoch. The revision is the next one of the table:
  // writes are serialised (one writer), so revisions are committed in order.
  // ?7 = 1 sets capacity to ?8 (NULL included: back to the team's default).
  updateAgent: sql<AgentRow>(`UPDATE agents SET name = coalesce(?2, name), role = coalesce(?3, role), disabled = coalesce(?4, disabled),
    password_hash = coalesce(?5, password_hash), session_epoch = session_epoch + ?6, capacity = CASE WHEN ?7 = 1 THEN ?8 ELSE capacity END,
    revision = (SELECT coalesce(max(revision), 0) + 1 FROM agents) WHERE id = ?1 RETURNING *`),
  renameInAgentConversations: sql(`UPDATE conversations SET agent_name = ?2, revision = revision + 1 WHERE agent_id = ?1 AND status = 'active'`),
  // Closed conversations keep their agent_id (conversations_by_agent); a released one does not, but
  // whoever wrote in it left messages under their id (no index: a rare admin action reads them all).
  agentHandled: sql<{ handled: number }>(`SELECT (EXISTS (SELECT 1 FROM conversations WHERE agent_id = ?1)
    OR EXISTS (SELECT 1 FROM messages WHERE author_kind = 'agent' AND author_id = ?1)) AS handled`),
  deleteAgent: sql('DELETE FROM agents WHERE id = ?'),
  agentsChangedSince: sql<AgentRow>('SELECT * FROM agents WHERE revision > ? ORDER BY revision'),

  // Routing: each agent's active conversations (the partial index conversations_active_by_agent).
  activeCountOf: sql<{ n: number }>(`SELECT count(*) AS n FROM conversations WHERE agent_id = ? AND status = 'active'`),
  agentLoads: sql<{ id: string; name: string; capacity: number | null; last_assigned_at: number | null; active: number }>(
    `SELECT a.id, a.name, a.capacity, a.last_assigned_at,
       (SELECT count(*) FROM conversations c WHERE c.agent_id = a.id AND c.status = 'active') AS active
     FROM agents a WHERE a.disabled = 0`,
  ),
  markAssigned: sql('UPDATE agents SET last_assigned_at = ?2 WHERE id = ?1'),
  getSettings: sql<{ key: string; value: string }>('SELECT key, value FROM settings'),
  putSetting: sql(`INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),

  insertVisitor: sql<VisitorRow>('INSERT INTO visitors (id, name, email, created_at) VALUES (?, ?, ?, ?) RETURNING *'),
  visitorById: sql<VisitorRow>('SELECT * FROM visitors WHERE id = ?'),
  visitorByUserId: sql<VisitorRow>('SELECT * FROM visitors WHERE user_id = ?'),
  bindAnonymousVisitor: sql<VisitorRow>('UPDATE visitors SET user_id = ?2, verified = 1 WHERE id = ?1 AND user_id IS NULL RETURNING *'),
  insertVerifiedVisitor: sql<VisitorRow>('INSERT INTO visitors (id, name, email, created_at, user_id, verified) VALUES (?, ?, ?, ?, ?, 1) RETURNING *'),
  setVisitorAttributes: sql<VisitorRow>('UPDATE visitors SET attributes = ?2 WHERE id = ?1 RETURNING *'),
  visitorsByIds: sql<VisitorRow>(`SELECT * FROM visitors WHERE id ${IN_IDS}`),
  // ?2 = new name or NULL to keep; ?3 = 1 when the email is patched, to ?4.
  updateVisitor: sql<VisitorRow>(`UPDATE visitors SET name = coalesce(?2, name), email = CASE WHEN ?3 THEN ?4 ELSE email END
    WHERE id = ?1 RETURNING *`),
  renameInOpenConversations: sql(`UPDATE conversations SET visitor_name = ?2, revision = revision + 1 WHERE visitor_id = ?1 AND ${OPEN}`),

  sessionGet: sql<{ data: string }>('SELECT data FROM sessions WHERE sid = ? AND expires_at > ?'),
  sessionSet: sql(`INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)
    ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`),
  sessionTouch: sql('UPDATE sessions SET expires_at = ?2 WHERE sid = ?1'),
  sessionDestroy: sql('DELETE FROM sessions WHERE sid = ?'),
  sessionPrune: sql('DELETE FROM sessions WHERE expires_at <= ?'),

  loginFailureRecord: sql('INSERT INTO login_failures (key, at) VALUES (?, ?)'),
  loginFailureCount: sql<{ n: number }>('SELECT count(*) AS n FROM login_failures WHERE key = ? AND at >= ?'),
  loginFailurePrune: sql('DELETE FROM login_failures WHERE at < ?'),
  loginFailureClear: sql('DELETE FROM login_failures WHERE key = ?'),

  // Loses quietly to the partial unique index when the visitor already has an open one.
  insertConversation: sql<ConversationRow>(`INSERT INTO conversations (id, visitor_id, visitor_name, status, queued_at, created_at)
    VALUES (?1, ?2, ?3, 'queued', ?4, ?4)
    ON CONFLICT (visitor_id) WHERE ${OPEN} DO NOTHING RETURNING *, 0 AS last_seq, 0 AS visitor_read_seq, 0 AS agent_read_seq`),
  openConversationOf: sql<ConversationRow>(`SELECT ${CONVERSATION} FROM conversations WHERE visitor_id = ? AND ${OPEN}`),
  // INDEXED BY: with a list of visitors the planner would rather scan every open conversation by status.
  openConversationsOf: sql<ConversationRow>(`SELECT ${CONVERSATION} FROM conversations INDEXED BY conversations_one_open_per_visitor
    WHERE visitor_id ${IN_IDS} AND ${OPEN}`),
  conversationById: sql<ConversationRow>(`SELECT ${CONVERSATION} FROM conversations WHERE id = ?`),
  currentConversation: sql<ConversationRow>(`SELECT ${CONVERSATION} FROM conversations WHERE visitor_id = ? ORDER BY (${OPEN}) DESC, created_at DESC, id DESC LIMIT 1`),
  listQueue: sql<ConversationRow>(`SELECT ${CONVERSATION} FROM conversations WHERE status = 'queued' ${QUEUE_ORDER}`),
  // The queue from ?1 on, each row with how many are queued before ?1 (one uncorrelated count, run once).
  listQueueFrom: sql<ConversationRow & { ahead: number }>(`SELECT ${CONVERSATION},
      (SELECT count(*) FROM conversations WHERE status = 'queued' AND queued_at < ?1) AS ahead
    FROM conversations WHERE status = 'queued' AND queued_at >= ?1 ${QUEUE_ORDER}`),
  // The places of the asked conversations that are queued: the queued rows from the first of them to
  // the last, numbered, plus one count of those before the first. Both are ranges of the covering
  // (status, queued_at, id) index: a batch costs one count, not one per conversation.
  queuePositions: sql<{ id: string; position: number }>(`WITH
      want AS MATERIALIZED (SELECT c.queued_at, c.id FROM json_each(?) j CROSS JOIN conversations c ON c.id = j.value WHERE c.status = 'queued'),
      lo AS (SELECT queued_at, id FROM want ORDER BY queued_at, id LIMIT 1),
      hi AS (SELECT queued_at, id FROM want ORDER BY queued_at DESC, id DESC LIMIT 1),
      span AS (SELECT id, row_number() OVER (${QUEUE_ORDER}) AS k FROM conversations
        WHERE status = 'queued' AND (queued_at, id) >= (SELECT queued_at, id FROM lo) AND (queued_at, id) <= (SELECT queued_at, id FROM hi))
    SELECT id, k + (SELECT count(*) FROM conversations WHERE status = 'queued' AND (queued_at, id) < (SELECT queued_at, id FROM lo)) AS position
    FROM span WHERE id IN (SELECT id FROM want)`),

  // Transitions: one conditional UPDATE each; no row back means the precondition failed.
  // The first claim is recorded for reports (?4: now); a re-claim after a release keeps it.
  claim: sql<ConversationRow>(`UPDATE conversations SET status = 'active', agent_id = ?2, agent_name = ?3, revision = revision + 1,
      claimed_by = CASE WHEN claimed_at IS NULL THEN ?2 ELSE claimed_by END, claimed_at = coalesce(claimed_at, ?4)
    WHERE id = ?1 AND status = 'queued' RETURNING ${CONVERSATION}`),
  release: sql<ConversationRow>(`UPDATE conversations SET status = 'queued', agent_id = NULL, agent_name = NULL, revision = revision + 1
    WHERE id = ?1 AND status = 'active' AND (?2 IS NULL OR agent_id = ?2) RETURNING ${CONVERSATION}`),
  transfer: sql<ConversationRow>(`UPDATE conversations SET agent_id = ?3, agent_name = ?4, revision = revision + 1
    WHERE id = ?1 AND status = 'active' AND (?2 IS NULL OR agent_id = ?2) RETURNING ${CONVERSATION}`),
  closeConversation: sql<ConversationRow>(`UPDATE conversations SET status = 'closed', closed_at = ?3, revision = revision + 1
    WHERE id = ?1 AND (status = 'queued' OR (status = 'active' AND (?2 IS NULL OR agent_id = ?2))) RETURNING ${CONVERSATION}`),

  // INDEXED BY: the (conversation_id, seq) index would scan the whole conversation.
  messageByClientId: sql<MessageRow>('SELECT * FROM messages INDEXED BY messages_client_id WHERE client_id = ?2 AND conversation_id = ?1'),
  insertMessage: sql(`INSERT INTO messages (id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at,
      attachment_id, attachment_name, attachment_type, attachment_size)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),

  // Attachments (migration 9). The bytes only where asked for: the other reads never touch them.
  insertAttachment: sql<AttachmentRow>(`INSERT INTO attachments (id, owner_kind, owner_id, name, type, size, created_at, data)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, owner_kind, owner_id, name, type, size, created_at`),
  attachmentById: sql<AttachmentRow>('SELECT id, owner_kind, owner_id, name, type, size, created_at FROM attachments WHERE id = ?'),
  attachmentData: sql<{ data: Uint8Array }>('SELECT data FROM attachments WHERE id = ?'),
  attachmentConversations: sql<{ conversation_id: string }>('SELECT DISTINCT conversation_id FROM messages WHERE attachment_id = ? LIMIT ?'),
  countUnsentAttachments: sql<{ n: number }>(`SELECT count(*) AS n FROM attachments a WHERE owner_kind = ? AND owner_id = ? AND created_at >= ?
    AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.attachment_id = a.id)`),
  pruneAttachments: sql(`DELETE FROM attachments WHERE created_at < ?
    AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.attachment_id = attachments.id)`),
  // An agent's first message: written once per conversation (#append checks the row it read first).
  setFirstReply: sql('UPDATE conversations SET first_reply_at = ?2 WHERE id = ?1 AND first_reply_at IS NULL'),
  messagesAfter: sql<MessageRow>('SELECT * FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?'),
  messagesBetween: sql<MessageRow>('SELECT * FROM messages WHERE conversation_id = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?'),
  // Descending, to take the last `limit`: the caller reverses them.
  messagesBefore: sql<MessageRow>('SELECT * FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
  messagesLatest: sql<MessageRow>('SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?'),

  // Clamped to the last seq and only ever forward, in one statement: a row changes
  // only when the position advanced. (The SELECT's WHERE keeps the upsert unambiguous.)
  setReadPosition: sql(`INSERT INTO read_positions (conversation_id, participant_kind, participant_id, seq)
    SELECT id, ?2, ?3, min(?4, last_seq) FROM (SELECT ${CONVERSATION} FROM conversations WHERE id = ?1) WHERE min(?4, last_seq) > 0
    ON CONFLICT (conversation_id, participant_kind, participant_id)
    DO UPDATE SET seq = max(read_positions.seq, excluded.seq) WHERE excluded.seq > read_positions.seq`),
  // Reports: each branch a range of its own index (created_at, claimed_at, closed_at); the message
  // count is the end of the messages' (conversation_id, seq) index, as LAST_SEQ. ?3: an agent or NULL; ?4: a tag or NULL.
  reportConversations: sql<ReportRow>(`SELECT id, status, created_at, claimed_at, claimed_by, first_reply_at, closed_at, agent_id,
      (SELECT coalesce(max(seq), 0) FROM messages WHERE messages.conversation_id = conversations.id) AS message_count
    FROM conversations WHERE id IN (
      SELECT id FROM conversations WHERE created_at >= ?1 AND created_at < ?2
      UNION SELECT id FROM conversations WHERE claimed_at >= ?1 AND claimed_at < ?2
      UNION SELECT id FROM conversations WHERE closed_at >= ?1 AND closed_at < ?2)
    AND (?3 IS NULL OR claimed_by = ?3 OR agent_id = ?3)
    AND (?4 IS NULL OR EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = conversations.id AND t.tag = ?4))`),
  readPositions: sql<ReadPositionRow>('SELECT * FROM read_positions WHERE conversation_id = ? ORDER BY participant_kind, participant_id'),
} as const;

export type Statements = { readonly [K in keyof typeof SQL]: Query<RowOf<(typeof SQL)[K]>> };

/** Prepares `text` typed with its rows: the cast is where the tag on the SQL becomes the statement's type. */
export function prepare<R>(db: DatabaseSync, text: Sql<R>): Query<R> {
  return db.prepare(text) as unknown as Query<R>;
}

/** Every statement, prepared once. node:sqlite's StatementSync returns untyped rows: the cast gives each its tag's row type. */
export function prepareStatements(db: DatabaseSync): Statements {
  return Object.fromEntries(Object.entries(SQL).map(([key, text]) => [key, db.prepare(text)])) as unknown as Statements;
}

/**
 * listConversations has one statement per combination of filters, built from
 * constant fragments only (the values are bound) and cached by its text.
 * Parameters, in order: status, agentId, visitorId, before (those present), limit.
 */
export function listConversationsSql(filter: ConversationFilter): { sql: Sql<ConversationRow>; params: (string | number)[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    where.push(`${column} = ?`);
    params.push(value);
  };
  add('status', filter.status);
  add('agent_id', filter.agentId);
  add('visitor_id', filter.visitorId);
  if (filter.before) {
    where.push('(created_at < ? OR (created_at = ? AND id < ?))');
    params.push(filter.before.createdAt, filter.before.createdAt, filter.before.id);
  }
  const order = filter.status === 'queued' && !filter.newestFirst && !filter.before ? QUEUE_ORDER : NEWEST_FIRST;
  const text = `SELECT ${CONVERSATION} FROM conversations${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ${order} LIMIT ?`;
  return { sql: sql<ConversationRow>(text), params };
}
