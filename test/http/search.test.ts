// GET /api/search over real HTTP (#17): agents only, this service's pages only, bad queries refused
// with what is wrong, hostile text searched as words, results only from conversations the agent may
// read, snippets with highlight ranges over plain text. One server for the file.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../helpers/clients.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';
import { SEARCH_PAGE_SIZE, type SearchResponse } from '../../server/protocol/search.ts';

describe('[SEARCH-HTTP] /api/search', () => {
  let t: TestApp;
  let alice: string;
  let admin: string;
  let visitorCookie: string;
  let closedId: string;
  let bobsId: string;

  beforeAll(async () => {
    t = await startApp({ register: false });
    const a = await t.agent('websocket', 'alice@example.com', { name: 'Alice' });
    const b = await t.agent('websocket', 'bob@example.com', { name: 'Bob' });
    alice = a.cookie;
    admin = (await t.login('root@example.com', { role: 'admin', name: 'Root' })).cookie;

    // A closed conversation of Alice's, Bob's active one, and a visitor with a name and email.
    const v1 = await t.visitorSession({ name: 'Jane Doe', email: 'jane@example.com' });
    visitorCookie = v1.cookie;
    const { socket: jane } = await t.visitor('websocket', v1.cookie);
    const { message } = await ok(jane, 'message:send', { clientId: 'j1', body: 'My <img src=x onerror=alert(1)> invoice was charged twice' });
    closedId = message.conversationId;
    await ok(a.socket, 'conversation:claim', { conversationId: closedId });
    await ok(a.socket, 'message:send', { conversationId: closedId, clientId: 'a1', body: 'Refunded the second invoice.' });
    await ok(a.socket, 'conversation:close', { conversationId: closedId });

    const { socket: other } = await t.visitor('websocket');
    const second = await ok(other, 'message:send', { clientId: 'o1', body: 'Secret invoice question' });
    bobsId = second.message.conversationId;
    await ok(b.socket, 'conversation:claim', { conversationId: bobsId });
    for (let i = 0; i < SEARCH_PAGE_SIZE + 5; i++) await ok(other, 'message:send', { clientId: `p${i}`, body: `pagination filler ${i}` });
  });
  afterAll(() => t?.close());

  const search = async (q: string | Record<string, string | string[]>, cookie = alice, headers: Record<string, string> = {}) => {
    const pairs: Array<[string, string]> = typeof q === 'string' ? [['q', q]] : Object.entries(q).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x]));
    const params = new URLSearchParams(pairs);
    return t.http(`/api/search?${params}`, { cookie, headers });
  };

  it('[SEARCH-HTTP1] finds a message in a closed conversation, with a snippet of plain text and its highlighted ranges', async () => {
    const res = await search('INVOICE charged');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const page = (await res.json()) as SearchResponse;
    expect(page.nextOffset).toBeNull();
    expect(page.results).toHaveLength(1);
    const [hit] = page.results;
    expect(hit).toMatchObject({ kind: 'message', conversation: { id: closedId, status: 'closed', visitor: { name: 'Jane Doe', email: 'jane@example.com' } }, message: { seq: 1, author: { kind: 'visitor', name: 'Jane Doe' } } });
    expect(hit.conversation.closedAt).not.toBeNull();
    // The markup stays text; the ranges point at the matching words.
    expect(hit.snippet.text).toBe('My <img src=x onerror=alert(1)> invoice was charged twice');
    expect(hit.snippet.highlights.map((h) => hit.snippet.text.slice(h.start, h.end))).toEqual(['invoice', 'charged']);
  });

  it('[SEARCH-HTTP2] an agent never finds another agent\'s active conversation; an admin does', async () => {
    const mine = (await (await search('invoice')).json()) as SearchResponse;
    expect(mine.results.map((r) => r.conversation.id)).not.toContain(bobsId);
    expect(mine.results.filter((r) => r.kind === 'message').map((r) => r.message!.seq).sort()).toEqual([1, 2]);
    const all = (await (await search('invoice', admin)).json()) as SearchResponse;
    expect(all.results.map((r) => r.conversation.id)).toContain(bobsId);
  });

  it('[SEARCH-HTTP3] visitors by name or email come first; results page by offset', async () => {
    const byEmail = (await (await search('jane@example.com')).json()) as SearchResponse;
    expect(byEmail.results[0]).toMatchObject({ kind: 'visitor', message: null, conversation: { id: closedId } });
    expect(byEmail.results[0].snippet.text).toBe('Jane Doe <jane@example.com>');
    const first = (await (await search('filler', admin)).json()) as SearchResponse;
    expect(first.results).toHaveLength(SEARCH_PAGE_SIZE);
    expect(first.nextOffset).toBe(SEARCH_PAGE_SIZE);
    const rest = (await (await search({ q: 'filler', offset: String(first.nextOffset) }, admin)).json()) as SearchResponse;
    expect(rest.results).toHaveLength(5);
    expect(rest.nextOffset).toBeNull();
    expect(new Set([...first.results, ...rest.results].map((r) => r.message!.id)).size).toBe(SEARCH_PAGE_SIZE + 5);
  });

  it('[SEARCH-HTTP4] hostile query text is searched as words and never an error', async () => {
    for (const q of ['"invoice', 'invoice*', 'NEAR(invoice', "invoice'); DROP TABLE messages;--", 'invoice & !x | y', '<img src=x>', 'body:invoice']) {
      const res = await search(q);
      expect(res.status, q).toBe(200);
    }
    const tagged = (await (await search('<img src=x>')).json()) as SearchResponse;
    expect(tagged.results.map((r) => r.conversation.id)).toEqual([closedId]);
  });

  it('[SEARCH-HTTP5] bad queries are 400 invalid_payload saying what is wrong', async () => {
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{}, 'q'],
      [{ q: '' }, 'q'],
      [{ q: 'x'.repeat(201) }, 'longer than 200'],
      [{ q: '!!! ??? ***' }, 'no words'],
      [{ q: 'a b c d e f g h i' }, 'more than 8 words'],
      [{ q: ['one', 'two'] }, 'q'],
      [{ q: 'invoice', offset: '-1' }, 'offset'],
      [{ q: 'invoice', offset: 'abc' }, 'offset'],
      [{ q: 'invoice', offset: '501' }, 'offset'],
      [{ q: '\ud800' }, 'q'],
    ];
    for (const [params, says] of cases) {
      const res = await search(params);
      expect(res.status, JSON.stringify(params)).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_payload');
      expect(body.error.message).toContain(says);
    }
  });

  it('[TAGS-REPORT-HTTP] reports filter by tag; a bad tag is refused', async () => {
    const tagger = await t.connectAs('/agent', 'websocket', admin);
    await ok(tagger, 'tag:add', { conversationId: closedId, tag: 'Billing' });
    const day = new Date().toISOString().slice(0, 10);
    const report = async (extra: Record<string, string>) => t.http(`/api/reports/summary?${new URLSearchParams({ from: day, to: day, tz: 'UTC', ...extra })}`, { cookie: admin });
    const all = (await (await report({})).json()) as { totals: { opened: number }; range: { tag?: string } };
    const tagged = (await (await report({ tag: 'BILLING' })).json()) as { totals: { opened: number }; range: { tag?: string } };
    expect(all.totals.opened).toBe(2);
    expect(tagged.totals.opened).toBe(1);
    expect(tagged.range.tag).toBe('billing');
    expect(((await (await report({ tag: 'nobody-has-it' })).json()) as { totals: { opened: number } }).totals.opened).toBe(0);
    const bad = await report({ tag: 'two words' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('tag:');
    tagger.close();
  });

  it('[SEARCH-HTTP6] visitors and strangers get 401, foreign pages 403', async () => {
    expect((await search('invoice', '')).status).toBe(401);
    const asVisitor = await search('invoice', visitorCookie);
    expect(asVisitor.status).toBe(401);
    expect(((await asVisitor.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await search('invoice', alice, { origin: 'https://evil.example.net' })).status).toBe(403);
    expect((await search('invoice', alice, { origin: t.url })).status).toBe(200);
  });
});
