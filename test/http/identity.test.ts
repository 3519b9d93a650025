// [IDENT] Verified visitor identity (issue 19, docs/embedding.md "Verified identity"): the host's
// HMAC of a user id binds every device of that user to one visitor; a wrong, missing or foreign
// hash changes nothing and never reaches a verified visitor; IDENTITY_REQUIRED lets only verified
// visitors chat. On SQLite and PostgreSQL (the store binds user ids).

import { describe, expect, it, onTestFinished } from 'vitest';
import type { Visitor } from '../../server/protocol/shapes.ts';
import { createLogger } from '../../server/logger.ts';
import { identityHash } from '../../server/core/identity.ts';
import { openPostgresStore } from '../../server/store/postgres/postgres-store.ts';
import { ok } from '../helpers/clients.ts';
import { cookieOf, type StartOptions, type TestApp, startApp } from '../helpers/start-app.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';

type Engine = 'sqlite' | 'postgres';
const ENGINES: Engine[] = ['sqlite', 'postgres'];
const SECRET = 'identity-secret-for-tests-0123456789';
const WITH_SECRET = { IDENTITY_SECRET: SECRET };

async function startOn(engine: Engine, opts: StartOptions = {}): Promise<TestApp> {
  if (engine === 'sqlite') return startApp(opts);
  const store = await openPostgresStore(await freshPostgresUrl(), { logger: createLogger('silent') });
  await store.migrate();
  onTestFinished(() => store.close());
  return startApp({ ...opts, store });
}

interface Answer {
  status: number;
  cookie: string | null;
  visitor?: Visitor;
  error?: { code: string };
}

async function identify(t: TestApp, body: Record<string, unknown>, cookie?: string): Promise<Answer> {
  const res = await t.http('/api/visitor/session', { method: 'POST', cookie, json: body });
  const set = res.headers.getSetCookie().some((c) => c.startsWith('parley.sid='));
  const json = (await res.json()) as { visitor?: Visitor; error?: { code: string } };
  return { status: res.status, cookie: set ? cookieOf(res) : (cookie ?? null), ...json };
}

async function me(t: TestApp, cookie: string): Promise<Visitor | null> {
  const res = await t.http('/api/me', { cookie });
  return res.status === 200 ? ((await res.json()) as { visitor?: Visitor }).visitor ?? null : null;
}

const signed = (userId: string, extra: Record<string, unknown> = {}) => ({ userId, hash: identityHash(SECRET, userId), ...extra });

