// Search and tags in the PostgreSQL engine (#17): to_tsquery over the GIN expression indexes of
// migration 9 (the expressions below repeat the indexes' exactly, or the planner cannot use them),
// and the conversation_tags table. The user's words never reach tsquery syntax: a term is letters,
// digits and marks only (others are dropped here too), each quoted, `:*` after a prefix term.

import { type ConversationRow, type MessageRow, toConversation, toMessage, toVisitor, type VisitorRow } from '../rows.ts';
import type { ConversationRecord, MessageSearchHit, SearchQuery, TagChangeResult, VisitorSearchHit } from '../store.ts';
import type { QueryResultRow } from 'pg';
import type { Db } from './db.ts';

const WORD_ONLY = /^[\p{L}\p{N}\p{M}]+$/u;

/** tsquery text: every term quoted, AND-ed. Empty when no term is left (the caller returns nothing). */
export function tsQuery(terms: SearchQuery['terms']): string {
  return terms
    .filter((t) => WORD_ONLY.test(t.text))
    .map((t) => `'${t.text}'${t.prefix ? ':*' : ''}`)
    .join(' & ');
}

/** Punctuation PostgreSQL's parser keeps inside tokens, turned into spaces (as migration 9's indexes do). */
const SPLIT = `'@.:/+_=?&#%~-', '             '`;
/** migration 9's stored column. */
const MESSAGE_DOC = 'search_doc';
const VISITOR_DOC = `to_tsvector('simple'::regconfig, translate(v.name || ' ' || coalesce(v.email, ''), ${SPLIT}))`;
const QUERY = `to_tsquery('simple'::regconfig, $1)`;
/** A non-admin ($2 their id) does not see another agent's active conversation. */
const VIEWABLE = `($2::text IS NULL OR c.status <> 'active' OR c.agent_id = $2)`;

function params(query: SearchQuery, text: string): unknown[] {
  return [text, query.viewer.admin ? null : query.viewer.agentId, query.limit, query.offset];
}

async function conversationsById(db: Db, ids: string[]): Promise<Map<string, ConversationRecord>> {
  const rows = await db.query<ConversationRow>('SELECT * FROM conversations WHERE id = ANY($1::text[])', [[...new Set(ids)]]);
  return new Map(rows.map((r) => [r.id, toConversation(r)]));
}

/** $1 tsquery text, $2 viewer or NULL, $3 limit, $4 offset, $5 candidates. Exported for bench/search.ts --explain. */
export const MESSAGES_SQL = `WITH hits AS MATERIALIZED (
    SELECT id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at,
      ts_rank_cd(${MESSAGE_DOC}, ${QUERY}, 1) AS score
    FROM messages WHERE ${MESSAGE_DOC} @@ ${QUERY} ORDER BY id DESC LIMIT $5)
  SELECT m.* FROM hits m JOIN conversations c ON c.id = m.conversation_id
  WHERE ${VIEWABLE}
  ORDER BY m.score DESC, m.id DESC
  LIMIT $3 OFFSET $4`;

export async function searchMessages(db: Db, query: SearchQuery): Promise<MessageSearchHit[]> {
  const text = tsQuery(query.terms);
  if (text === '') return [];
  // The newest $5 matches (message ids are time-ordered: the primary key walked backwards, or the
  // GIN index for a rarer query, as the planner estimates), then ranked: ts_rank_cd for those only.
  const rows = await db.query<MessageRow>(MESSAGES_SQL, [...params(query, text), query.candidates]);
  const conversations = await conversationsById(
    db,
    rows.map((r) => r.conversation_id),
  );
  return rows.map((r) => ({ message: toMessage(r), conversation: conversations.get(r.conversation_id)! }));
}

