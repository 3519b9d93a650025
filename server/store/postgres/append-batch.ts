// Group commit for the PostgreSQL engine: the appends asked for in the same
// event-loop turn are stored by one transaction, in five round trips whatever
// their number (BEGIN; lock the conversations (two statements when some must
// wait for their lock, see storeLocked); look up their clientIds; insert
// every new message and raise every last_seq in one statement; COMMIT), so one
// WAL flush serves them all. Up to `concurrency` such transactions run at once,
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
//   statement after the locks are held. Under READ COMMITTED each statement sees
//   what was committed before it began, so that lookup sees every message of
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

import type { PoolClient } from 'pg';
import { appended, decideAppend } from '../append.ts';
import type { OrderedIds } from '../ids.ts';
import { type ConversationRow, type MessageRow, toConversation, toMessage } from '../rows.ts';
import type { AppendResult, ConversationRecord, MessageRecord, NewMessage, NewVisitorMessage } from '../store.ts';
import type { Db } from './db.ts';

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
 * The columns read, named: the statements below are prepared once per connection (named), and a
 * prepared `SELECT *` fails once a migration on another node adds a column (0A000 "cached plan
 * must not change result type"); named columns keep their type.
 */
const CONVERSATION_COLUMNS =
  'id, visitor_id, visitor_name, status, agent_id, agent_name, last_seq, queued_at, created_at, closed_at, visitor_read_seq, agent_read_seq, revision';
export const MESSAGE_COLUMNS =
  'id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at, attachment_id, attachment_name, attachment_type, attachment_size';

/** The locking statement for appends by conversation id, by visitor id or both, waiting or not; prepared by name. */
function lockStatement(byId: boolean, byVisitor: boolean, skipLocked: boolean): { name: string; text: string } {
  const where = [byId ? 'id = ANY($1::text[])' : null, byVisitor ? `(visitor_id = ANY($${byId ? 2 : 1}::text[]) AND ${OPEN})` : null].filter(Boolean).join(' OR ');
  return {
    name: `parley_append_lock_${byId ? 'c' : ''}${byVisitor ? 'v' : ''}${skipLocked ? '_skip' : ''}`,
    text: `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE ${where} ORDER BY id FOR NO KEY UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`,
  };
}

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
    return db.transaction((client) => storeLocked(client, ids, batch));
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

/** Locks (FOR NO KEY UPDATE) and returns these conversations and the visitors' open ones, in id order. */
async function lockConversations(client: PoolClient, requests: Request[], skipLocked: boolean): Promise<ConversationRow[]> {
  if (requests.length === 0) return [];
  const conversationIds = [...new Set(requests.flatMap((r) => (r.to === 'conversation' ? [r.input.conversationId] : [])))];
  const visitorIds = [...new Set(requests.flatMap((r) => (r.to === 'visitor' ? [r.visitorId] : [])))];
  const byId = conversationIds.length > 0;
  const byVisitor = visitorIds.length > 0;
  const values = [...(byId ? [conversationIds] : []), ...(byVisitor ? [visitorIds] : [])];
  const { rows } = await client.query<ConversationRow>({ ...lockStatement(byId, byVisitor, skipLocked), values });
  return rows;
}

/**
 * The batch's statements between BEGIN and COMMIT (held by the caller): each append's result, or
 * null for one skipped (its conversation locked by another transaction: it is to wait next time).
 *
 * Locks: first, blocking, those of the appends that wait (skipped before), in id order (the sort
 * runs below the row locking); then, without waiting, those of the others (SKIP LOCKED). Waits
 * therefore happen only in the first statement of a transaction, in one global order: batches on
 * any node never deadlock. And a batch never waits for a conversation it could leave to the next
 * one, so batches of two nodes sharing conversations do not queue up behind each other's whole
 * commit. NO KEY UPDATE: a read position's foreign-key check (KEY SHARE) need not wait.
 */
async function storeLocked(client: PoolClient, ids: OrderedIds, batch: Pending[]): Promise<Array<VisitorAppendResult | null>> {
  const requests = batch.map((p) => p.request);
  const waited = await lockConversations(client, batch.filter((p) => p.wait).map((p) => p.request), false);
  const free = await lockConversations(client, batch.filter((p) => !p.wait).map((p) => p.request), true);
  /** Each conversation as the batch's appends so far leave it. */
  const current = new Map<string, ConversationRecord>();
  const openOf = new Map<string, string>();
  for (const row of [...waited, ...free]) {
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
  const appends = inputs.filter(isAppend);
  if (appends.length === 0) return inputs as Array<VisitorAppendResult | null>;

  // A statement of its own, after the locks: a fresh snapshot (see the top of this file).
  const found = await client.query<MessageRow>({
    name: 'parley_append_lookup',
    text: `SELECT ${MESSAGE_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}
           FROM messages m JOIN unnest($1::text[], $2::text[]) AS k(conversation_id, client_id)
           ON m.conversation_id = k.conversation_id AND m.client_id = k.client_id`,
    values: [appends.map((a) => a.conversationId), appends.map((a) => a.clientId)],
  });
  const stored = new Map<string, MessageRecord>();
  const storedKey = (conversationId: string, clientId: string) => `${conversationId}\u0000${clientId}`;
  for (const row of found.rows) stored.set(storedKey(row.conversation_id, row.client_id), toMessage(row));

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
  if (created.length === 0) return results;

  const lastSeqs = new Map<string, number>();
  /** The first agent message of each conversation in this batch (reports: first response time). */
  const firstReplies = new Map<string, number>();
  for (const m of created) {
    lastSeqs.set(m.conversationId, m.seq);
    if (m.authorKind === 'agent' && !firstReplies.has(m.conversationId)) firstReplies.set(m.conversationId, m.createdAt);
  }
  await client.query({
    name: 'parley_append_insert',
    text: `WITH m AS (
       INSERT INTO messages (${MESSAGE_COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[],
         $13::text[], $14::text[], $15::text[], $16::int[])
     )
     UPDATE conversations c SET last_seq = u.last_seq, first_reply_at = coalesce(c.first_reply_at, u.first_reply_at)
     FROM unnest($10::text[], $11::int[], $12::bigint[]) AS u(id, last_seq, first_reply_at) WHERE c.id = u.id`,
    values: [
      created.map((m) => m.id),
      created.map((m) => m.conversationId),
      created.map((m) => m.seq),
      created.map((m) => m.clientId),
      created.map((m) => m.authorKind),
      created.map((m) => m.authorId),
      created.map((m) => m.authorName),
      created.map((m) => m.body),
      created.map((m) => m.createdAt),
      [...lastSeqs.keys()],
      [...lastSeqs.values()],
      [...lastSeqs.keys()].map((id) => firstReplies.get(id) ?? null),
      created.map((m) => m.attachment?.id ?? null),
      created.map((m) => m.attachment?.name ?? null),
      created.map((m) => m.attachment?.type ?? null),
      created.map((m) => m.attachment?.size ?? null),
    ],
  });
  return results;
}
