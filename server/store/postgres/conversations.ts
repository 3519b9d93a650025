// PostgreSQL statements for conversations, messages and read positions: the
// operations nodes race on. Each is one statement; appends are batched by
// append-batch.ts.

import { newId } from '../ids.ts';
import { DEFAULT_LIST_LIMIT, readSeq, rowLimit } from '../limits.ts';
import { type ConversationRow, type MessageRow, type ReadPositionRow, type ReportRow, toConversation, toMessage, toReadPosition, toReportConversation } from '../rows.ts';
import type {
  QueueTail,
  ConversationFilter,
  ConversationRecord,
  HistoryPage,
  MessageRecord,
  OpenResult,
  ReadPosition,
  ReportConversation,
  ReportRange,
  TransitionResult,
} from '../store.ts';
import { MESSAGE_COLUMNS } from './append-batch.ts';
import type { Db } from './db.ts';
import { toPrevious, type TransitionRow } from './rows.ts';

const OPEN = `status IN ('queued', 'active')`;
/** `$2` is the agent holding the conversation, or NULL for "whoever holds it". */
const HELD_BY = `c.status = 'active' AND ($2::text IS NULL OR c.agent_id = $2)`;

export async function openConversation(db: Db, visitor: { id: string; name: string }, now: number): Promise<OpenResult> {
  // The partial unique index admits one open conversation per visitor; a racing
  // insert loses quietly and reads the winner's row. If that row is closed
  // before we read it, go round again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const [inserted] = await db.query<ConversationRow>(
      `INSERT INTO conversations (id, visitor_id, visitor_name, status, last_seq, queued_at, created_at)
       VALUES ($1, $2, $3, 'queued', 0, $4, $4)
       ON CONFLICT (visitor_id) WHERE ${OPEN} DO NOTHING
       RETURNING *`,
      [newId(), visitor.id, visitor.name, now],
    );
    if (inserted) return { kind: 'ok', conversation: toConversation(inserted), created: true };
    const [open] = await db.query<ConversationRow>(`SELECT * FROM conversations WHERE visitor_id = $1 AND ${OPEN}`, [visitor.id]);
    if (open) return { kind: 'ok', conversation: toConversation(open), created: false };
  }
  return { kind: 'contended' };
}

export async function getConversation(db: Db, id: string): Promise<ConversationRecord | null> {
  const [row] = await db.query<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [id]);
  return row ? toConversation(row) : null;
}

export async function getCurrentConversation(db: Db, visitorId: string): Promise<ConversationRecord | null> {
  const [row] = await db.query<ConversationRow>(
    `SELECT * FROM conversations WHERE visitor_id = $1 ORDER BY (${OPEN}) DESC, created_at DESC, id DESC LIMIT 1`,
    [visitorId],
  );
  return row ? toConversation(row) : null;
}

export async function getOpenConversations(db: Db, visitorIds: readonly string[]): Promise<ConversationRecord[]> {
  // The partial unique index on visitor_id (open conversations only) serves it.
  const rows = await db.query<ConversationRow>(`SELECT * FROM conversations WHERE visitor_id = ANY($1::text[]) AND ${OPEN}`, [visitorIds]);
  return rows.map(toConversation);
}

export async function listConversations(db: Db, filter: ConversationFilter): Promise<ConversationRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
  if (filter.agentId !== undefined) where.push(`agent_id = $${params.push(filter.agentId)}`);
  if (filter.visitorId !== undefined) where.push(`visitor_id = $${params.push(filter.visitorId)}`);
  if (filter.before) where.push(`(created_at, id) < ($${params.push(filter.before.createdAt)}, $${params.push(filter.before.id)})`);
  let sql = 'SELECT * FROM conversations';
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
  sql += filter.status === 'queued' && !filter.newestFirst && !filter.before ? ' ORDER BY queued_at, id' : ' ORDER BY created_at DESC, id DESC';
  sql += ` LIMIT $${params.push(rowLimit(filter.limit ?? DEFAULT_LIST_LIMIT))}`;
  return (await db.query<ConversationRow>(sql, params)).map(toConversation);
}

export async function listQueue(db: Db): Promise<ConversationRecord[]> {
  const rows = await db.query<ConversationRow>(`SELECT * FROM conversations WHERE status = 'queued' ORDER BY queued_at, id`);
  return rows.map(toConversation);
}

