// Group commit for the PostgreSQL engine: the appends asked for in the same
// event-loop turn are stored by one transaction, so one WAL flush serves them
// all, in two round trips whatever their number: BEGIN, lock the conversations
// (two statements when some must wait for their lock, see storeLocked) and look
// up their clientIds, as one text; then, once ../append.ts decided each append,
// insert every new message and raise every last_seq in one statement, and
// COMMIT, as another. Up to `concurrency` such transactions run at once,
// each on its own pooled connection; what arrives while they are all busy
// gathers into the next ones, so batches grow with the load by themselves.
//
// The guarantees of one append per transaction are kept:
// - Ack after commit: no promise settles before its batch's COMMIT answered.
// - Gap-free, duplicate-free seq, across nodes: every conversation of the batch is
//   locked (FOR NO KEY UPDATE) and its last_seq read under that lock; the batch
//   numbers its messages from there, in arrival order. A batch takes the locks
//   that are free and leaves the appends whose conversation another transaction
//   holds (another node's batch, a claim) to the next batch, which waits for
//   them, in id order, before taking any other lock: no deadlock, and no batch
//   stuck behind another's whole commit for one conversation of many.
// - clientId de-duplication, across nodes: the clientIds are looked up by a
//   statement after the locks are held (the next statement of the same text).
//   Under READ COMMITTED each statement sees what was committed before it began, so that lookup sees every message of
//   these conversations committed by whoever held a lock before us (the locking
//   statement itself would not: a statement that waited for a row lock sees
//   other rows as of its start, only the locked row as of the lock). Inside the
//   batch, a clientId stored by an earlier append of the same batch is found too.
// - Refusals are decided by ../append.ts for each append, on the conversation as
//   the earlier appends of the batch leave it.
// - A failed batch acks nothing. An error the server answered (a statement's, or
//   the COMMIT's) means the transaction did not commit: nothing of it is stored,
//   and each append is tried again alone, so one bad append (a body PostgreSQL
//   refuses) fails alone. A lost connection, or a server that cannot serve now,
//   fails every append of the batch with that error (the caller answers
//   `unavailable`; should the COMMIT have landed before the connection was lost,
//   a resend finds its clientId).
// - Order: appends with the same key (a conversation id, or a visitor id for a
//   visitor's append) are stored in the order they were asked for: an append
//   waits while an earlier batch holding its key is in flight.

import pg, { type PoolClient, type QueryResult, type QueryResultRow } from 'pg';
import { appended, decideAppend } from '../append.ts';
import type { OrderedIds } from '../ids.ts';
import { type ConversationRow, type MessageRow, toConversation, toMessage } from '../rows.ts';
import type { AppendResult, ConversationRecord, MessageRecord, NewMessage, NewVisitorMessage } from '../store.ts';
import type { Db } from './db.ts';

const { escapeLiteral } = pg;

export type VisitorAppendResult = AppendResult | { kind: 'no_open_conversation' };

/** An append into a conversation given by id, or into a visitor's open conversation. */
type Request = { to: 'conversation'; input: NewMessage } | { to: 'visitor'; visitorId: string; input: NewVisitorMessage };

interface Pending {
  request: Request;
  /**
   * Wait for the conversation's lock. False at first: a batch locks what is free and leaves what
   * another transaction holds (SKIP LOCKED) to a later batch, where it waits (see storeLocked).
   */
  wait: boolean;
  /** Appends with the same key keep their order. */
  key: string;
  resolve(result: VisitorAppendResult): void;
  reject(err: unknown): void;
}

export interface AppendBatcher {
  append(input: NewMessage): Promise<AppendResult>;
  appendVisitor(visitorId: string, input: NewVisitorMessage): Promise<VisitorAppendResult>;
  /** Resolves once nothing is queued or in flight (before closing the pool). */
  drained(): Promise<void>;
}

export interface AppendBatcherOptions {
  /** Batches in flight at once, each holding one pooled connection. */
  concurrency: number;
  /** Appends per batch at most (bounds the statements' parameter arrays). */
  maxBatch?: number;
}

const OPEN = `status IN ('queued', 'active')`;

/**
 * The columns read and written, named: the rows read keep their shape, and the insert its meaning,
 * once a migration on another node adds a column. (These statements are simple queries, planned
 * every time; a statement prepared by name with `SELECT *` would fail then, 0A000 "cached plan must
 * not change result type".)
 */
const CONVERSATION_COLUMNS =
  'id, visitor_id, visitor_name, status, agent_id, agent_name, last_seq, queued_at, created_at, closed_at, visitor_read_seq, agent_read_seq, revision';