describe.each(ENGINES)('[IDENT] verified identity on %s', (engine) => {
  it('[IDENT2] a valid hash makes every device the same visitor; the history follows to a new context', async () => {
    const t = await startOn(engine, { env: WITH_SECRET });
    // Device A chats anonymously, then the host site's user logs in: the chat becomes theirs.
    const a = await t.visitor('websocket');
    await ok(a.socket, 'message:send', { clientId: 'c1', body: 'hello from the laptop' });
    expect(a.visitor.verified).toBe(false);
    const aId = await identify(t, signed('user-42', { name: 'Ada', email: 'ada@example.com' }), a.cookie);
    expect(aId).toMatchObject({ status: 200, visitor: { id: a.visitor.id, name: 'Ada', email: 'ada@example.com', verified: true } });
    // A fresh session id once the visitor is verified (a session id known before never carries it).
    expect(aId.cookie).not.toBe(a.cookie);
    // Device B (another browser: no cookie at all) and device C (its own anonymous visitor first).
    const b = await identify(t, signed('user-42'));
    expect(b).toMatchObject({ status: 200, visitor: { id: a.visitor.id, name: 'Ada', verified: true } });
    const cAnon = await t.visitorSession();
    const c = await identify(t, signed('USER-42'.toLowerCase(), { hash: identityHash(SECRET, 'user-42').toUpperCase() }), cAnon.cookie);
    expect(c.visitor?.id).toBe(a.visitor.id);
    expect(await me(t, c.cookie!)).toMatchObject({ id: a.visitor.id, verified: true });
    // C's own anonymous visitor stays apart (nothing of it merges).
    expect(cAnon.visitor.id).not.toBe(a.visitor.id);
    const socket = (await t.visitor('polling', b.cookie!)).socket;
    const history = await ok(socket, 'history:get', {});
    expect(history.messages.map((m) => m.body)).toEqual(['hello from the laptop']);
    const agent = await t.agent('websocket');
    const context = await ok(agent.socket, 'visitor:get', { conversationId: history.conversation!.id });
    expect(context.visitor).toMatchObject({ id: a.visitor.id, verified: true, name: 'Ada' });
  });

  it('[IDENT2b] concurrent first identifies of one user (many devices at once) agree on one visitor', async () => {
    const t = await startOn(engine, { env: WITH_SECRET });
    const anonymous = await Promise.all(Array.from({ length: 4 }, () => t.visitorSession()));
    const answers = await Promise.all([
      ...anonymous.map((a) => identify(t, signed('racer'), a.cookie)),
      ...Array.from({ length: 4 }, () => identify(t, signed('racer'))),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((a) => a.visitor!.id)).size).toBe(1);
    // At most one of the anonymous visitors became the user's; the others stay anonymous.
    const rows = await Promise.all(anonymous.map((a) => t.store.getVisitor(a.visitor.id)));
    expect(rows.filter((r) => r!.verified).length).toBeLessThanOrEqual(1);
  });

  it('[IDENT3] wrong, foreign and missing hashes are refused and change nothing', async () => {
    const t = await startOn(engine, { env: WITH_SECRET });
    const owner = await identify(t, signed('victim', { name: 'Victim', email: 'victim@example.com' }));
    expect(owner.status).toBe(200);
    const attacker = await t.visitorSession({ name: 'Mallory' });
    const attempts: Array<Record<string, unknown>> = [
      { userId: 'victim', hash: '0'.repeat(64), name: 'Mallory' },
      // A valid hash, but for another user (the attacker's own account on the host site).
      { userId: 'victim', hash: identityHash(SECRET, 'mallory'), name: 'Mallory' },
      // A hash made with another key.
      { userId: 'victim', hash: identityHash('not-the-secret-at-all', 'victim') },
      { userId: 'victim', hash: identityHash(SECRET, 'victim').slice(0, 63) },
      { userId: 'victim', hash: `${identityHash(SECRET, 'victim')}0` },
      { userId: 'victim', name: 'Mallory' },
      { hash: identityHash(SECRET, 'victim') },
      { userId: 'victim', hash: '' },
    ];
    for (const body of attempts) {
      const res = await identify(t, body, attacker.cookie);
      expect(res, JSON.stringify(body)).toMatchObject({ status: 403, error: { code: 'identity_invalid' } });
      expect(res.cookie).toBe(attacker.cookie);
    }
    // The attacker is still their own unverified visitor; the victim's row is untouched.
    expect(await me(t, attacker.cookie)).toMatchObject({ id: attacker.visitor.id, name: 'Mallory', verified: false });
    expect(await t.store.getVisitor(owner.visitor!.id)).toMatchObject({ name: 'Victim', email: 'victim@example.com', userId: 'victim', verified: true });
    // Without any session either: refused, no session made.
    const bare = await identify(t, { userId: 'victim', hash: 'f'.repeat(64) });
    expect(bare).toMatchObject({ status: 403, error: { code: 'identity_invalid' }, cookie: null });
    // Oversized input is refused at the edge.
    expect((await identify(t, { userId: 'x'.repeat(201), hash: 'a' })).status).toBe(400);
  });

  it('[IDENT4] name and email change only with the owner’s hash; switching users never merges two verified visitors', async () => {
    const t = await startOn(engine, { env: WITH_SECRET });
    const first = await identify(t, signed('ann', { name: 'Ann', email: 'ann@example.com' }));
    // The same valid hash replayed with other details: the owner is proven, so they apply.
    const renamed = await identify(t, signed('ann', { name: 'Ann Lee', email: 'lee@example.com' }));
    expect(renamed.visitor).toMatchObject({ id: first.visitor!.id, name: 'Ann Lee', email: 'lee@example.com' });
    // The user id with a hash replayed from another user: refused, names unchanged.
    const other = await identify(t, signed('bob', { name: 'Bob' }));
    const replay = await identify(t, { userId: 'ann', hash: identityHash(SECRET, 'bob'), name: 'Not Ann' }, other.cookie!);
    expect(replay.error?.code).toBe('identity_invalid');
    expect(await t.store.getVisitor(first.visitor!.id)).toMatchObject({ name: 'Ann Lee' });
    expect(await me(t, other.cookie!)).toMatchObject({ id: other.visitor!.id, name: 'Bob' });
    // Bob's browser logs in as Ann (valid): it becomes Ann's visitor; Bob's stays Bob's, apart.
    const switched = await identify(t, signed('ann'), other.cookie!);
    expect(switched.visitor?.id).toBe(first.visitor!.id);
    expect(await t.store.getVisitor(other.visitor!.id)).toMatchObject({ userId: 'bob', name: 'Bob' });
    // The verified owner's session may still change the details without a hash (as before identity).
    const plain = await identify(t, { name: 'Ann L.' }, switched.cookie!);
    expect(plain.visitor).toMatchObject({ id: first.visitor!.id, name: 'Ann L.', verified: true });
  });

  it('[IDENT5] IDENTITY_REQUIRED: unverified visitors get identity_required for a session and a socket; verified ones chat', async () => {
    const open = await startOn(engine, { env: WITH_SECRET });
    // A visitor from before the setting was turned on (same database, a second node with it on).
    const before = await open.visitorSession();
    const strict = await startApp({ store: open.store, keepStore: true, env: { ...WITH_SECRET, IDENTITY_REQUIRED: 'true' } });
    onTestFinished(() => strict.close());
    const refused = await identify(strict, { name: 'Anon' });
    expect(refused).toMatchObject({ status: 403, error: { code: 'identity_required' }, cookie: null });
    expect((await identify(strict, {}, before.cookie)).error?.code).toBe('identity_required');
    await expect(strict.connectAs('/visitor', 'websocket', before.cookie)).rejects.toThrow('identity_required');
    await expect(strict.connectAs('/visitor', 'polling', before.cookie)).rejects.toThrow('identity_required');
    const wrong = await identify(strict, { userId: 'u1', hash: identityHash(SECRET, 'u2') });
    expect(wrong.error?.code).toBe('identity_invalid');
    const good = await identify(strict, signed('u1', { name: 'Una' }));
    expect(good).toMatchObject({ status: 200, visitor: { verified: true, name: 'Una' } });
    const socket = await strict.connectAs('/visitor', 'websocket', good.cookie!);
    const sent = await ok(socket, 'message:send', { clientId: 'm1', body: 'verified hello' });
    expect(sent.message.body).toBe('verified hello');
    // The anonymous visitor of before can become verified, and then chat.
    const upgraded = await identify(strict, signed('u9'), before.cookie);
    expect(upgraded.visitor).toMatchObject({ id: before.visitor.id, verified: true });
    (await strict.connectAs('/visitor', 'polling', upgraded.cookie!)).close();
    socket.close();
  });

  it('[IDENT6] without IDENTITY_SECRET a hash is refused (identity_off) and a plain identify stays unverified', async () => {
    const t = await startOn(engine);
    expect(await identify(t, { userId: 'u1', hash: identityHash(SECRET, 'u1') })).toMatchObject({ status: 409, error: { code: 'identity_off' } });
    const plain = await identify(t, { name: 'Pat', email: 'pat@example.com' });
    expect(plain.visitor).toMatchObject({ name: 'Pat', email: 'pat@example.com', verified: false });
  });

  it('[IDENT7] reset (DELETE /api/visitor/session) forgets the visitor: the next one is new; the verified one comes back only with the hash', async () => {
    const t = await startOn(engine, { env: WITH_SECRET });
    const ann = await identify(t, signed('ann', { name: 'Ann' }));
    const reset = await t.http('/api/visitor/session', { method: 'DELETE', cookie: ann.cookie! });
    expect(reset.status).toBe(204);
    const after = cookieOf(reset);
    expect(await me(t, ann.cookie!)).toBeNull();
    expect(await me(t, after)).toBeNull();
    const fresh = await identify(t, {}, after);
    expect(fresh.visitor).toMatchObject({ verified: false });
    expect(fresh.visitor!.id).not.toBe(ann.visitor!.id);
    expect((await identify(t, signed('ann'), fresh.cookie!)).visitor!.id).toBe(ann.visitor!.id);
  });

  it('[IDENT8] custom attributes: bounded, stored, shown to agents in the visitor context', async () => {
    const t = await startOn(engine);
    const v = await t.visitor('websocket');
    const sent = await ok(v.socket, 'message:send', { clientId: 'c1', body: 'hi' });
    const put = (attributes: unknown, cookie = v.cookie) => t.http('/api/visitor/attributes', { method: 'PUT', cookie, json: { attributes } });
    const good = await put({ plan: 'pro', seats: 12, trial: false });
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ attributes: { plan: 'pro', seats: 12, trial: false } });
    const tooMany = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i]));
    for (const bad of [tooMany, { plan: 'x'.repeat(501) }, { ['k'.repeat(41)]: 1 }, { 'bad key': 1 }, { nested: { a: 1 } }, { list: [1] }, { n: null }]) {
      const res = await put(bad);
      expect(res.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
    }
    expect((await t.http('/api/visitor/attributes', { method: 'PUT', json: { attributes: { a: 1 } } })).status).toBe(401);
    const agent = await t.agent('polling');
    const context = await ok(agent.socket, 'visitor:get', { conversationId: sent.message.conversationId });
    expect(context.visitor.attributes).toEqual({ plan: 'pro', seats: 12, trial: false });
  });
});