export async function listQueueFrom(db: Db, queuedAt: number): Promise<QueueTail> {
  // One statement, one snapshot: the count (an InitPlan, run once) agrees with the rows.
  const rows = await db.query<ConversationRow & { ahead: number }>(
    `SELECT *, (SELECT count(*)::int FROM conversations WHERE status = 'queued' AND queued_at < $1) AS ahead
     FROM conversations WHERE status = 'queued' AND queued_at >= $1 ORDER BY queued_at, id`,
    [queuedAt],
  );
  return { ahead: rows.length === 0 ? 0 : rows[0].ahead, queue: rows.map(toConversation) };
}

export async function queuePositions(db: Db, conversationIds: readonly string[]): Promise<Map<string, number>> {
  const positions = new Map<string, number>();
  if (conversationIds.length === 0) return positions;
  // One statement (one snapshot): the queued rows from the first asked to the last, numbered, plus
  // one count of those before the first; ranges of the partial conversations_queue index.
  const rows = await db.query<{ id: string; position: number }>(
    `WITH want AS (SELECT queued_at, id FROM conversations WHERE id = ANY($1::text[]) AND status = 'queued'),
       lo AS (SELECT queued_at, id FROM want ORDER BY queued_at, id LIMIT 1),
       hi AS (SELECT queued_at, id FROM want ORDER BY queued_at DESC, id DESC LIMIT 1),
       span AS (SELECT c.id, row_number() OVER (ORDER BY c.queued_at, c.id) AS k FROM conversations c, lo, hi
         WHERE c.status = 'queued' AND (c.queued_at, c.id) >= (lo.queued_at, lo.id) AND (c.queued_at, c.id) <= (hi.queued_at, hi.id))
     SELECT span.id, (span.k + (SELECT count(*) FROM conversations c, lo
         WHERE c.status = 'queued' AND (c.queued_at, c.id) < (lo.queued_at, lo.id)))::int AS position
     FROM span WHERE span.id IN (SELECT id FROM want)`,
    [conversationIds],
  );
  for (const row of rows) positions.set(row.id, row.position);
  return positions;
}

/**
 * One conditional UPDATE, so that of many nodes racing exactly one wins. The
 * FOR UPDATE subquery locks the row first, so `prev` is the version this update
 * replaced (not an older snapshot), and the condition on `c` is rechecked
 * against the latest committed row. `$1` is the id; `set` and `condition` may
 * use `$2…`. When nothing changed, one read tells not_found from conflict.
 */
async function transition(db: Db, set: string, condition: string, params: [string, ...unknown[]]): Promise<TransitionResult> {
  const [row] = await db.query<TransitionRow>(
    `UPDATE conversations c SET ${set}, revision = c.revision + 1
     FROM (SELECT id, status, agent_id, agent_name, closed_at FROM conversations WHERE id = $1 FOR UPDATE) prev
     WHERE c.id = prev.id AND (${condition})
     RETURNING c.*, prev.status AS prev_status, prev.agent_id AS prev_agent_id,
               prev.agent_name AS prev_agent_name, prev.closed_at AS prev_closed_at`,
    params,
  );
  if (row) return { kind: 'ok', conversation: toConversation(row), previous: toPrevious(row) };
  const current = await getConversation(db, params[0]);
  return current ? { kind: 'conflict', conversation: current } : { kind: 'not_found' };
}

export function claim(db: Db, id: string, agent: { id: string; name: string }, now: number): Promise<TransitionResult> {
  // The first claim is recorded for reports; a re-claim after a release keeps it.
  return transition(
    db,
    `status = 'active', agent_id = $2, agent_name = $3,
     claimed_by = CASE WHEN c.claimed_at IS NULL THEN $2 ELSE c.claimed_by END, claimed_at = coalesce(c.claimed_at, $4::bigint)`,
    `c.status = 'queued'`,
    [id, agent.id, agent.name, now],
  );
}

export function release(db: Db, id: string, agentId: string | null): Promise<TransitionResult> {
  // queued_at is kept: the visitor goes back to their old place in the queue.
  return transition(db, `status = 'queued', agent_id = NULL, agent_name = NULL`, HELD_BY, [id, agentId]);
}