export const MESSAGE_COLUMNS =
  'id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at, attachment_id, attachment_name, attachment_type, attachment_size';

/**
 * Whether the batch failed with an error the server answered, so that it certainly did not
 * commit and each append may be tried alone: a SQLSTATE, other than those of a connection or a
 * server that cannot serve (08 connection exception, 53 insufficient resources, 57 operator
 * intervention, 58 system error), where trying each alone would only fail again, slower.
 * node-postgres' own failures (a connection lost) carry no SQLSTATE at all.
 */
function retryAlone(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|53|57|58)/.test(code);
}

export function createAppendBatcher(db: Db, ids: OrderedIds, { concurrency, maxBatch = 256 }: AppendBatcherOptions): AppendBatcher {
  let queue: Pending[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  let inFlight = 0;
  /** Keys of the batches in flight. */
  const busy = new Set<string>();
  let idle: Array<() => void> = [];

  function schedule(): void {
    if (!scheduled && inFlight < concurrency && queue.length > 0) scheduled = setImmediate(startBatches);
  }

  function startBatches(): void {
    scheduled = null;
    while (inFlight < concurrency && queue.length > 0) {
      const batch = take();
      if (batch.length === 0) break;
      inFlight++;
      const keys = new Set(batch.map((p) => p.key));
      for (const key of keys) busy.add(key);
      void runBatch(batch).finally(() => {
        inFlight--;
        for (const key of keys) busy.delete(key);
        if (inFlight === 0 && queue.length === 0) for (const done of idle.splice(0)) done();
        schedule();
      });
    }
  }

  /** The next batch: queued appends in order, skipping (and so keeping back) those whose key a batch in flight holds. */
  function take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of queue) {
      if (batch.length < maxBatch && !busy.has(p.key)) batch.push(p);
      else rest.push(p);
    }
    // What stays keeps its order. A key's later appends cannot overtake one kept back (that key
    // is busy) nor one taken (its key is busy from now until this batch settles).
    queue = rest;
    return batch;
  }

  async function runBatch(batch: Pending[]): Promise<void> {
    let results: Array<VisitorAppendResult | null>;
    try {
      results = await store(batch);
    } catch (err) {
      if (batch.length === 1 || !retryAlone(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      // Nothing of the batch was stored: each append alone, in order (its key stays held meanwhile).
      for (const p of batch) {
        try {
          p.wait = true;
          p.resolve((await store([p]))[0]!);
        } catch (alone) {
          p.reject(alone);
        }
      }
      return;
    }
    // What another transaction had locked goes back to the head of the queue, in order, to wait
    // for its lock in the next batch (its key is still busy: nothing of that key can overtake it).
    const skipped: Pending[] = [];
    batch.forEach((p, i) => {
      const result = results[i];
      if (result !== null) p.resolve(result);
      else skipped.push(Object.assign(p, { wait: true }));
    });
    if (skipped.length > 0) queue = [...skipped, ...queue];
  }

  /** One transaction storing the batch: each one's result (null: skipped) once it committed. */
  function store(batch: Pending[]): Promise<Array<VisitorAppendResult | null>> {
    return db.ownTransaction((client) => storeLocked(client, ids, batch));
  }

  function enqueue(request: Request, key: string): Promise<VisitorAppendResult> {
    return new Promise<VisitorAppendResult>((resolve, reject) => {
      queue.push({ request, key, wait: false, resolve, reject });
      // setImmediate: after this turn's I/O callbacks, so every message read in it can join the batch.
      schedule();
    });
  }

  return {
    append(input) {
      return enqueue({ to: 'conversation', input }, `c:${input.conversationId}`) as Promise<AppendResult>;
    },
    appendVisitor(visitorId, input) {
      return enqueue({ to: 'visitor', visitorId, input }, `v:${visitorId}`);
    },
    drained() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

/**
 * A value inlined into a statement's text: one JSON document in one string literal (pg's
 * escapeLiteral: quotes and backslashes doubled; standard_conforming_strings or not). JSON escapes
 * every control character, so the text never holds a NUL (which would end a simple query's text
 * early); a NUL in a value reaches PostgreSQL as `\u0000` and is refused there (22P05) like any
 * value it cannot store. Strings are made well-formed first, as pg's UTF-8 encoding of a parameter
 * does (a lone surrogate becomes U+FFFD), so a value is stored as it was with parameters.
 */
function json(value: unknown): string {
  return `${escapeLiteral(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? v.toWellFormed() : v)))}::json`;
}

/** A JSON array of strings, inlined, as a text[] (for `= ANY`, which an index scan serves). */
function textArray(values: string[]): string {
  return `ARRAY(SELECT json_array_elements_text(${json(values)}))`;
}

/**
 * The statement locking (FOR NO KEY UPDATE) and returning these conversations and the visitors'
 * open ones, in id order, waiting for their locks or skipping those another transaction holds;
 * null when there are none.
 */
function lockStatement(requests: Request[], skipLocked: boolean): string | null {
  if (requests.length === 0) return null;
  const conversationIds = [...new Set(requests.flatMap((r) => (r.to === 'conversation' ? [r.input.conversationId] : [])))];
  const visitorIds = [...new Set(requests.flatMap((r) => (r.to === 'visitor' ? [r.visitorId] : [])))];
  const where = [
    conversationIds.length > 0 ? `id = ANY(${textArray(conversationIds)})` : null,
    visitorIds.length > 0 ? `(visitor_id = ANY(${textArray(visitorIds)}) AND ${OPEN})` : null,
  ]
    .filter(Boolean)
    .join(' OR ');
  return `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE ${where} ORDER BY id FOR NO KEY UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`;
}

const M_COLUMNS = MESSAGE_COLUMNS.split(', ')
  .map((c) => `m.${c}`)
  .join(', ');

/**
 * The statement looking up the messages already stored under the batch's clientIds: by
 * conversation id, and in the visitors' open conversations. Every append's, whether its lock was
 * free or not (what is found for a conversation not locked is not used).
 */
function lookupStatement(requests: Request[]): string {
  const byId = requests.flatMap((r) => (r.to === 'conversation' ? [{ c: r.input.conversationId, k: r.input.clientId }] : []));
  const byVisitor = requests.flatMap((r) => (r.to === 'visitor' ? [{ v: r.visitorId, k: r.input.clientId }] : []));
  return [
    byId.length > 0
      ? `SELECT ${M_COLUMNS} FROM json_to_recordset(${json(byId)}) AS x(c text, k text)
         JOIN messages m ON m.conversation_id = x.c AND m.client_id = x.k`
      : null,
    byVisitor.length > 0
      ? `SELECT ${M_COLUMNS} FROM json_to_recordset(${json(byVisitor)}) AS x(v text, k text)
         JOIN conversations c ON c.visitor_id = x.v AND c.${OPEN}
         JOIN messages m ON m.conversation_id = c.id AND m.client_id = x.k`
      : null,
  ]
    .filter(Boolean)
    .join(' UNION ALL ');
}

/** The rows of each statement of a simple query's text, in order. */
function rowsOf<R extends QueryResultRow>(result: QueryResult<R> | QueryResult<R>[]): R[][] {
  return (Array.isArray(result) ? result : [result]).map((r) => r.rows);
}

/**
 * One transaction storing the batch, in two round trips (simple queries of several statements):
 * `BEGIN; lock; lock; look up`, then, once ../append.ts decided each append, `insert; COMMIT`.
 * Each append's result, or null for one skipped (its conversation locked by another transaction:
 * it is to wait next time), once the COMMIT answered.
 *
 * The values are inlined into the texts (json() above): a simple query takes no parameters, and
 * it is parsed and planned every time, so no cached plan outlives a migration adding a column.
 * An error in a text skips the rest of it (its COMMIT too) and leaves the transaction aborted:
 * the caller's ROLLBACK ends it, and nothing of the batch is stored.
 *
 * Locks: first, blocking, those of the appends that wait (skipped before), in id order (the sort
 * runs below the row locking); then, without waiting, those of the others (SKIP LOCKED). Waits
 * therefore happen only in the first statement of a transaction, in one global order: batches on
 * any node never deadlock. And a batch never waits for a conversation it could leave to the next
 * one, so batches of two nodes sharing conversations do not queue up behind each other's whole
 * commit. NO KEY UPDATE: a read position's foreign-key check (KEY SHARE) need not wait.
 *
 * The lookup is a statement of its own after both locking statements, in the same text: under
 * READ COMMITTED each statement of a simple query takes its own snapshot when it starts, so it
 * sees what was committed by whoever held one of these locks before us (see the top of this file).
 */
async function storeLocked(client: PoolClient, ids: OrderedIds, batch: Pending[]): Promise<Array<VisitorAppendResult | null>> {
  const requests = batch.map((p) => p.request);
  const locks = [lockStatement(batch.filter((p) => p.wait).map((p) => p.request), false), lockStatement(batch.filter((p) => !p.wait).map((p) => p.request), true)].filter(
    (x): x is string => x !== null,
  );
  const answers = rowsOf(await client.query(['BEGIN', ...locks, lookupStatement(requests)].join(';\n')));
  const lockedRows = answers.slice(1, 1 + locks.length).flat() as ConversationRow[];
  const foundRows = answers[1 + locks.length] as MessageRow[];

  /** Each conversation as the batch's appends so far leave it. */
  const current = new Map<string, ConversationRecord>();
  const openOf = new Map<string, string>();
  for (const row of lockedRows) {
    const conversation = toConversation(row);
    current.set(conversation.id, conversation);
    // A row found by id that is closed is not the visitor's open one.
    if (conversation.status !== 'closed') openOf.set(conversation.visitorId, conversation.id);
  }

  /**
   * What each request appends where, or its answer when it has no conversation: one that did not
   * wait learns only that its row was not free (missing, or locked by another): it is skipped.
   */
  const inputs: Array<NewMessage | VisitorAppendResult | null> = requests.map((r, i): NewMessage | VisitorAppendResult | null => {
    if (r.to === 'conversation') return current.has(r.input.conversationId) ? r.input : batch[i].wait ? { kind: 'not_found' } : null;
    const conversationId = openOf.get(r.visitorId);
    if (conversationId === undefined) return batch[i].wait ? { kind: 'no_open_conversation' } : null;
    const conversation = current.get(conversationId)!;
    return {
      conversationId,
      clientId: r.input.clientId,
      authorKind: 'visitor',
      authorId: r.visitorId,
      authorName: conversation.visitorName,
      body: r.input.body,
      createdAt: r.input.createdAt,
      attachment: r.input.attachment,
    };
  });
  const isAppend = (x: NewMessage | VisitorAppendResult | null): x is NewMessage => x !== null && 'conversationId' in x;

  const stored = new Map<string, MessageRecord>();
  // Keys as stored: a lone surrogate in a clientId was stored (and is looked up) as U+FFFD.
  const storedKey = (conversationId: string, clientId: string) => `${conversationId}\u0000${clientId.toWellFormed()}`;
  for (const row of foundRows) if (current.has(row.conversation_id)) stored.set(storedKey(row.conversation_id, row.client_id), toMessage(row));

  const created: MessageRecord[] = [];
  const results = inputs.map((x): VisitorAppendResult | null => {
    if (!isAppend(x)) return x;
    const conversation = current.get(x.conversationId)!;
    const key = storedKey(x.conversationId, x.clientId);
    const refused = decideAppend(conversation, x, stored.get(key) ?? null);
    if (refused) return refused;
    const result = appended(conversation, x, ids.next());
    current.set(conversation.id, result.conversation);
    stored.set(key, result.message);
    created.push(result.message);
    return result;
  });
  if (created.length === 0) {
    await client.query('COMMIT');
    return results;
  }

  const lastSeqs = new Map<string, number>();
  /** The first agent message of each conversation in this batch (reports: first response time). */
  const firstReplies = new Map<string, number>();
  for (const m of created) {
    lastSeqs.set(m.conversationId, m.seq);
    if (m.authorKind === 'agent' && !firstReplies.has(m.conversationId)) firstReplies.set(m.conversationId, m.createdAt);
  }
  const messages = created.map((m) => ({
    id: m.id,
    conversation_id: m.conversationId,
    seq: m.seq,
    client_id: m.clientId,
    author_kind: m.authorKind,
    author_id: m.authorId,
    author_name: m.authorName,
    body: m.body,
    created_at: m.createdAt,
    attachment_id: m.attachment?.id ?? null,
    attachment_name: m.attachment?.name ?? null,
    attachment_type: m.attachment?.type ?? null,
    attachment_size: m.attachment?.size ?? null,
  }));
  const conversations = [...lastSeqs].map(([id, lastSeq]) => ({ id, last_seq: lastSeq, first_reply_at: firstReplies.get(id) ?? null }));
  await client.query(`WITH m AS (
       INSERT INTO messages (${MESSAGE_COLUMNS})
       SELECT ${MESSAGE_COLUMNS} FROM json_to_recordset(${json(messages)}) AS x(id text, conversation_id text, seq int, client_id text, author_kind text,
         author_id text, author_name text, body text, created_at bigint, attachment_id text, attachment_name text, attachment_type text, attachment_size int)
     )
     UPDATE conversations c SET last_seq = u.last_seq, first_reply_at = coalesce(c.first_reply_at, u.first_reply_at)
     FROM json_to_recordset(${json(conversations)}) AS u(id text, last_seq int, first_reply_at bigint) WHERE c.id = u.id;
     COMMIT`);
  return results;
}
