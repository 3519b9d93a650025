// [FUZZ] Issue #11: property-based fuzzing of every client→server event of /visitor, /agent and
// /admin against a real server process. Every acked call is answered (ok, or ok:false with a
// code of the closed set) within a deadline; invalid payloads change nothing in the database and
// cut no connection; prototype keys pollute nothing; and the server stays up, within its memory
// budget, with the control conversation working.

import fc from 'fast-check';
import { assert, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../server/protocol/errors.ts';
import type { Conversation, Message } from '../../server/protocol/shapes.ts';
import { type AdminClient, type AgentClient, type Clients, type NamespacePath, type VisitorClient, connect, ok, untyped } from '../helpers/clients.ts';
import { cookieOf } from '../helpers/start-app.ts';
import { useArena } from './arena.ts';
import { snapshot, unchangedBy } from './db-snapshot.ts';
import { EVENTS, type EventSpec, type Namespace, type Pools, arbitraries, own } from './payloads.ts';
import { ackOf, joinNamespace, rawWebSocket } from './raw.ts';
import type { Target } from './target.ts';

// Limits raised so that the fuzzing measures validation, not the flood limits (rate_limited is still accepted).
const arena = useArena({ MESSAGE_RATE_LIMIT: '100000' });

/** No answer within this is a hang. */
const CALL_TIMEOUT_MS = 4000;
const CODES: string[] = Object.values(ErrorCode);

interface Fixtures {
  target: Target;
  sockets: { visitor: VisitorClient[]; agent: AgentClient[]; admin: AdminClient[] };
  pools: Pools;
  cookies: { visitor: string; agent: string; admin: string };
  /** An admin on /agent: reads any transcript, for the shape checks. */
  adminAgent: AgentClient;
  /** The visitor on sockets.visitor[0]. */
  visitor: VisitorClient;
  adminId: string;
  visitorId: string;
}

let fixtures: Fixtures | undefined;

/** The actors every case fuzzes with, made once per target (a case that kills the server gets a new one). */
async function setUp(): Promise<Fixtures> {
  const { target } = arena;
  if (fixtures?.target === target) return fixtures;
  const admin = await target.adminCookie();
  const me = (await (await fetch(`${target.url}/api/me`, { headers: { cookie: admin } })).json()) as { agent: { id: string } };
  const agentIds = [me.agent.id];
  const agentCookies: string[] = [];
  for (const email of ['fuzz-agent@example.com', 'fuzz-other@example.com']) {
    const password = 'fuzzing password 1';
    const res = await fetch(`${target.url}/api/agents`, {
      method: 'POST',
      headers: { cookie: admin, 'content-type': 'application/json', origin: target.url },
      body: JSON.stringify({ email, name: email.split('@')[0], password, role: 'agent' }),
    });
    expect(res.status).toBe(201);
    agentIds.push(((await res.json()) as { agent: { id: string } }).agent.id);
    const login = await target.login(email, password, { address: '10.255.0.9' });
    expect(login.status).toBe(200);
    agentCookies.push(cookieOf(login));
  }
  const v1 = (await target.visitorSession({ address: '10.255.0.1' })).cookie!;
  const v2 = (await target.visitorSession({ address: '10.255.0.2' })).cookie!;
  const visitorWs = await connect(target.url, '/visitor', { transport: 'websocket', cookie: v1 });
  const visitorPolling = await connect(target.url, '/visitor', { transport: 'polling', cookie: v2 });
  const conversationIds = [arena.control.conversationId];
  for (const [socket, n] of [[visitorWs, 3], [visitorPolling, 1]] as const) {
    for (let i = 0; i < n; i++) {
      const { message } = await ok(socket, 'message:send', { clientId: `seed-${i}`, body: `seed ${i}` });
      if (!conversationIds.includes(message.conversationId)) conversationIds.push(message.conversationId);
    }
  }
  const agentWs = await connect(target.url, '/agent', { transport: 'websocket', cookie: agentCookies[0] });
  const agentPolling = await connect(target.url, '/agent', { transport: 'polling', cookie: agentCookies[0] });
  await ok(agentWs, 'conversation:claim', { conversationId: conversationIds[1] });
  const adminWs = await connect(target.url, '/admin', { transport: 'websocket', cookie: admin });
  const adminAgent = await connect(target.url, '/agent', { transport: 'websocket', cookie: admin });
  fixtures = {
    target,
    sockets: { visitor: [visitorWs, visitorPolling], agent: [agentWs, agentPolling], admin: [adminWs] },
    pools: { conversationIds, agentIds },
    cookies: { visitor: v1, agent: agentCookies[0], admin },
    adminAgent,
    visitor: visitorWs,
    adminId: me.agent.id,
    visitorId: ((await (await fetch(`${target.url}/api/me`, { headers: { cookie: v1 } })).json()) as { visitor: { id: string } }).visitor.id,
  };
  return fixtures;
}

/** Fuzzing sends what the typed event maps forbid: the sockets are used `untyped()` here, on purpose. */
function call(socket: Clients[NamespacePath], event: string, args: unknown[]): Promise<unknown> {
  return untyped(socket)
    .timeout(CALL_TIMEOUT_MS)
    .emitWithAck(event, ...args)
    .catch((err: Error) => {
      throw new Error(`${event} ${JSON.stringify(args).slice(0, 300)}: no answer (${err.message})`);
    });
}

/** An ack is `{ok:true, …result}` or `{ok:false, error:{code, message}}` with a code of the closed set. */
function expectAnswer(ack: unknown, spec: EventSpec, opts: { invalid: boolean; args: unknown[] }): void {
  const what = `${spec.ns} ${spec.event} ${JSON.stringify(opts.args).slice(0, 300)} → ${JSON.stringify(ack).slice(0, 300)}`;
  expect(ack, what).toBeTypeOf('object');
  const a = ack as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (a.ok === true) {
    expect(opts.invalid, `invalid payload accepted: ${what}`).toBe(false);
    for (const key of spec.result) expect(a, what).toHaveProperty(key);
    return;
  }
  expect(a.ok, what).toBe(false);
  expect(Object.keys(a).sort(), what).toEqual(['error', 'ok']);
  expect(CODES, what).toContain(a.error?.code);
  // `internal` is in the closed set, but client input answered with it is an unhandled exception.
  expect(a.error?.code, what).not.toBe('internal');
  expect(typeof a.error?.message, what).toBe('string');
  if (opts.invalid) expect(['invalid_payload', 'rate_limited'], what).toContain(a.error?.code);
}

/** Remembers the ids an answer reveals, so later payloads reach past validation with real ones. */
function learn(pools: Pools, ack: unknown): void {
  const a = ack as { ok?: boolean; message?: Message; conversation?: Conversation | null };
  if (!a?.ok) return;
  for (const id of [a.message?.conversationId, a.conversation?.id]) {
    if (typeof id === 'string' && !pools.conversationIds.includes(id) && pools.conversationIds.length < 30) pools.conversationIds.push(id);
  }
}

/** Every fuzzed socket is still connected and answers a valid call (which also orders it after everything sent before). */
async function expectAllAnswering(fx: Fixtures): Promise<void> {
  const connected = (ns: Namespace, socket: { connected: boolean }) => expect(socket.connected, `${ns} socket still connected`).toBe(true);
  for (const socket of fx.sockets.visitor) {
    connected('visitor', socket);
    await ok(socket, 'history:get', {});
  }
  for (const socket of fx.sockets.agent) {
    connected('agent', socket);
    await ok(socket, 'status:set', { status: 'online' });
  }
  for (const socket of fx.sockets.admin) {
    connected('admin', socket);
    await ok(socket, 'online:get');
  }
}

const withFields = EVENTS.filter((e) => e.fields.length > 0);

describe('[FUZZ] every client→server event, property-based', () => {
  it('[FUZZ1] arbitrary payloads: every acked call is answered with ok or a closed-set code, and no connection is cut', async () => {
    const fx = await setUp();
    const arb = arbitraries(fx.pools);
    const calls = fc.constantFrom(...EVENTS).chain((spec) => {
      const payloads: fc.Arbitrary<{ invalid: boolean; args: unknown[] }> =
        spec.fields.length === 0
          ? fc.constant({ invalid: false, args: [] })
          : fc.oneof(
              { arbitrary: arb.validPayload(spec).map((p) => ({ invalid: false, args: [p] })), weight: 3 },
              { arbitrary: arb.invalidPayload(spec).map((p) => ({ invalid: true, args: [p] })), weight: 3 },
              // Junk may happen to be valid (history:get takes {} and ignores unknown keys): any answer of the set.
              { arbitrary: arb.junk.map((p) => ({ invalid: false, args: [p] })), weight: 2 },
              { arbitrary: arb.huge(1).map((p) => ({ invalid: true, args: [p] })), weight: 1 },
            );
      return fc.record({ spec: fc.constant(spec), socket: fc.nat(fx.sockets[spec.ns].length - 1), payload: payloads });
    });
    const answers = { ok: 0, refused: 0 };
    await arena.underAttack(async () => {
      await fc.assert(
        fc.asyncProperty(calls, async ({ spec, socket: index, payload }) => {
          const socket = fx.sockets[spec.ns][index];
          if (spec.acked) {
            const ack = await call(socket, spec.event, payload.args);
            expectAnswer(ack, spec, payload);
            answers[(ack as { ok: boolean }).ok ? 'ok' : 'refused']++;
            learn(fx.pools, ack);
          } else {
            untyped(socket).emit(spec.event, ...payload.args);
          }
          expect(socket.connected, `${spec.ns} ${spec.event} cut the connection`).toBe(true);
        }),
        { numRuns: 500, endOnFailure: true },
      );
      await expectAllAnswering(fx);
    });
    // Fuzzing that never got past validation would only have tested the validator.
    expect(answers.ok, JSON.stringify(answers)).toBeGreaterThan(50);
    expect(answers.refused, JSON.stringify(answers)).toBeGreaterThan(50);
    // The junk carried prototype keys at every depth too.
    await expectNoPollution(fx);
  });

  it('[FUZZ2] __proto__ / constructor / prototype keys in every event pollute nothing', async () => {
    const fx = await setUp();
    const arb = arbitraries(fx.pools);
    // What a polluted Object.prototype would hand every object: an identity, a role, a page size.
    const poison = own([
      ['visitorId', fx.visitorId],
      ['agentId', fx.adminId],
      ['role', 'admin'],
      ['name', 'polluted'],
      ['email', 'polluted@example.com'],
      ['limit', 1],
      ['status', 'away'],
      ['typing', true],
      ['conversationId', arena.control.conversationId],
      ['clientId', 'polluted'],
      ['body', 'polluted'],
      ['url', 'https://polluted.example'],
      ['polluted', 'yes'],
      ['isAdmin', true],
    ]);
    const calls = fc
      .constantFrom(...withFields)
      .chain((spec) => fc.record({ spec: fc.constant(spec), socket: fc.nat(fx.sockets[spec.ns].length - 1), payload: arb.protoPayload(spec, poison) }));
    await arena.underAttack(async () => {
      await fc.assert(
        fc.asyncProperty(calls, async ({ spec, socket: index, payload }) => {
          const socket = fx.sockets[spec.ns][index];
          if (spec.acked) expectAnswer(await call(socket, spec.event, [payload]), spec, { invalid: false, args: [payload] });
          else untyped(socket).emit(spec.event, payload);
        }),
        { numRuns: 250, endOnFailure: true },
      );
      // The HTTP API parses JSON bodies and query strings too.
      const url = arena.target.url;
      for (const body of [own([['__proto__', poison]]), own([['constructor', own([['prototype', poison]])]])]) {
        const session = await fetch(`${url}/api/visitor/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(session.status).toBeLessThan(500);
        await session.arrayBuffer();
        const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect([400, 401]).toContain(login.status);
        await login.arrayBuffer();
      }
      for (const query of ['__proto__[role]=admin', 'constructor[prototype][role]=admin', '__proto__.status=queued', 'status[__proto__]=x']) {
        const res = await fetch(`${url}/api/conversations?${query}`, { headers: { cookie: fx.cookies.agent } });
        expect(res.status, query).toBeLessThan(500);
        await res.arrayBuffer();
      }
      await expectAllAnswering(fx);
    });
    await expectNoPollution(fx);
  });

  it('[FUZZ3] only invalid payloads (and valid ones without a usable ack): the database is unchanged, connections survive', async () => {
    const fx = await setUp();
    const arb = arbitraries(fx.pools);
    const notAFunction = fc.constantFrom<unknown[]>([], [42], ['ack'], [null], [{}], [true], [[]]);
    const calls = fc.constantFrom(...withFields).chain((spec) => {
      const invalid = arb.invalidPayload(spec).map((p) => ({ withAck: spec.acked, args: [p] }));
      // A valid payload whose ack is missing or not a function is dropped before any work (respond()).
      const ackless = fc.tuple(arb.validPayload(spec), notAFunction).map(([p, rest]) => ({ withAck: false, args: [p, ...rest] }));
      return fc.record({
        spec: fc.constant(spec),
        socket: fc.nat(fx.sockets[spec.ns].length - 1),
        call: spec.acked ? fc.oneof({ arbitrary: invalid, weight: 3 }, { arbitrary: ackless, weight: 1 }) : invalid,
      });
    });
    await expectAllAnswering(fx);
    const before = snapshot(arena.target);
    expect(before.messages.length).toBeGreaterThan(0);
    await arena.underAttack(async () => {
      await fc.assert(
        fc.asyncProperty(calls, async ({ spec, socket: index, call: c }) => {
          const socket = fx.sockets[spec.ns][index];
          if (c.withAck) expectAnswer(await call(socket, spec.event, c.args), spec, { invalid: true, args: c.args });
          else untyped(socket).emit(spec.event, ...c.args);
          expect(socket.connected, `${spec.ns} ${spec.event} cut the connection`).toBe(true);
        }),
        { numRuns: 600, endOnFailure: true },
      );
      // Every socket answers after what it was sent: the server has handled all of it.
      await expectAllAnswering(fx);
      expect(snapshot(arena.target)).toEqual(before);
    });
  });

  it('[FUZZ4] payloads nested 30,000 deep and strings up to the frame limit get invalid_payload, on raw frames', async () => {
    const fx = await setUp();
    // online:get takes no payload at all: FUZZ5 sends it arguments.
    const cookies = { visitor: fx.cookies.visitor, agent: fx.cookies.agent };
    const deepArray = `${'['.repeat(30_000)}"x"${']'.repeat(30_000)}`;
    // Objects nested under the event's own first field name: unknown keys would be ignored, these are not.
    const deepObject = (key: string, depth = Math.floor(54_000 / (key.length + 5))) => `${`{"${key}":`.repeat(depth)}1${'}'.repeat(depth)}`;
    const big = (n: number) => JSON.stringify('é'.repeat(n));
    const acked = withFields.filter((e) => e.acked);
    await arena.underAttack(() => unchangedBy(arena.target, async () => {
      for (const ns of ['visitor', 'agent'] as const) {
        const conn = await rawWebSocket(arena.target.port, { cookie: cookies[ns] });
        try {
          expect(await joinNamespace(conn, `/${ns}`)).toBe('connected');
          let id = 0;
          for (const spec of acked.filter((e) => e.ns === ns)) {
            const first = spec.fields[0].name;
            const payloads = [deepArray, deepObject(first), `{"${first}":${deepArray}}`, `{"${first}":${deepObject('a', 9000)}}`, `{"${first}":${big(25_000)}}`, big(25_000)];
            for (const payload of payloads) {
              const n = ++id;
              await conn.send(`42/${ns},${n}[${JSON.stringify(spec.event)},${payload}]`);
              const ack = await ackOf<{ ok: boolean; error?: { code: string } }>(conn, `/${ns}`, n, CALL_TIMEOUT_MS).catch((err: Error) => err.message);
              expect(ack, `${ns} ${spec.event} ${payload.slice(0, 40)}…`).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
            }
          }
          // Ack-less events with the same: ignored, and the connection still answers.
          for (const spec of withFields.filter((e) => e.ns === ns && !e.acked)) {
            await conn.send(`42/${ns},[${JSON.stringify(spec.event)},${deepArray}]`, `42/${ns},[${JSON.stringify(spec.event)},{"${spec.fields[0].name}":${big(25_000)}}]`);
          }
          await conn.send(ns === 'visitor' ? `42/${ns},999["history:get",{}]` : `42/${ns},999["status:set",{"status":"online"}]`);
          expect(await ackOf(conn, `/${ns}`, 999)).toMatchObject({ ok: true });
        } finally {
          conn.close();
        }
      }
    }));
  });

  it('[FUZZ5] an acked call with a missing payload or extra arguments is still answered (invalid_payload), never left hanging', async () => {
    const fx = await setUp();
    const arb = arbitraries(fx.pools);
    const extras = fc.sample(fc.array(arb.junk, { minLength: 1, maxLength: 3 }), { numRuns: 40, seed: 11 });
    const cases: Array<{ spec: EventSpec; args: unknown[]; invalid: boolean }> = [];
    for (const spec of EVENTS.filter((e) => e.acked)) {
      if (spec.fields.length === 0) {
        // online:get takes no payload: any argument before the ack is one too many.
        for (const extra of extras.slice(0, 4)) cases.push({ spec, args: extra, invalid: false });
        continue;
      }
      cases.push({ spec, args: [], invalid: true });
      const [valid] = fc.sample(arb.validPayload(spec), { numRuns: 1, seed: 7 });
      // Extra arguments after a valid payload: answered either way (ignored or refused), but answered.
      for (const extra of extras.slice(0, 3)) cases.push({ spec, args: [valid, ...extra], invalid: false });
    }
    const hung: string[] = [];
    await arena.underAttack(async () => {
      // All at once: one deadline for the lot, not one per call.
      await Promise.all(
        cases.map(async ({ spec, args, invalid }, i) => {
          const sockets = fx.sockets[spec.ns];
          const socket = sockets[i % sockets.length];
          const ack = await untyped(socket)
            .timeout(CALL_TIMEOUT_MS)
            .emitWithAck(spec.event, ...args)
            .catch(() => null);
          if (ack === null) hung.push(`${spec.ns} ${spec.event}(${JSON.stringify(args).slice(0, 80)}, ack)`);
          else expectAnswer(ack, spec, { invalid, args });
        }),
      );
      await expectAllAnswering(fx);
    });
    expect(hung, `${hung.length} of ${cases.length} acked calls never answered`).toEqual([]);
  });

  // Any UTF-16 text, lone surrogates included (JSON carries them, so a client can send them); the
  // interesting units are mixed in by hand, as uniform code points would almost never hit them.
  const unit = fc.oneof(
    fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\u0000', '\ufeff', '🙂', 'é', 'a'),
    fc.string({ minLength: 1, maxLength: 3, unit: 'binary' }),
  );
  const text = (max: number) =>
    fc
      .array(unit, { minLength: 1, maxLength: max })
      .map((units) => units.join(''))
      .filter((s) => s.trim().length > 0 && s.length <= 90);
  const pairs = fc
    .record({ a: text(10), b: text(10), bodyA: text(20), bodyB: text(20) })
    .filter(({ a, b, bodyA, bodyB }) => a !== b && bodyA !== bodyB);
  type Pair = { a: string; b: string; bodyA: string; bodyB: string };

  /**
   * Sends each pair's two messages from a visitor of its own (clientIds prefixed per run: earlier
   * runs' ids must not collide by design) and hands `check` both acks, or nothing if one was refused.
   */
  async function textProperty(check: (acked: [Message, Message], pair: Pair, visitor: VisitorClient) => Promise<void>, examples: Pair[] = []) {
    await setUp();
    const { cookie } = await arena.target.visitorSession({ address: '10.255.0.4' });
    const visitor = await connect(arena.target.url, '/visitor', { transport: 'websocket', cookie: cookie! });
    let n = 0;
    try {
      await arena.underAttack(() =>
        fc.assert(
          fc.asyncProperty(pairs, async (pair) => {
            const run = `r${++n}:`;
            const acked: Message[] = [];
            for (const [clientId, body] of [[run + pair.a, pair.bodyA], [run + pair.b, pair.bodyB]]) {
              const ack = (await call(visitor, 'message:send', [{ clientId, body }])) as { ok: boolean; message?: Message; error?: { code: string } };
              // Refusing text that is not well-formed is fine; accepting it means keeping it.
              expect(ack.ok || ack.error?.code === 'invalid_payload', JSON.stringify(ack)).toBe(true);
              if (!ack.ok) return;
              acked.push(ack.message!);
            }
            await check(acked as [Message, Message], pair, visitor);
          }),
          { numRuns: 100, examples: examples.map((e) => [e]) },
        ),
      );
    } finally {
      visitor.close();
    }
  }

  it('[FUZZ6] two messages with distinct clientIds are two messages, each with its own body', async () => {
    await textProperty(
      async ([first, second], pair) => {
        expect(second.id, `clientIds ${JSON.stringify([pair.a, pair.b])} became one message`).not.toBe(first.id);
        expect([pair.bodyB, pair.bodyB.toWellFormed()], 'the second ack carries the second body').toContain(second.body);
      },
      [{ a: 'k\ud800', b: 'k\udbff', bodyA: 'one', bodyB: 'two' }],
    );
  });

  it('[FUZZ7] what message:send acks is what history:get returns afterwards', async () => {
    await textProperty(async (acked, pair, visitor) => {
      expect([pair.bodyA, pair.bodyA.toWellFormed()]).toContain(acked[0].body);
      for (const message of acked) {
        const { messages } = await ok(visitor, 'history:get', { afterSeq: message.seq - 1, limit: 1 });
        expect(messages[0], 'history returns what was acked').toEqual(message);
      }
    });
  });
});

/**
 * What a polluted Object.prototype on the server would show: sessions without an identity that
 * have one, schemas that read missing fields from the prototype, answers with extra keys.
 */
async function expectNoPollution(fx: Fixtures): Promise<void> {
  const url = arena.target.url;
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  // No cookie: no identity (a polluted visitorId/agentId would make one).
  const anonymous = await fetch(`${url}/api/me`);
  expect(anonymous.status).toBe(401);
  await anonymous.arrayBuffer();
  const agents = await fetch(`${url}/api/agents`, { headers: { cookie: fx.cookies.visitor } });
  expect(agents.status).toBe(401);
  await agents.arrayBuffer();
  // A new visitor is exactly {id, name, email, verified}, with the default name, not verified.
  const { cookie } = await arena.target.visitorSession({ address: '10.255.0.3' });
  const me = (await (await fetch(`${url}/api/me`, { headers: { cookie: cookie! } })).json()) as Record<string, Record<string, unknown>>;
  expect(Object.keys(me)).toEqual(['visitor']);
  expect(Object.keys(me.visitor).sort()).toEqual(['email', 'id', 'name', 'verified']);
  expect(me.visitor).toMatchObject({ email: null, name: expect.stringMatching(/^Visitor /), verified: false });
  // A visitor is still no agent or admin.
  for (const ns of ['/agent', '/admin'] as const) {
    const refused = await connect(url, ns, { transport: 'websocket', cookie: cookie! }).then(
      (s) => (s.close(), 'connected'),
      (err: Error) => err.message,
    );
    expect(refused, ns).toBe('forbidden');
  }
  // Missing fields are still missing (a polluted name/email/status/limit would fill them).
  expect(await call(fx.visitor, 'profile:update', [{}])).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  expect(await call(fx.sockets.agent[0], 'status:set', [{}])).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  for (const n of [1, 2]) await ok(fx.visitor, 'message:send', { clientId: `probe-${Date.now()}-${n}`, body: 'probe' });
  const mine = await ok(fx.visitor, 'history:get', {});
  assert(mine.conversation, 'the visitor has a conversation');
  expect(mine.conversation.lastSeq).toBeGreaterThan(1);
  expect(mine.messages).toHaveLength(Math.min(50, mine.conversation.lastSeq));
  // Answers have exactly the shapes of SPEC §5.
  const { conversation, messages } = await ok(fx.adminAgent, 'history:get', {
    conversationId: mine.conversation.id,
  });
  assert(conversation, 'the transcript has its conversation');
  expect(Object.keys(conversation).sort()).toEqual(['agent', 'createdAt', 'id', 'lastSeq', 'queuePosition', 'reads', 'revision', 'status', 'visitor']);
  expect(Object.keys(conversation.visitor).sort()).toEqual(['id', 'name']);
  expect(Object.keys(conversation.reads).sort()).toEqual(['agent', 'visitor']);
  for (const m of messages) {
    expect(Object.keys(m).sort()).toEqual(['author', 'body', 'clientId', 'conversationId', 'createdAt', 'id', 'seq']);
    expect(Object.keys(m.author).sort()).toEqual(['id', 'kind', 'name']);
  }
}