export async function searchVisitors(db: Db, query: SearchQuery): Promise<VisitorSearchHit[]> {
  const text = tsQuery(query.terms);
  if (text === '') return [];
  const rows = await db.query<VisitorRow & { conversation_id: string }>(
    // The matching visitors first (the GIN index), then each one's latest readable conversation: left
    // to itself, with an agent's filter the planner would rather walk the conversations and test
    // every visitor's name (half a second on a year of data).
    `WITH matched AS MATERIALIZED (SELECT * FROM visitors v WHERE ${VISITOR_DOC} @@ ${QUERY})
     SELECT v.*, latest.id AS conversation_id FROM matched v
     CROSS JOIN LATERAL (
       SELECT c.id FROM conversations c WHERE c.visitor_id = v.id AND ${VIEWABLE} ORDER BY c.created_at DESC, c.id DESC LIMIT 1
     ) latest
     ORDER BY v.created_at DESC, v.id DESC LIMIT $3 OFFSET $4`,
    params(query, text),
  );
  const conversations = await conversationsById(
    db,
    rows.map((r) => r.conversation_id),
  );
  return rows.map((r) => ({ visitor: toVisitor(r), conversation: conversations.get(r.conversation_id)! }));
}

/** Tag changes of one conversation take turns on a transaction-scoped advisory lock (appends are not held up). */
const TAG_LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('tags:' || $1, 0))`;

async function tagsOf(db: Pick<Db, 'query'>, conversationId: string): Promise<string[]> {
  const rows = await db.query<{ tag: string }>('SELECT tag FROM conversation_tags WHERE conversation_id = $1 ORDER BY tag', [conversationId]);
  return rows.map((r) => r.tag);
}

export async function addTag(db: Db, conversationId: string, tag: string, max: number, now: number): Promise<TagChangeResult> {
  return db.transaction(async (client): Promise<TagChangeResult> => {
    const q: Pick<Db, 'query'> = { query: async <R extends QueryResultRow>(sql: string, p?: unknown[]) => (await client.query<R>(sql, p)).rows };
    await client.query(TAG_LOCK, [conversationId]);
    const exists = await client.query('SELECT 1 FROM conversations WHERE id = $1', [conversationId]);
    if (exists.rowCount === 0) return { kind: 'not_found' };
    const before = await tagsOf(q, conversationId);
    if (before.includes(tag)) return { kind: 'ok', tags: before, changed: false };
    if (before.length >= max) return { kind: 'too_many', tags: before };
    await client.query('INSERT INTO conversation_tags (conversation_id, tag, created_at) VALUES ($1, $2, $3)', [conversationId, tag, now]);
    return { kind: 'ok', tags: await tagsOf(q, conversationId), changed: true };
  });
}

export async function removeTag(db: Db, conversationId: string, tag: string): Promise<TagChangeResult> {
  return db.transaction(async (client): Promise<TagChangeResult> => {
    const q: Pick<Db, 'query'> = { query: async <R extends QueryResultRow>(sql: string, p?: unknown[]) => (await client.query<R>(sql, p)).rows };
    await client.query(TAG_LOCK, [conversationId]);
    const exists = await client.query('SELECT 1 FROM conversations WHERE id = $1', [conversationId]);
    if (exists.rowCount === 0) return { kind: 'not_found' };
    const deleted = await client.query('DELETE FROM conversation_tags WHERE conversation_id = $1 AND tag = $2', [conversationId, tag]);
    return { kind: 'ok', tags: await tagsOf(q, conversationId), changed: (deleted.rowCount ?? 0) > 0 };
  });
}

export async function getTags(db: Db, conversationIds: readonly string[]): Promise<Record<string, string[]>> {
  const rows = await db.query<{ conversation_id: string; tag: string }>(
    'SELECT conversation_id, tag FROM conversation_tags WHERE conversation_id = ANY($1::text[]) ORDER BY conversation_id, tag',
    [conversationIds],
  );
  const out: Record<string, string[]> = {};
  for (const row of rows) (out[row.conversation_id] ??= []).push(row.tag);
  return out;
}
