// The SQL of the SQLite engine, prepared once per connection, and the mapping
// of its rows to store records. Values are always bound, never spliced in.

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AuthorKind, ConversationStatus, Role } from '../../protocol/shapes.ts';
import type { AgentRecord, ConversationFilter, ConversationRecord, MessageRecord, ReadPosition, VisitorRecord } from '../store.ts';

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
const CONVERSATION = `*, ${LAST_SEQ}`;

const SQL = {
  insertAgent: `INSERT INTO agents (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING RETURNING *`,
  agentById: 'SELECT * FROM agents WHERE id = ?',
  agentByEmail: 'SELECT * FROM agents WHERE email = ? COLLATE NOCASE',
  listAgents: 'SELECT * FROM agents ORDER BY created_at, id',
  countAdmins: `SELECT count(*) AS n FROM agents WHERE role = 'admin'`,

  insertVisitor: 'INSERT INTO visitors (id, name, email, created_at) VALUES (?, ?, ?, ?) RETURNING *',
  visitorById: 'SELECT * FROM visitors WHERE id = ?',
  // ?2 = new name or NULL to keep; ?3 = 1 when the email is patched, to ?4.
  updateVisitor: `UPDATE visitors SET name = coalesce(?2, name), email = CASE WHEN ?3 THEN ?4 ELSE email END
    WHERE id = ?1 RETURNING *`,
  renameInOpenConversations: `UPDATE conversations SET visitor_name = ?2 WHERE visitor_id = ?1 AND ${OPEN}`,

  sessionGet: 'SELECT data FROM sessions WHERE sid = ? AND expires_at > ?',
  sessionSet: `INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)
    ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
  sessionTouch: 'UPDATE sessions SET expires_at = ?2 WHERE sid = ?1',
  sessionDestroy: 'DELETE FROM sessions WHERE sid = ?',
  sessionPrune: 'DELETE FROM sessions WHERE expires_at <= ?',

  loginFailureRecord: 'INSERT INTO login_failures (key, at) VALUES (?, ?)',
  loginFailureCount: 'SELECT count(*) AS n FROM login_failures WHERE key = ? AND at >= ?',
  loginFailurePrune: 'DELETE FROM login_failures WHERE at < ?',
  loginFailureClear: 'DELETE FROM login_failures WHERE key = ?',

  // Loses quietly to the partial unique index when the visitor already has an open one.
  insertConversation: `INSERT INTO conversations (id, visitor_id, visitor_name, status, queued_at, created_at)
    VALUES (?1, ?2, ?3, 'queued', ?4, ?4)
    ON CONFLICT (visitor_id) WHERE ${OPEN} DO NOTHING RETURNING *, 0 AS last_seq`,
  openConversationOf: `SELECT ${CONVERSATION} FROM conversations WHERE visitor_id = ? AND ${OPEN}`,
  conversationById: `SELECT ${CONVERSATION} FROM conversations WHERE id = ?`,
  currentConversation: `SELECT ${CONVERSATION} FROM conversations WHERE visitor_id = ? ORDER BY (${OPEN}) DESC, created_at DESC, id DESC LIMIT 1`,
  listQueue: `SELECT ${CONVERSATION} FROM conversations WHERE status = 'queued' ${QUEUE_ORDER}`,

  // Transitions: one conditional UPDATE each; no row back means the precondition failed.
  claim: `UPDATE conversations SET status = 'active', agent_id = ?2, agent_name = ?3
    WHERE id = ?1 AND status = 'queued' RETURNING ${CONVERSATION}`,
  release: `UPDATE conversations SET status = 'queued', agent_id = NULL, agent_name = NULL
    WHERE id = ?1 AND status = 'active' AND (?2 IS NULL OR agent_id = ?2) RETURNING ${CONVERSATION}`,
  transfer: `UPDATE conversations SET agent_id = ?3, agent_name = ?4
    WHERE id = ?1 AND status = 'active' AND (?2 IS NULL OR agent_id = ?2) RETURNING ${CONVERSATION}`,
  closeConversation: `UPDATE conversations SET status = 'closed', closed_at = ?3
    WHERE id = ?1 AND (status = 'queued' OR (status = 'active' AND (?2 IS NULL OR agent_id = ?2))) RETURNING ${CONVERSATION}`,

  // INDEXED BY: the (conversation_id, seq) index would scan the whole conversation.
  messageByClientId: 'SELECT * FROM messages INDEXED BY messages_client_id WHERE client_id = ?2 AND conversation_id = ?1',
  insertMessage: `INSERT INTO messages (id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  messagesAfter: 'SELECT * FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?',
  messagesBetween: 'SELECT * FROM messages WHERE conversation_id = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?',
  // Descending, to take the last `limit`: the caller reverses them.
  messagesBefore: 'SELECT * FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
  messagesLatest: 'SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?',

  // Clamped to the last seq and only ever forward, in one statement: a row changes
  // only when the position advanced. (The SELECT's WHERE keeps the upsert unambiguous.)
  setReadPosition: `INSERT INTO read_positions (conversation_id, participant_kind, participant_id, seq)
    SELECT id, ?2, ?3, min(?4, last_seq) FROM (SELECT ${CONVERSATION} FROM conversations WHERE id = ?1) WHERE min(?4, last_seq) > 0
    ON CONFLICT (conversation_id, participant_kind, participant_id)
    DO UPDATE SET seq = max(read_positions.seq, excluded.seq) WHERE excluded.seq > read_positions.seq`,
  readPositions: 'SELECT * FROM read_positions WHERE conversation_id = ? ORDER BY participant_kind, participant_id',
} as const;

export type Statements = { readonly [K in keyof typeof SQL]: StatementSync };

export function prepareStatements(db: DatabaseSync): Statements {
  return Object.fromEntries(Object.entries(SQL).map(([key, sql]) => [key, db.prepare(sql)])) as Statements;
}

/**
 * listConversations has one statement per combination of filters, built from
 * constant fragments only (the values are bound) and cached by its key.
 * Parameters, in order: status, agentId, visitorId (those present), limit.
 */
export function listConversationsSql(filter: ConversationFilter): { key: string; sql: string; params: (string | number)[] } {
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
  const order = filter.status === 'queued' ? QUEUE_ORDER : NEWEST_FIRST;
  const sql = `SELECT ${CONVERSATION} FROM conversations${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ${order} LIMIT ?`;
  return { key: sql, sql, params };
}

/** An insert hit UNIQUE (conversation_id, client_id) of messages (SQLITE_CONSTRAINT_UNIQUE). */
// ---- rows → records

type Row = Record<string, unknown>;

export function toAgent(r: Row): AgentRecord {
  return {
    id: r.id as string,
    email: r.email as string,
    name: r.name as string,
    role: r.role as Role,
    passwordHash: r.password_hash as string,
    createdAt: Number(r.created_at),
  };
}

export function toVisitor(r: Row): VisitorRecord {
  return { id: r.id as string, name: r.name as string, email: (r.email as string | null) ?? null, createdAt: Number(r.created_at) };
}

export function toConversation(r: Row): ConversationRecord {
  return {
    id: r.id as string,
    visitorId: r.visitor_id as string,
    visitorName: r.visitor_name as string,
    status: r.status as ConversationStatus,
    agentId: (r.agent_id as string | null) ?? null,
    agentName: (r.agent_name as string | null) ?? null,
    lastSeq: Number(r.last_seq),
    queuedAt: Number(r.queued_at),
    createdAt: Number(r.created_at),
    closedAt: r.closed_at === null || r.closed_at === undefined ? null : Number(r.closed_at),
  };
}

export function toMessage(r: Row): MessageRecord {
  return {
    id: r.id as string,
    conversationId: r.conversation_id as string,
    seq: Number(r.seq),
    clientId: r.client_id as string,
    authorKind: r.author_kind as AuthorKind,
    authorId: r.author_id as string,
    authorName: r.author_name as string,
    body: r.body as string,
    createdAt: Number(r.created_at),
  };
}

export function toReadPosition(r: Row): ReadPosition {
  return {
    conversationId: r.conversation_id as string,
    participantKind: r.participant_kind as 'visitor' | 'agent',
    participantId: r.participant_id as string,
    seq: Number(r.seq),
  };
}