export function transfer(db: Db, id: string, fromAgentId: string | null, to: { id: string; name: string }): Promise<TransitionResult> {
  return transition(db, `agent_id = $3, agent_name = $4`, HELD_BY, [id, fromAgentId, to.id, to.name]);
}

export function closeConversation(db: Db, id: string, agentId: string | null, now: number): Promise<TransitionResult> {
  return transition(db, `status = 'closed', closed_at = $3`, `c.status = 'queued' OR (${HELD_BY})`, [id, agentId, now]);
}

export async function getMessages(db: Db, conversationId: string, page: HistoryPage): Promise<MessageRecord[]> {
  const { afterSeq, beforeSeq } = page;
  const params: unknown[] = [conversationId, rowLimit(page.limit)];
  let where = 'conversation_id = $1';
  if (afterSeq !== undefined) where += ` AND seq > $${params.push(afterSeq)}`;
  if (beforeSeq !== undefined) where += ` AND seq < $${params.push(beforeSeq)}`;
  // With afterSeq the first `limit` after it; otherwise the last `limit`.
  if (afterSeq !== undefined) {
    return (await db.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${where} ORDER BY seq ASC LIMIT $2`, params)).map(toMessage);
  }
  const rows = await db.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${where} ORDER BY seq DESC LIMIT $2`, params);
  return rows.reverse().map(toMessage);
}

/** Reports: each branch a range of its own index; $3 an agent or NULL. */
export async function reportConversations(db: Db, range: ReportRange): Promise<ReportConversation[]> {
  const rows = await db.query<ReportRow>(
    `SELECT id, status, created_at, claimed_at, claimed_by, first_reply_at, closed_at, agent_id, last_seq AS message_count
     FROM conversations WHERE id IN (
       SELECT id FROM conversations WHERE created_at >= $1 AND created_at < $2
       UNION SELECT id FROM conversations WHERE claimed_at >= $1 AND claimed_at < $2
       UNION SELECT id FROM conversations WHERE closed_at >= $1 AND closed_at < $2)
     AND ($3::text IS NULL OR claimed_by = $3 OR agent_id = $3)
     AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = conversations.id AND t.tag = $4))`,
    [range.from, range.to, range.agentId ?? null, range.tag ?? null],
  );
  return rows.map(toReportConversation);
}

export async function setReadPosition(db: Db, pos: ReadPosition): Promise<boolean> {
  const seq = readSeq(pos.seq);
  if (seq === null) return false;
  // Clamped to lastSeq in the same statement; the conditional DO UPDATE only
  // moves forward, and RETURNING yields a row only when the position moved, and
  // only then is the side's position on the conversation's row raised with it.
  const rows = await db.query(
    `WITH moved AS (
       INSERT INTO read_positions (conversation_id, participant_kind, participant_id, seq)
       SELECT c.id, $2, $3, LEAST($4::bigint, c.last_seq) FROM conversations c
       WHERE c.id = $1 AND LEAST($4::bigint, c.last_seq) > 0
       ON CONFLICT (conversation_id, participant_kind, participant_id)
       DO UPDATE SET seq = GREATEST(read_positions.seq, EXCLUDED.seq) WHERE read_positions.seq < EXCLUDED.seq
       RETURNING seq
     )
     UPDATE conversations c SET
       visitor_read_seq = CASE WHEN $2::text = 'visitor' THEN GREATEST(c.visitor_read_seq, moved.seq) ELSE c.visitor_read_seq END,
       agent_read_seq = CASE WHEN $2::text = 'agent' THEN GREATEST(c.agent_read_seq, moved.seq) ELSE c.agent_read_seq END
     FROM moved WHERE c.id = $1
     RETURNING moved.seq`,
    [pos.conversationId, pos.participantKind, pos.participantId, seq],
  );
  return rows.length > 0;
}

export async function getReadPositions(db: Db, conversationId: string): Promise<ReadPosition[]> {
  const rows = await db.query<ReadPositionRow>(
    'SELECT * FROM read_positions WHERE conversation_id = $1 ORDER BY participant_kind, participant_id',
    [conversationId],
  );
  return rows.map(toReadPosition);
}
