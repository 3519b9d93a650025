// The engine-neutral contract of search and tags (#17): every engine runs it unchanged
// (search-sqlite.test.ts, search-postgres.test.ts). Imports only the interface and protocol.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../server/clock.ts';
import { searchTerms } from '../../server/protocol/search.ts';
import type { ConversationRecord, SearchQuery, Store } from '../../server/store/store.ts';
import { created, ok, openOk } from './results.ts';

const T0 = 1_700_000_000_000;
const alice = { id: 'agent-alice', name: 'Alice' };
const bob = { id: 'agent-bob', name: 'Bob' };
const asAlice = { agentId: alice.id, admin: false };
const asAdmin = { agentId: 'agent-root', admin: true };

export function runSearchContract(engineName: string, open: (clock: Clock) => Promise<Store>): void {
  describe(`Search and tags contract: ${engineName}`, () => {
    let store: Store;
    let now = T0;
    const clock: Clock = { now: () => now };

    beforeEach(async () => {
      now = T0;
      store = await open(clock);
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
    });

    async function conversation(name = 'Visitor', email: string | null = null): Promise<ConversationRecord> {
      now += 1000;
      const visitor = await store.createVisitor({ name, email });
      return openOk(await store.openConversation(visitor, now)).conversation;
    }

    let n = 0;
    async function say(c: ConversationRecord, body: string) {
      now += 1000;
      return created(await store.appendMessage({ conversationId: c.id, clientId: `c${++n}`, authorKind: 'visitor', authorId: c.visitorId, authorName: c.visitorName, body, createdAt: now }));
    }

    const query = (q: string, viewer = asAdmin, limit = 20, offset = 0, candidates = 1000): SearchQuery => ({ terms: searchTerms(q), viewer, limit, offset, candidates });
    const bodies = async (q: string, viewer = asAdmin) => (await store.searchMessages(query(q, viewer))).map((h) => h.message.body);

    it('[SEARCH-FIND] finds words and word prefixes, any case, every term required, in open and closed conversations', async () => {
      const open = await conversation();
      const closed = await conversation();
      await say(open, 'My Invoice was charged twice');
      await say(open, 'unrelated words here');
      const m = await say(closed, 'please send the invoice again');
      ok(await store.closeConversation(closed.id, null, now));

      expect((await bodies('INVOICE')).sort()).toEqual(['My Invoice was charged twice', 'please send the invoice again']);
      expect(await bodies('invo')).toHaveLength(2);
      expect(await bodies('invoice twice')).toEqual(['My Invoice was charged twice']);
      expect(await bodies('invoice missing')).toEqual([]);
      // Short terms match whole words only: "in" is not a prefix of "invoice".
      expect(await bodies('in')).toEqual([]);
      const [hit] = await store.searchMessages(query('again'));
      expect(hit.message).toMatchObject({ id: m.id, seq: 1, conversationId: closed.id });
      expect(hit.conversation).toMatchObject({ id: closed.id, status: 'closed', visitorId: closed.visitorId });
      expect(hit.conversation.closedAt).toBe(now);
    });

    it('[SEARCH-RANK] the best match comes first, then the newest', async () => {
      const c = await conversation();
      await say(c, 'refund');
      await say(c, 'about the refund: I asked for it last week and nothing since, could someone look into this order please');
      await say(c, 'refund refund refund, I want my refund');
      await say(c, 'refund');
      const found = await bodies('refund');
      expect(found[0]).toBe('refund refund refund, I want my refund');
      expect(found.at(-1)).toMatch(/^about the refund/);
      expect(found).toHaveLength(4);
    });

    it('[SEARCH-HOSTILE] query syntax in the user text is matched as words, never parsed', async () => {
      const c = await conversation();
      await say(c, 'the NEAR function and OR and NOT are words here');
      await say(c, "it's quoted \"text\" with a body: colon");
      const hostile = [
        '"',
        '"unbalanced',
        '*',
        'NEAR(',
        'NEAR(a b)',
        'body:colon',
        "'); DROP TABLE messages; --",
        '!&|<->:*',
        '\\',
        '- ^ + ( ) { }',
        'a:* & !b',
        'OR',
        'NOT words',
        '\u0301\u0301',
        '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ﷽ 👍🏽',
      ];
      for (const q of hostile) await expect(store.searchMessages(query(q)), q).resolves.toBeInstanceOf(Array);
      for (const q of hostile) await expect(store.searchVisitors(query(q)), q).resolves.toBeInstanceOf(Array);
      expect(await bodies('NEAR(')).toEqual(['the NEAR function and OR and NOT are words here']);
      expect(await bodies('body:colon')).toEqual(["it's quoted \"text\" with a body: colon"]);
      expect(await bodies('"quoted')).toHaveLength(1);
      expect(await bodies('NOT words')).toHaveLength(1);
      expect((await store.getMessages(c.id, { limit: 10 })).length).toBe(2);
    });

    it('[SEARCH-PERM] an agent finds queued, closed and their own active conversations, never another agent\'s active one', async () => {
      const queued = await conversation();
      const mine = await conversation();
      const bobs = await conversation();
      const closedBobs = await conversation();
      for (const c of [queued, mine, bobs, closedBobs]) await say(c, `parcel lost ${c.id}`);
      ok(await store.claim(mine.id, alice));
      ok(await store.claim(bobs.id, bob));
      ok(await store.claim(closedBobs.id, bob));
      ok(await store.closeConversation(closedBobs.id, bob.id, now));
      const ids = async (viewer: SearchQuery['viewer']) => (await store.searchMessages(query('parcel', viewer))).map((h) => h.conversation.id).sort();
      expect(await ids(asAlice)).toEqual([queued.id, mine.id, closedBobs.id].sort());
      expect(await ids(asAdmin)).toEqual([queued.id, mine.id, bobs.id, closedBobs.id].sort());
      // The same rule for visitor matches.
      await store.updateVisitor(bobs.visitorId, { name: 'Zebulon' });
      expect(await store.searchVisitors(query('zebulon', asAlice))).toEqual([]);
      expect((await store.searchVisitors(query('zebulon', asAdmin))).map((h) => h.conversation.id)).toEqual([bobs.id]);
    });

    it('[SEARCH-PAGE] limit and offset page through every match once', async () => {
      const c = await conversation();
      for (let i = 0; i < 7; i++) await say(c, `shipping ${i}`);
      const pages = [];
      for (let offset = 0; offset < 8; offset += 3) pages.push(...(await store.searchMessages(query('shipping', asAdmin, 3, offset))));
      expect(pages.map((h) => h.message.body).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `shipping ${i}`));
      expect(new Set(pages.map((h) => h.message.id)).size).toBe(7);
      // Only the newest `candidates` matches are ranked and paged.
      const newest = await store.searchMessages(query('shipping', asAdmin, 10, 0, 3));
      expect(newest.map((h) => h.message.body).sort()).toEqual(['shipping 4', 'shipping 5', 'shipping 6']);
    });

    it('[SEARCH-VISITOR] visitors by name and email (kept in step with renames), with their latest conversation', async () => {
      const first = await conversation('Jane Doe', 'jane.doe@example.com');
      ok(await store.closeConversation(first.id, null, now));
      now += 1000;
      const second = openOk(await store.openConversation({ id: first.visitorId, name: 'Jane Doe' }, now)).conversation;
      await conversation('John Roe', 'john@example.org');
      const hits = await store.searchVisitors(query('jane'));
      expect(hits).toHaveLength(1);
      expect(hits[0].visitor).toMatchObject({ id: first.visitorId, name: 'Jane Doe', email: 'jane.doe@example.com' });
      expect(hits[0].conversation.id).toBe(second.id);
      expect((await store.searchVisitors(query('jane.doe@example.com'))).map((h) => h.visitor.name)).toEqual(['Jane Doe']);
      expect((await store.searchVisitors(query('example'))).map((h) => h.visitor.name)).toEqual(['John Roe', 'Jane Doe']);
      await store.updateVisitor(first.visitorId, { name: 'Janet Smith', email: null });
      expect((await store.searchVisitors(query('smith'))).map((h) => h.visitor.name)).toEqual(['Janet Smith']);
      expect(await store.searchVisitors(query('doe'))).toEqual([]);
    });

    it('[SEARCH-INDEX] a message is found as soon as its append resolves, also in one batch of many', async () => {
      const c = await conversation();
      const batch = await Promise.all(Array.from({ length: 20 }, (_, i) => say(c, `batch word${i} zanzibar`)));
      expect(batch).toHaveLength(20);
      expect(await bodies('zanzibar')).toHaveLength(20);
      expect(await bodies('word17')).toEqual(['batch word17 zanzibar']);
    });

    it('[TAGS] add and remove are idempotent, bounded per conversation, and read back in one query', async () => {
      const a = await conversation();
      const b = await conversation();
      expect(await store.addTag(a.id, 'billing', 3, now)).toEqual({ kind: 'ok', tags: ['billing'], changed: true });
      expect(await store.addTag(a.id, 'billing', 3, now)).toEqual({ kind: 'ok', tags: ['billing'], changed: false });
      expect(await store.addTag(a.id, 'anger', 3, now)).toEqual({ kind: 'ok', tags: ['anger', 'billing'], changed: true });
      expect(await store.addTag(a.id, 'vip', 3, now)).toMatchObject({ kind: 'ok', changed: true });
      expect(await store.addTag(a.id, 'late', 3, now)).toEqual({ kind: 'too_many', tags: ['anger', 'billing', 'vip'] });
      // Concurrent adds never pass the bound.
      await Promise.all(['t1', 't2', 't3', 't4'].map((t) => store.addTag(b.id, t, 2, now)));
      expect((await store.getTags([b.id]))[b.id]).toHaveLength(2);
      expect(await store.addTag('no-such-conversation', 'x', 3, now)).toEqual({ kind: 'not_found' });
      expect(await store.removeTag(a.id, 'anger')).toEqual({ kind: 'ok', tags: ['billing', 'vip'], changed: true });
      expect(await store.removeTag(a.id, 'anger')).toEqual({ kind: 'ok', tags: ['billing', 'vip'], changed: false });
      expect(await store.removeTag('no-such-conversation', 'x')).toEqual({ kind: 'not_found' });
      const all = await store.getTags([a.id, b.id, 'unknown']);
      expect(Object.keys(all).sort()).toEqual([a.id, b.id].sort());
      expect(all[a.id]).toEqual(['billing', 'vip']);
      expect(await store.getTags([])).toEqual({});
    });

    it('[TAGS-REPORT] reports filter by tag', async () => {
      const a = await conversation();
      const b = await conversation();
      await store.addTag(a.id, 'billing', 10, now);
      const range = { from: T0, to: now + 1 };
      expect((await store.reportConversations(range)).map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
      expect((await store.reportConversations({ ...range, tag: 'billing' })).map((r) => r.id)).toEqual([a.id]);
      expect(await store.reportConversations({ ...range, tag: 'other' })).toEqual([]);
    });
  });
}
