// Group commit for the PostgreSQL engine: the appends asked for in the same
// event-loop turn are stored by one transaction, in five round trips whatever
// their number (BEGIN; lock the conversations; look up their clientIds; insert
// every new message and raise every last_seq in one statement; COMMIT), so one
// WAL flush serves them all. Up to `concurrency` such transactions run at once,
// each on its own pooled connection; what arrives while they are all busy
// gathers into the next ones, so batches grow with the load by themselves.
//
// The guarantees of one append per transaction are kept:
// - Ack after commit: no promise settles before its batch's COMMIT answered.
// - Gap-free, duplicate-free seq, across nodes: every conversation of the batch is
//   locked (FOR NO KEY UPDATE, in id order: two batches on two nodes cannot
//   deadlock) and its last_seq read under that lock; the batch numbers its
//   messages from there, in arrival order.
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
    let results: VisitorAppendResult[];
    try {
      results = await store(batch.map((p) => p.request));
    } catch (err) {
      if (batch.length === 1 || !retryAlone(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      // Nothing of the batch was stored: each append alone, in order (its key stays held meanwhile).
      for (const p of batch) {
        try {
          p.resolve((await store([p.request]))[0]);
        } catch (alone) {
          p.reject(alone);
        }
      }
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]));
  }

  /** One transaction storing `requests`: their results once it committed. */
  function store(requests: Request[]): Promise<VisitorAppendResult[]> {
    return db.transaction((client) => storeLocked(client, ids, requests));
  }

  function enqueue(request: Request, key: string): Promise<VisitorAppendResult> {
    return new Promise<VisitorAppendResult>((resolve, reject) => {
      queue.push({ request, key, resolve, reject });
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

/** The batch's statements between BEGIN and COMMIT (held by the caller). */
async function storeLocked(client: PoolClient, ids: OrderedIds, requests: Request[]): Promise<VisitorAppendResult[]> {
  const conversationIds = [...new Set(requests.flatMap((r) => (r.to === 'conversation' ? [r.input.conversationId] : [])))];
  const visitorIds = [...new Set(requests.flatMap((r) => (r.to === 'visitor' ? [r.visitorId] : [])))];
  // Locked in id order (the sort runs below the row locking), so batches on any node take their
  // locks in one order and never deadlock. NO KEY UPDATE: a read position's foreign-key check
  // (KEY SHARE) on the conversation need not wait for the batch.
  const locked = await client.query<ConversationRow>(
    `SELECT * FROM conversations
     WHERE id = ANY($1::text[]) OR (visitor_id = ANY($2::text[]) AND ${OPEN})
     ORDER BY id FOR NO KEY UPDATE`,
    [conversationIds, visitorIds],
  );
  /** Each conversation as the batch's appends so far leave it. */
  const current = new Map<string, ConversationRecord>();
  const openOf = new Map<string, string>();
  for (const row of locked.rows) {
    const conversation = toConversation(row);
    current.set(conversation.id, conversation);
    // A row found by id that is closed is not the visitor's open one.
    if (conversation.status !== 'closed') openOf.set(conversation.visitorId, conversation.id);
  }

  /** What each request appends where, or its answer when it has no conversation. */
  const inputs: Array<NewMessage | VisitorAppendResult> = requests.map((r): NewMessage | VisitorAppendResult => {
    if (r.to === 'conversation') return current.has(r.input.conversationId) ? r.input : { kind: 'not_found' };
    const conversationId = openOf.get(r.visitorId);
    if (conversationId === undefined) return { kind: 'no_open_conversation' };
    const conversation = current.get(conversationId)!;
    return {
      conversationId,
      clientId: r.input.clientId,
      authorKind: 'visitor',
      authorId: r.visitorId,
      authorName: conversation.visitorName,
      body: r.input.body,
      createdAt: r.input.createdAt,
    };
  });
  const appends = inputs.filter((x): x is NewMessage => 'conversationId' in x);
  if (appends.length === 0) return inputs as VisitorAppendResult[];

  // A statement of its own, after the locks: a fresh snapshot (see the top of this file).
  const found = await client.query<MessageRow>(
    `SELECT m.* FROM messages m JOIN unnest($1::text[], $2::text[]) AS k(conversation_id, client_id)
       ON m.conversation_id = k.conversation_id AND m.client_id = k.client_id`,
    [appends.map((a) => a.conversationId), appends.map((a) => a.clientId)],
  );
  const stored = new Map<string, MessageRecord>();
  const storedKey = (conversationId: string, clientId: string) => `${conversationId}\u0000${clientId}`;
  for (const row of found.rows) stored.set(storedKey(row.conversation_id, row.client_id), toMessage(row));

  const created: MessageRecord[] = [];
  const results = inputs.map((x): VisitorAppendResult => {
    if (!('conversationId' in x)) return x;
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
  for (const m of created) lastSeqs.set(m.conversationId, m.seq);
  await client.query(
    `WITH m AS (
       INSERT INTO messages (id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
     )
     UPDATE conversations c SET last_seq = u.last_seq
     FROM unnest($10::text[], $11::int[]) AS u(id, last_seq) WHERE c.id = u.id`,
    [
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
    ],
  );
  return results;
}
