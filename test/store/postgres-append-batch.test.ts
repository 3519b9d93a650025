// [PGBATCH] Group commit on PostgreSQL (server/store/postgres/append-batch.ts):
// appends asked for in one event-loop turn share one transaction, and every
// guarantee of one append per transaction still holds across nodes (two
// PostgresStore instances, two pools, one database): gap-free seq, clientId
// stored once, acks only for what committed, refusals decided per append.
// [PG-RT] Awkward values (quotes, backslashes, $$, unicode, 64 KiB) come back
// as sent and de-duplicate across nodes, and an error in the lookup (before
// any insert) fails only its own append.

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { outageOf } from '../../server/edge/failures.ts';
import { createLogger } from '../../server/logger.ts';
import { openPostgresStore, type PostgresStore } from '../../server/store/postgres/postgres-store.ts';
import type { AppendResult, ConversationRecord, MessageRecord, NewMessage } from '../../server/store/store.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';
import { agentOf, created, ok, openOk } from './results.ts';

const logger = createLogger('silent');
type Result = AppendResult | { kind: 'no_open_conversation' };

describe('[PGBATCH] postgres group commit', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  /** A fresh database, migrated, and `n` stores on it ("nodes"), each named by application_name. */
  async function nodes(n: number, poolSize = 6): Promise<{ url: string; stores: PostgresStore[] }> {
    const url = await freshPostgresUrl();
    const stores: PostgresStore[] = [];
    for (let i = 0; i < n; i++) {
      const u = new URL(url);
      u.searchParams.set('application_name', `node${i}`);
      const store = await openPostgresStore(u.toString(), { poolSize, logger });
      opened.push(store);
      stores.push(store);
    }
    await stores[0].migrate();
    return { url, stores };
  }

  async function client(url: string): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => {});
    await c.connect();
    opened.push({ close: () => c.end().catch(() => {}) });
    return c;
  }

  /** `count` conversations, each with its own visitor, claimed by one agent. */
  async function activeConversations(store: PostgresStore, count: number) {
    const agent = agentOf(await store.createAgent({ email: `a${Math.random()}@example.com`, name: 'Agent', role: 'agent', passwordHash: 'x' }));
    const list: Array<{ conversation: ConversationRecord; visitor: { id: string; name: string } }> = [];
    for (let i = 0; i < count; i++) {
      const visitor = await store.createVisitor({ name: `Visitor ${i}`, email: null });
      const { conversation } = openOk(await store.openConversation(visitor, Date.now()));
      list.push({ conversation: ok(await store.claim(conversation.id, agent)).conversation, visitor });
    }
    return { agent, list };
  }

  const visitorMessage = (conversationId: string, visitor: { id: string; name: string }, clientId: string, body = `from ${clientId}`): NewMessage => ({
    conversationId,
    clientId,
    authorKind: 'visitor',
    authorId: visitor.id,
    authorName: visitor.name,
    body,
    createdAt: Date.now(),
  });

  async function storedMessages(url: string): Promise<Array<MessageRecord & { xmin: string }>> {
    const c = await client(url);
    const { rows } = await c.query(
      `SELECT id, conversation_id, seq, client_id, author_kind, author_id, xmin::text AS xmin FROM messages ORDER BY conversation_id, seq`,
    );
    return rows.map((r) => ({ id: r.id, conversationId: r.conversation_id, seq: r.seq, clientId: r.client_id, authorKind: r.author_kind, authorId: r.author_id, xmin: r.xmin }) as MessageRecord & { xmin: string });
  }

  /** Every conversation's seqs are 1..n, each clientId once, and last_seq is n. */
  async function expectGapFree(url: string, conversationIds: string[]) {
    const rows = await storedMessages(url);
    const c = await client(url);
    for (const id of conversationIds) {
      const mine = rows.filter((r) => r.conversationId === id);
      expect(mine.map((r) => r.seq), `seqs of ${id}`).toEqual(mine.map((_, i) => i + 1));
      expect(new Set(mine.map((r) => r.clientId)).size, `clientIds of ${id}`).toBe(mine.length);
      const { rows: conv } = await c.query('SELECT last_seq FROM conversations WHERE id = $1', [id]);
      expect(conv[0].last_seq).toBe(mine.length);
    }
    return rows;
  }

  /** Resolves once a backend of this database waits for a row lock (the batch is mid-transaction). */
  async function waitingBackend(c: pg.Client): Promise<number> {
    let pid = 0;
    await expect
      .poll(async () => {
        const { rows } = await c.query(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        pid = rows[0]?.pid ?? 0;
        return rows.length;
      }, { timeout: 10_000, interval: 20 })
      .toBe(1);
    return pid;
  }

  /** Values a client may send that a statement's text must not take for its own. */
  const awkward = [
    `it's`,
    `'); DROP TABLE messages; --`,
    `\\'; DROP TABLE conversations; --`,
    `back\\slash \\\\ \\n \\x41 \\u0041`,
    `$$ dollar $$ $tag$ ;`,
    `"double" {"json": ["doc"]} {a,b} ARRAY['x']`,
    `E'x' U&'d\\0061t\\+000061'`,
    'unicode: héllo wörld — 你好 🙂👍🏽 עברית \u200f ﷽ \u2028\u2029 \u0001\u001f\u007f',
    ' \t\r\n leading and trailing whitespace \t\r\n ',
    '',
  ];

  it('[PG-RT1] quotes, backslashes, $$, JSON and array syntax, control characters, unicode and a 64 KiB body come back exactly as sent, as body, clientId, author and attachment, through both nodes', async () => {
    const { url, stores } = await nodes(2);
    const [a, b] = stores;
    const agent = agentOf(await a.createAgent({ email: 'quote@example.com', name: `O'Brien \\ "Agent" $$`, role: 'agent', passwordHash: 'x' }));
    const visitor = await a.createVisitor({ name: `Zoë 'the' \\visitor\\ $$ 🙂`, email: null });
    const { conversation: queued } = openOk(await a.openConversation(visitor, Date.now()));
    const conversation = ok(await a.claim(queued.id, agent)).conversation;
    const big = 'x\'\\$'.repeat(16 * 1024); // 64 KiB of characters that each need care
    const bodies = [...awkward, big, '🙂'.repeat(16 * 1024)];
    // One turn: a batch on each node, by conversation id (agent) and by visitor id, each value as
    // body, clientId, author name (the agent's) and attachment name and type.
    const sent = await Promise.all(
      bodies.flatMap((body, i) => [
        (i % 2 === 0 ? a : b).appendMessage({
          conversationId: conversation.id,
          clientId: `agent ${i} ${body.slice(0, 200)}`,
          authorKind: 'agent',
          authorId: agent.id,
          authorName: agent.name,
          body,
          createdAt: 1_700_000_000_000 + i,
          assignedTo: agent.id,
          attachment: { id: `att-${i}`, name: body.slice(0, 100) || 'empty', type: `text/plain; x="${i}\\'"`, size: 2 ** 31 - 1 - i },
        }),
        (i % 2 === 0 ? b : a).appendVisitorMessage(visitor.id, { clientId: `visitor ${i} ${body.slice(0, 200)}`, body, createdAt: 1_700_000_000_000 + i }),
      ]),
    );
    const createdMessages = sent.map((r) => created(r));
    const history = await a.getMessages(conversation.id, { limit: 100 });
    expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
    expect(history).toHaveLength(bodies.length * 2);
    const byClientId = new Map(history.map((m) => [m.clientId, m]));
    bodies.forEach((body, i) => {
      const agentMessage = byClientId.get(`agent ${i} ${body.slice(0, 200)}`);
      expect(agentMessage, `agent ${i}`).toEqual(createdMessages[2 * i]);
      expect(agentMessage?.body).toBe(body);
      expect(agentMessage?.authorName).toBe(`O'Brien \\ "Agent" $$`);
      expect(agentMessage?.attachment).toEqual({ id: `att-${i}`, name: body.slice(0, 100) || 'empty', type: `text/plain; x="${i}\\'"`, size: 2 ** 31 - 1 - i });
      const visitorMessage = byClientId.get(`visitor ${i} ${body.slice(0, 200)}`);
      expect(visitorMessage, `visitor ${i}`).toEqual(createdMessages[2 * i + 1]);
      expect(visitorMessage?.body).toBe(body);
      expect(visitorMessage?.authorName).toBe(`Zoë 'the' \\visitor\\ $$ 🙂`);
    });
    // Resent through the other node: each finds its original by its awkward clientId.
    const again = await Promise.all(
      bodies.map((body, i) => (i % 2 === 0 ? b : a).appendVisitorMessage(visitor.id, { clientId: `visitor ${i} ${body.slice(0, 200)}`, body, createdAt: Date.now() })),
    );
    again.forEach((r, i) => expect(r.kind === 'duplicate' && r.message.id, `resend ${i}`).toBe(createdMessages[2 * i + 1].id));
    await expectGapFree(url, [conversation.id]);
    const c = await client(url);
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM messages`);
    expect(rows[0].n).toBe(bodies.length * 2);
  });

  it('[PG-RT2] two nodes racing on the same conversations with the same awkward clientIds, each sent three times through both: one message each, seq gap-free, every ack of a clientId the same message', async () => {
    const { url, stores } = await nodes(2);
    const { list } = await activeConversations(stores[0], 5);
    const sends: Array<{ key: string; run: () => Promise<Result> }> = [];
    list.forEach(({ conversation, visitor }, ci) => {
      awkward.forEach((value, i) => {
        const clientId = `${value}#${i}`;
        for (let k = 0; k < 3; k++) {
          const node = stores[(ci + i + k) % 2];
          sends.push({
            key: `${conversation.id}|${clientId}`,
            run: () =>
              k === 1
                ? node.appendVisitorMessage(visitor.id, { clientId, body: value, createdAt: Date.now() })
                : node.appendMessage(visitorMessage(conversation.id, visitor, clientId, value)),
          });
        }
      });
    });
    // A fixed interleaving, in waves of 20 sends per turn: batches of mixed size on both nodes.
    const order = sends.map((_, i) => i).sort((p, q) => ((p * 7919) % 101) - ((q * 7919) % 101) || p - q);
    const acks = new Map<string, Set<string>>();
    const waves: Array<Promise<void>> = [];
    for (let w = 0; w < order.length; w += 20) {
      waves.push(
        ...order.slice(w, w + 20).map(async (i) => {
          const result = await sends[i].run();
          const id = result.kind === 'created' ? result.message.id : result.kind === 'duplicate' ? result.message.id : `refused ${result.kind}`;
          acks.set(sends[i].key, (acks.get(sends[i].key) ?? new Set()).add(id));
        }),
      );
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(waves);
    expect(acks.size).toBe(list.length * awkward.length);
    for (const [key, ids] of acks) expect([...ids], key).toHaveLength(1);
    const rows = await expectGapFree(url, list.map((l) => l.conversation.id));
    expect(rows).toHaveLength(list.length * awkward.length);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set([...acks.values()].map((ids) => [...ids][0])));
  });

  it('[PG-RT3] an error before the insert (a NUL in a clientId, refused by the lookup) fails its append alone; the connection serves the store\'s next transaction and batch', async () => {
    const { url, stores } = await nodes(1, 1);
    const [store] = stores;
    const { list } = await activeConversations(store, 2);
    const [x, y] = list;
    const results = await Promise.allSettled([
      store.appendMessage(visitorMessage(x.conversation.id, x.visitor, 'x1')),
      store.appendVisitorMessage(x.visitor.id, { clientId: 'nul\u0000id', body: 'fine', createdAt: Date.now() }),
      store.appendVisitorMessage(y.visitor.id, { clientId: 'y1', body: 'fine', createdAt: Date.now() }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.code).toBe('22021');
    expect(results.map((r) => (r.status === 'fulfilled' ? created(r.value).seq : null))).toEqual([1, null, 1]);
    // A pool of one: the connection of the failed batch serves a transaction of the store's own, and a batch.
    expect(ok(await store.closeConversation(y.conversation.id, null, Date.now())).conversation.status).toBe('closed');
    expect(created(await store.appendVisitorMessage(x.visitor.id, { clientId: 'x2', body: 'next', createdAt: Date.now() })).seq).toBe(2);
    const rows = await expectGapFree(url, [x.conversation.id, y.conversation.id]);
    expect(rows.map((r) => r.clientId).sort()).toEqual(['x1', 'x2', 'y1']);
  });

  it('[PGBATCH1] two nodes racing on the same conversations, every clientId sent 2–3 times through both: seq 1..n, each clientId once, every ack stored', async () => {
    const { url, stores } = await nodes(2);
    const [a, b] = stores;
    const { agent, list } = await activeConversations(a, 4);
    // Each clientId is sent two or three times, through both nodes, as a visitor's append by
    // visitor id or by conversation id; agents' messages are sent twice with assignedTo.
    const sends: Array<{ key: string; run: () => Promise<Result> }> = [];
    list.forEach(({ conversation, visitor }, ci) => {
      for (let i = 0; i < 40; i++) {
        const clientId = `v${ci}-${i}`;
        const copies = i % 3 === 0 ? 3 : 2;
        for (let k = 0; k < copies; k++) {
          const node = stores[(i + k) % 2];
          const byVisitor = (i + k) % 3 !== 0;
          sends.push({
            key: `${conversation.id}|${clientId}`,
            run: () =>
              byVisitor
                ? node.appendVisitorMessage(visitor.id, { clientId, body: `from ${clientId}`, createdAt: Date.now() })
                : node.appendMessage(visitorMessage(conversation.id, visitor, clientId)),
          });
        }
      }
      for (let i = 0; i < 20; i++) {
        const clientId = `a${ci}-${i}`;
        for (let k = 0; k < 2; k++) {
          sends.push({
            key: `${conversation.id}|${clientId}`,
            run: () =>
              stores[(i + k + 1) % 2].appendMessage({
                conversationId: conversation.id,
                clientId,
                authorKind: 'agent',
                authorId: agent.id,
                authorName: agent.name,
                body: `agent ${clientId}`,
                createdAt: Date.now(),
                assignedTo: agent.id,
              }),
          });
        }
      }
    });
    // A fixed shuffle, sent in waves of 25, one event-loop turn each: many batches of mixed size on both nodes.
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = sends.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [sends[i], sends[j]] = [sends[j], sends[i]];
    }
    const outcomes: Array<Promise<{ key: string; result: Result }>> = [];
    for (let i = 0; i < sends.length; i += 25) {
      for (const s of sends.slice(i, i + 25)) outcomes.push(s.run().then((result) => ({ key: s.key, result })));
      await new Promise((r) => setImmediate(r));
    }
    const results = await Promise.all(outcomes);

    expect(results.filter((r) => r.result.kind !== 'created' && r.result.kind !== 'duplicate').map((r) => r.result.kind)).toEqual([]);
    const rows = await expectGapFree(
      url,
      list.map((l) => l.conversation.id),
    );
    expect(rows).toHaveLength(4 * 60);
    const byKey = new Map(rows.map((r) => [`${r.conversationId}|${r.clientId}`, r]));
    const createdPerKey = new Map<string, number>();
    for (const { key, result } of results) {
      if (result.kind !== 'created' && result.kind !== 'duplicate') continue;
      // Every ack names the stored message: same id, same seq.
      const row = byKey.get(key);
      expect(row, key).toBeDefined();
      expect({ id: result.message.id, seq: result.message.seq }).toEqual({ id: row!.id, seq: row!.seq });
      if (result.kind === 'created') createdPerKey.set(key, (createdPerKey.get(key) ?? 0) + 1);
    }
    expect([...createdPerKey.values()].every((n) => n === 1)).toBe(true);
    expect(createdPerKey.size).toBe(4 * 60);
    // Batching happened: some transaction stored more than one message.
    const perTransaction = new Map<string, number>();
    for (const r of rows) perTransaction.set(r.xmin, (perTransaction.get(r.xmin) ?? 0) + 1);
    expect(Math.max(...perTransaction.values())).toBeGreaterThan(1);
  }, 60_000);

  it('[PGBATCH2] refusals in a batch (closed, wrong assignee, unknown, no open conversation, taken clientId) leave the others stored, in one transaction', async () => {
    const { url, stores } = await nodes(1);
    const [store] = stores;
    const { agent, list } = await activeConversations(store, 3);
    const [x, y, z] = list;
    ok(await store.closeConversation(y.conversation.id, null, Date.now()));
    const lonely = await store.createVisitor({ name: 'No conversation', email: null });
    const agentSend = (conversationId: string, clientId: string, assignedTo: string) =>
      store.appendMessage({ conversationId, clientId, authorKind: 'agent', authorId: agent.id, authorName: agent.name, body: clientId, createdAt: Date.now(), assignedTo });
    // All asked for in one turn: one batch.
    const results = await Promise.all([
      agentSend(x.conversation.id, 'x1', agent.id),
      store.appendMessage(visitorMessage(y.conversation.id, y.visitor, 'y1')),
      agentSend(x.conversation.id, 'x-wrong', 'someone-else'),
      store.appendMessage(visitorMessage('no-such-conversation', x.visitor, 'n1')),
      store.appendVisitorMessage(lonely.id, { clientId: 'l1', body: 'hello', createdAt: Date.now() }),
      store.appendVisitorMessage(x.visitor.id, { clientId: 'x2', body: 'hi', createdAt: Date.now() }),
      // The same clientId as the agent's x1 a moment earlier in this batch, by another author.
      store.appendMessage(visitorMessage(x.conversation.id, x.visitor, 'x1')),
      // A resend within the batch: the original, not a second row.
      store.appendVisitorMessage(x.visitor.id, { clientId: 'x2', body: 'hi', createdAt: Date.now() }),
      store.appendMessage(visitorMessage(z.conversation.id, z.visitor, 'z1')),
    ]);
    expect(results.map((r) => r.kind)).toEqual([
      'created',
      'closed',
      'not_assigned',
      'not_found',
      'no_open_conversation',
      'created',
      'client_id_taken',
      'duplicate',
      'created',
    ]);
    expect(created(results[0]).seq).toBe(1);
    expect(created(results[5]).seq).toBe(2);
    expect(results[7].kind === 'duplicate' && results[7].message.id).toBe(created(results[5]).id);
    expect(created(results[8]).seq).toBe(1);
    const rows = await expectGapFree(url, [x.conversation.id, y.conversation.id, z.conversation.id]);
    expect(rows.map((r) => r.clientId).sort()).toEqual(['x1', 'x2', 'z1']);
    expect(new Set(rows.map((r) => r.xmin)).size, 'one transaction').toBe(1);
  });

  it('[PGBATCH3] an append PostgreSQL refuses fails alone: the rest of its batch is stored, gap-free', async () => {
    const { url, stores } = await nodes(1);
    const [store] = stores;
    const { list } = await activeConversations(store, 2);
    const [x, z] = list;
    const results = await Promise.allSettled([
      store.appendMessage(visitorMessage(x.conversation.id, x.visitor, 'x1')),
      // A NUL character: text columns refuse it (22021), so the batch's insert fails as a whole.
      store.appendMessage(visitorMessage(x.conversation.id, x.visitor, 'bad', 'a\u0000b')),
      store.appendMessage(visitorMessage(x.conversation.id, x.visitor, 'x2')),
      store.appendVisitorMessage(z.visitor.id, { clientId: 'z1', body: 'hello', createdAt: Date.now() }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const seqs = results.map((r) => (r.status === 'fulfilled' ? created(r.value).seq : null));
    expect(seqs).toEqual([1, null, 2, 1]);
    const rows = await expectGapFree(url, [x.conversation.id, z.conversation.id]);
    expect(rows.map((r) => r.clientId).sort()).toEqual(['x1', 'x2', 'z1']);
  });

  it('[PGBATCH4] appends whose conversation another transaction holds wait for it in the next batch, and see what it committed meanwhile: its clientId, its seq, its close', async () => {
    const { url, stores } = await nodes(1);
    const [store] = stores;
    const { list } = await activeConversations(store, 3);
    const [x, y, w] = list;
    // Another node's append in flight on x, and another node closing y, each holding the row lock.
    const other = await client(url);
    await other.query('BEGIN');
    await other.query('SELECT 1 FROM conversations WHERE id = ANY($1) FOR UPDATE', [[x.conversation.id, y.conversation.id]]);
    await other.query(
      `INSERT INTO messages (id, conversation_id, seq, client_id, author_kind, author_id, author_name, body, created_at)
       VALUES ('m-other', $1, 1, 'resent', 'visitor', $2, 'V', 'original', 0)`,
      [x.conversation.id, x.visitor.id],
    );
    await other.query('UPDATE conversations SET last_seq = 1 WHERE id = $1', [x.conversation.id]);
    await other.query(`UPDATE conversations SET status = 'closed', closed_at = 1 WHERE id = $1`, [y.conversation.id]);
    const pending = Promise.all([
      store.appendVisitorMessage(x.visitor.id, { clientId: 'resent', body: 'original', createdAt: Date.now() }),
      store.appendMessage(visitorMessage(x.conversation.id, x.visitor, 'next')),
      store.appendMessage(visitorMessage(x.conversation.id, x.visitor, 'next2')),
      store.appendVisitorMessage(y.visitor.id, { clientId: 'y1', body: 'hello', createdAt: Date.now() }),
      store.appendMessage(visitorMessage(y.conversation.id, y.visitor, 'y2')),
      store.appendMessage(visitorMessage(w.conversation.id, w.visitor, 'w1')),
    ]);
    await waitingBackend(other);
    // The conversation nobody held did not wait: stored by the first batch already.
    expect((await storedMessages(url)).map((m) => m.clientId)).toEqual(['w1']);
    await other.query('COMMIT');
    const [resent, next, next2, y1, y2, w1] = await pending;
    expect(resent.kind === 'duplicate' && resent.message.id).toBe('m-other');
    expect(created(next).seq).toBe(2);
    expect(created(next2).seq).toBe(3);
    expect(y1.kind).toBe('no_open_conversation');
    expect(y2.kind).toBe('closed');
    expect(created(w1).seq).toBe(1);
    const rows = await expectGapFree(url, [x.conversation.id, y.conversation.id, w.conversation.id]);
    expect(rows.map((r) => r.clientId).sort()).toEqual(['next', 'next2', 'resent', 'w1']);
    // Decided right the first time: the waiting batch committed as one transaction (no unique violation, no retry alone).
    const mine = rows.filter((r) => r.clientId === 'next' || r.clientId === 'next2');
    expect(mine[0].xmin).toBe(mine[1].xmin);
  });

  it('[PGBATCH5] a connection killed mid-batch (pg_terminate_backend) acks nothing it did not commit: those appends fail as an outage and are not stored, a resend gets the next seq', async () => {
    const { url, stores } = await nodes(1);
    const [store] = stores;
    const { list } = await activeConversations(store, 3);
    // Another transaction holds two of the three: the first batch stores the free one, the next waits for
    // the other two (in id order, holding the first of them once it gets it) and is killed while waiting.
    const sorted = [...list].sort((p, q) => (p.conversation.id < q.conversation.id ? -1 : 1));
    const other = await client(url);
    await other.query('BEGIN');
    await other.query('SELECT 1 FROM conversations WHERE id = ANY($1) FOR UPDATE', [[sorted[1].conversation.id, sorted[2].conversation.id]]);
    const sends = () =>
      Promise.allSettled(sorted.map(({ conversation, visitor }, i) => store.appendMessage(visitorMessage(conversation.id, visitor, `k${i}`))));
    const pending = sends();
    const pid = await waitingBackend(other);
    await other.query('SELECT pg_terminate_backend($1)', [pid]);
    const results = await pending;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    for (const r of results.slice(1)) expect(outageOf(r.status === 'rejected' ? r.reason : null)?.dependency).toBe('database');
    await other.query('ROLLBACK');
    expect((await storedMessages(url)).map((m) => m.clientId)).toEqual(['k0']);
    // The pool replaced the connection; the resends are stored (the acked one is found again).
    const again = await sends();
    expect(again.map((r) => (r.status === 'fulfilled' ? `${r.value.kind} ${r.value.kind === 'created' || r.value.kind === 'duplicate' ? r.value.message.seq : ''}` : r.reason))).toEqual([
      'duplicate 1',
      'created 1',
      'created 1',
    ]);
    await expectGapFree(url, sorted.map((l) => l.conversation.id));
  });

  it('[PGBATCH7] acks wait for the COMMIT: none settles while the COMMIT is held; killed inside COMMIT, all fail and nothing is stored', async () => {
    const { url, stores } = await nodes(1);
    const [store] = stores;
    const { list } = await activeConversations(store, 2);
    // A deferred trigger runs inside COMMIT: it waits there for an advisory lock the test holds.
    const holder = await client(url);
    await holder.query(`CREATE FUNCTION hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $$`);
    await holder.query(`CREATE CONSTRAINT TRIGGER hold_commit AFTER INSERT ON messages
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hold_commit()`);
    const batch = (prefix: string) => {
      const settled: string[] = [];
      const all = Promise.allSettled(
        list.map(({ conversation, visitor }, i) =>
          store.appendMessage(visitorMessage(conversation.id, visitor, `${prefix}${i}`)).finally(() => settled.push(`${prefix}${i}`)),
        ),
      );
      return { settled, all };
    };

    await holder.query('SELECT pg_advisory_lock(4242)');
    const first = batch('a');
    await waitingBackend(holder);
    await new Promise((r) => setImmediate(r));
    expect(first.settled, 'settled before COMMIT returned').toEqual([]);
    await holder.query('SELECT pg_advisory_unlock(4242)');
    expect((await first.all).map((r) => (r.status === 'fulfilled' ? created(r.value).seq : r.reason))).toEqual([1, 1]);

    await holder.query('SELECT pg_advisory_lock(4242)');
    const second = batch('b');
    const pid = await waitingBackend(holder);
    expect(second.settled).toEqual([]);
    await holder.query('SELECT pg_terminate_backend($1)', [pid]);
    const results = await second.all;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    for (const r of results) expect(outageOf(r.status === 'rejected' ? r.reason : null)?.dependency).toBe('database');
    await holder.query('SELECT pg_advisory_unlock(4242)');
    expect((await storedMessages(url)).map((m) => m.clientId).sort()).toEqual(['a0', 'a1']);
  });

  it('[PGBATCH8] one sender\'s appends, asked for turn after turn while earlier batches are in flight, are stored in the order asked', async () => {
    const { url, stores } = await nodes(1, 8);
    const [store] = stores;
    const { agent, list } = await activeConversations(store, 1);
    const [{ conversation, visitor }] = list;
    const sent: Array<Promise<Result>> = [];
    for (let i = 0; i < 60; i++) {
      // The visitor's and the agent's appends are keyed apart (visitor id, conversation id): each side keeps its own order.
      sent.push(store.appendVisitorMessage(visitor.id, { clientId: `v${i}`, body: `v${i}`, createdAt: Date.now() }));
      sent.push(
        store.appendMessage({ conversationId: conversation.id, clientId: `a${i}`, authorKind: 'agent', authorId: agent.id, authorName: agent.name, body: `a${i}`, createdAt: Date.now(), assignedTo: agent.id }),
      );
      if (i % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    const seqs = (await Promise.all(sent)).map((r) => created(r).seq);
    const visitorSeqs = seqs.filter((_, i) => i % 2 === 0);
    const agentSeqs = seqs.filter((_, i) => i % 2 === 1);
    expect(visitorSeqs).toEqual([...visitorSeqs].sort((p, q) => p - q));
    expect(agentSeqs).toEqual([...agentSeqs].sort((p, q) => p - q));
    await expectGapFree(url, [conversation.id]);
  });

  it('[PGBATCH9] a migration adding columns (another node upgrading first) does not break the prepared append statements', async () => {
    const { url, stores } = await nodes(1, 2);
    const [store] = stores;
    const { list } = await activeConversations(store, 1);
    const [{ conversation, visitor }] = list;
    const send = (clientId: string) => store.appendVisitorMessage(visitor.id, { clientId, body: clientId, createdAt: Date.now() });
    // Prepared on both pooled connections.
    await Promise.all([send('before1'), store.appendMessage(visitorMessage(conversation.id, visitor, 'before2'))]);
    const other = await client(url);
    await other.query('ALTER TABLE conversations ADD COLUMN later_column INTEGER NOT NULL DEFAULT 0');
    await other.query('ALTER TABLE messages ADD COLUMN later_column INTEGER NOT NULL DEFAULT 0');
    const after = await Promise.all([send('after1'), store.appendMessage(visitorMessage(conversation.id, visitor, 'after2'))]);
    expect(after.map((r) => created(r).seq).sort()).toEqual([3, 4]);
    // Stored by their batch's first attempt, not each alone after a failed one.
    const rows = (await storedMessages(url)).filter((m) => m.clientId.startsWith('after'));
    expect(rows[0].xmin).toBe(rows[1].xmin);
  });

  it('[PGBATCH6] a node whose connections are all killed under load, its failures resent through the other: every ack stored, each clientId once, seq gap-free', async () => {
    const { url, stores } = await nodes(2, 8);
    const [a, b] = stores;
    const { list } = await activeConversations(a, 5);
    const killer = await client(url);
    const acked: Array<{ key: string; message: MessageRecord }> = [];
    let killed = false;
    let kills = 0;
    let failures = 0;
    const send = async (i: number) => {
      const { conversation, visitor } = list[i % list.length];
      const clientId = `m${i}`;
      let node = i % 2 === 0 ? a : b;
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          const result = await node.appendVisitorMessage(visitor.id, { clientId, body: clientId, createdAt: Date.now() });
          if (result.kind !== 'created' && result.kind !== 'duplicate') throw new Error(`${clientId}: ${result.kind}`);
          acked.push({ key: `${conversation.id}|${clientId}`, message: result.message });
          if (acked.length === 60 && !killed) {
            killed = true;
            const { rows } = await killer.query(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'node0'`,
            );
            kills = rows.length;
          }
          return;
        } catch (err) {
          if (outageOf(err)?.dependency !== 'database') throw err;
          failures++;
          node = b; // as a client reconnecting through the other node resends
        }
      }
      throw new Error(`${clientId} never stored`);
    };
    const all: Array<Promise<void>> = [];
    for (let i = 0; i < 400; i += 20) {
      for (let k = i; k < i + 20; k++) all.push(send(k));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    expect(kills).toBeGreaterThan(0);
    const rows = await expectGapFree(
      url,
      list.map((l) => l.conversation.id),
    );
    expect(rows).toHaveLength(400);
    const byKey = new Map(rows.map((r) => [`${r.conversationId}|${r.clientId}`, r]));
    for (const { key, message } of acked) expect({ id: byKey.get(key)?.id, seq: byKey.get(key)?.seq }, key).toEqual({ id: message.id, seq: message.seq });
    // Node 0 serves again on fresh connections.
    const after = await a.appendVisitorMessage(list[0].visitor.id, { clientId: 'after', body: 'after', createdAt: Date.now() });
    expect(created(after).seq).toBe(81);
  }, 60_000);
});
