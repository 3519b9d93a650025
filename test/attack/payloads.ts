// Every client→server event of SPEC §5 as data, and fast-check arbitraries for its payloads:
// valid ones, ones that are invalid by construction (each breaks exactly the rule it names),
// junk with prototype keys, deep nesting and strings up to the frame limit. Mirrors the rules
// of server/edge/schemas.ts without importing them: the suite is black-box.

import fc from 'fast-check';

export type Namespace = 'visitor' | 'agent' | 'admin';

type FieldKind = 'conversationId' | 'agentId' | 'clientId' | 'body' | 'seq' | 'limit' | 'typing' | 'url' | 'title' | 'name' | 'email' | 'status' | 'tag' | 'conversationIds' | 'rating' | 'comment' | 'timeZone' | 'language';

interface FieldSpec {
  name: string;
  kind: FieldKind;
  required: boolean;
}

export interface EventSpec {
  ns: Namespace;
  event: string;
  /** Whether SPEC §5 gives it an ack. */
  acked: boolean;
  fields: FieldSpec[];
  /** profile:update: every field is optional, but one is needed. */
  atLeastOne?: boolean;
  /** The key an `ok:true` ack carries besides `ok` (none for status:set). */
  result: string[];
}

const req = (name: string, kind: FieldKind): FieldSpec => ({ name, kind, required: true });
const opt = (name: string, kind: FieldKind): FieldSpec => ({ name, kind, required: false });
const history = [opt('afterSeq', 'seq'), opt('beforeSeq', 'seq'), opt('limit', 'limit')];

export const EVENTS: EventSpec[] = [
  { ns: 'visitor', event: 'message:send', acked: true, fields: [req('clientId', 'clientId'), req('body', 'body')], result: ['message'] },
  { ns: 'visitor', event: 'history:get', acked: true, fields: history, result: ['conversation', 'messages'] },
  { ns: 'visitor', event: 'typing', acked: false, fields: [req('typing', 'typing')], result: [] },
  { ns: 'visitor', event: 'read', acked: false, fields: [req('seq', 'seq')], result: [] },
  { ns: 'visitor', event: 'profile:update', acked: true, fields: [opt('name', 'name'), opt('email', 'email')], atLeastOne: true, result: ['visitor'] },
  { ns: 'visitor', event: 'page:view', acked: false, fields: [req('url', 'url'), opt('title', 'title'), opt('timeZone', 'timeZone'), opt('language', 'language')], result: [] },
  // Issue #18 (docs/protocol.md, "Email"); the attack target sends no email, so a good request answers `email_off`.
  {
    ns: 'visitor',
    event: 'transcript:request',
    acked: true,
    fields: [req('conversationId', 'conversationId'), opt('email', 'email'), opt('language', 'language')],
    result: ['to', 'duplicate'],
  },
  // Issue #17 (docs/protocol.md, "Agent tools").
  {
    ns: 'visitor',
    event: 'csat:rate',
    acked: true,
    fields: [req('conversationId', 'conversationId'), req('rating', 'rating'), opt('comment', 'comment')],
    result: ['csat'],
  },
  ...(['conversation:claim', 'conversation:release', 'conversation:close'] as const).map(
    (event): EventSpec => ({ ns: 'agent', event, acked: true, fields: [req('conversationId', 'conversationId')], result: ['conversation'] }),
  ),
  {
    ns: 'agent',
    event: 'conversation:transfer',
    acked: true,
    fields: [req('conversationId', 'conversationId'), req('agentId', 'agentId')],
    result: ['conversation'],
  },
  {
    ns: 'agent',
    event: 'message:send',
    acked: true,
    fields: [req('conversationId', 'conversationId'), req('clientId', 'clientId'), req('body', 'body')],
    result: ['message'],
  },
  { ns: 'agent', event: 'history:get', acked: true, fields: [req('conversationId', 'conversationId'), ...history], result: ['conversation', 'messages', 'notes'] },
  {
    ns: 'agent',
    event: 'note:add',
    acked: true,
    fields: [req('conversationId', 'conversationId'), req('clientId', 'clientId'), req('body', 'body')],
    result: ['note'],
  },
  { ns: 'agent', event: 'typing', acked: false, fields: [req('conversationId', 'conversationId'), req('typing', 'typing')], result: [] },
  { ns: 'agent', event: 'read', acked: false, fields: [req('conversationId', 'conversationId'), req('seq', 'seq')], result: [] },
  { ns: 'agent', event: 'status:set', acked: true, fields: [req('status', 'status')], result: [] },
  { ns: 'agent', event: 'visitor:get', acked: true, fields: [req('conversationId', 'conversationId')], result: ['visitor'] },
  // Tags (#17, docs/protocol.md "Tags").
  ...(['tag:add', 'tag:remove'] as const).map(
    (event): EventSpec => ({ ns: 'agent', event, acked: true, fields: [req('conversationId', 'conversationId'), req('tag', 'tag')], result: ['conversationId', 'tags'] }),
  ),
  { ns: 'agent', event: 'tags:get', acked: true, fields: [req('conversationIds', 'conversationIds')], result: ['tags'] },
  { ns: 'agent', event: 'visitor:details', acked: true, fields: [req('conversationId', 'conversationId')], result: ['details'] },
  { ns: 'admin', event: 'online:get', acked: true, fields: [], result: ['agents', 'visitors', 'queue'] },
];

/** Real ids the generators mix in, so valid payloads reach past validation; filled by the test as it learns ids. */
export interface Pools {
  conversationIds: string[];
  agentIds: string[];
}

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** An object with exactly these own properties: `__proto__` becomes an own key, as JSON.parse makes it. */
export function own(entries: Array<[string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** `depth` levels of arrays or single-key objects around a string. */
export function nest(depth: number, kind: 'array' | 'object', leaf: unknown = 'x'): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : own([['a', v]]);
  return v;
}

/** Bytes one JSON-encoded repetition of `c` takes on the wire. */
const wireBytes = (c: string) => Buffer.byteLength(JSON.stringify(c)) - 2;

/** A string of `min`+ UTF-16 units whose JSON encoding stays under ~50 KB, below the 64 KiB frame limit. */
function huge(min: number): fc.Arbitrary<string> {
  return fc.constantFrom('x', 'é', '🙂', '\u0000', '"', ' \t').chain((c) => {
    const max = Math.floor(50_000 / wireBytes(c));
    const count = Math.max(min, 1);
    return fc.integer({ min: Math.min(count, max), max }).map((n) => c.repeat(n));
  });
}

export function arbitraries(pools: Pools) {
  const fromPool = (pick: () => string[]) => fc.nat().map((i) => pick()[i % pick().length]);
  const conversationId = fromPool(() => pools.conversationIds);
  const agentId = fromPool(() => pools.agentIds);

  const leaf: fc.Arbitrary<unknown> = fc.oneof(
    fc.string({ maxLength: 20, unit: 'binary' }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    conversationId,
  );
  const key = fc.oneof(fc.constantFrom(...PROTO_KEYS, 'toString', 'valueOf', 'hasOwnProperty', 'toJSON', 'then'), fc.string({ maxLength: 8 }));
  /** Arbitrary JSON with prototype keys at any level (a few levels deep). */
  const { junk } = fc.letrec<{ junk: unknown; arr: unknown[]; obj: Record<string, unknown> }>((tie) => ({
    junk: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leaf, tie('arr'), tie('obj')),
    arr: fc.array(tie('junk'), { maxLength: 4 }),
    obj: fc.dictionary(key, tie('junk'), { maxKeys: 4 }),
  }));
  const deep = fc.tuple(fc.integer({ min: 50, max: 1500 }), fc.constantFrom('array' as const, 'object' as const)).map(([d, k]) => nest(d, k));

  /** Anything that is not a string. */
  const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(leaf, { maxLength: 3 }), fc.dictionary(key, leaf, { maxKeys: 3 }), deep);
  /** Anything that is not a number. */
  const notNumber = fc.oneof(fc.string({ maxLength: 10 }), fc.boolean(), fc.constant(null), fc.array(leaf, { maxLength: 3 }), fc.dictionary(key, leaf, { maxKeys: 3 }));
  const nonInteger = fc.integer({ min: -1e6, max: 1e6 }).map((i) => i + 0.5);
  const long = (min: number, max: number) => fc.integer({ min, max }).map((n) => 'x'.repeat(n));
  const blank = fc.constantFrom('', ' ', '   ', '\t\n', '\u00a0\u2028');
  const text = (min: number, max: number) => fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }).filter((s) => s.trim().length > 0);
  const word = fc.stringMatching(/^[a-z0-9]{1,10}$/);

  const valid: Record<FieldKind, fc.Arbitrary<unknown>> = {
    conversationId,
    agentId,
    clientId: fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 100, unit: 'grapheme-ascii' })).filter((s) => s.length >= 1 && s.length <= 100),
    body: fc.oneof(text(1, 300), fc.constantFrom('<script>alert(1)</script>', '{"__proto__":{"x":1}}', '${7*7}', '\u202etxt.exe')),
    seq: fc.nat(),
    limit: fc.integer({ min: 1, max: 200 }),
    typing: fc.boolean(),
    url: fc.oneof(fc.webUrl(), fc.constantFrom('javascript:alert(1)', 'data:text/html,<b>x</b>', '/relative')),
    title: fc.string({ maxLength: 300 }),
    name: text(1, 60).filter((s) => s.trim().length <= 100),
    email: fc.tuple(word, word, fc.constantFrom('io', 'com', 'example')).map(([a, b, c]) => `${a}@${b}.${c}`),
    status: fc.constantFrom('online', 'away'),
    tag: fc.oneof(word, fc.constantFrom('vip', 'Billing', ' late-reply ', 'délai', 'a_b')),
    conversationIds: fc.array(conversationId, { maxLength: 5 }),
    rating: fc.constantFrom('good', 'okay', 'bad'),
    comment: fc.string({ maxLength: 1000 }),
    // A zone the server does not know is valid input, only not kept.
    timeZone: fc.constantFrom('Europe/Paris', 'UTC', 'America/Sao_Paulo', 'Mars/Olympus_Mons', '+05:30'),
    // A language Parley does not ship is valid input, only not used.
    language: fc.constantFrom('de', 'en', 'pt-BR', 'fr-CA', 'tlh', 'x'.repeat(35)),
  };

  const badId = fc.oneof(fc.constant(''), long(101, 400), huge(101), notString);
  const badSeq = fc.oneof(fc.integer({ max: -1 }), nonInteger, fc.constantFrom(2 ** 53, 2 ** 60, 1e300), notNumber);
  const invalid: Record<FieldKind, fc.Arbitrary<unknown>> = {
    conversationId: badId,
    agentId: badId,
    clientId: badId,
    body: fc.oneof(blank, long(4001, 20_000), huge(4001), notString),
    seq: badSeq,
    limit: fc.oneof(fc.constantFrom(0, 201, 1e6), fc.integer({ max: 0 }), nonInteger, notNumber),
    typing: fc.oneof(fc.constantFrom(0, 1, 'true', 'false', ''), fc.constant(null), fc.array(fc.boolean(), { maxLength: 2 }), fc.dictionary(key, leaf, { maxKeys: 2 })),
    url: fc.oneof(blank, long(2049, 10_000), notString),
    title: fc.oneof(long(301, 5000), notString),
    name: fc.oneof(blank, long(101, 3000), huge(101), notString),
    email: fc.oneof(
      fc.constantFrom('', ' ', 'not-an-email', 'a@b', '@x.io', 'a b@c.de', 'a@b@c.de', `${'a'.repeat(250)}@x.io`, 'x@y.'),
      notString,
    ),
    status: fc.oneof(fc.constantFrom('', 'Online', 'AWAY', 'offline', 'online ', 'busy', '__proto__'), notString),
    tag: fc.oneof(blank, fc.constantFrom('two words', '<b>x</b>', '-lead', '_x', 'x'.repeat(33), 'a/b', 'x\u0000'), long(201, 3000), huge(201), notString),
    conversationIds: fc.oneof(
      fc.array(conversationId, { minLength: 201, maxLength: 260 }),
      // One huge id at most: each is up to ~50 KB on the wire, and two would pass the frame limit
      // (the connection is then cut, as it should be, which is not what this property is about).
      fc.array(fc.oneof(fc.constant(''), long(101, 400), notString), { minLength: 1, maxLength: 3 }),
      huge(101).map((id) => [id]),
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.constant(null),
      fc.dictionary(key, leaf, { maxKeys: 3 }),
    ),
    rating: fc.oneof(fc.constantFrom('', 'Good', 'great', 'good ', '__proto__'), notString),
    comment: fc.oneof(long(1001, 5000), notString),
    timeZone: fc.oneof(fc.constant(''), long(65, 1000), notString),
    language: fc.oneof(fc.constant(''), long(36, 1000), notString),
  };

  /** Keys a payload may carry besides its fields; zod ignores them, so they never make a payload valid or invalid. */
  const extras = (spec: EventSpec) => {
    const names = new Set(spec.fields.map((f) => f.name));
    return fc.dictionary(key.filter((k) => !names.has(k)), junk, { maxKeys: 3 });
  };

  const build = (extra: Record<string, unknown>, fields: Record<string, unknown>) =>
    own([...Object.entries(extra), ...Object.entries(fields)]);

  function validFields(spec: EventSpec): fc.Arbitrary<Record<string, unknown>> {
    const shape = Object.fromEntries(spec.fields.map((f) => [f.name, valid[f.kind]]));
    const requiredKeys = spec.fields.filter((f) => f.required).map((f) => f.name);
    const record = fc.record(shape, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
    return spec.atLeastOne ? record.filter((r) => Object.keys(r).length > 0) : record;
  }

  const validPayload = (spec: EventSpec) => fc.tuple(extras(spec), validFields(spec)).map(([x, f]) => build(x, f));

  /** Invalid by construction: the wrong top-level type, a required field missing, or one field broken. */
  function invalidPayload(spec: EventSpec): fc.Arbitrary<unknown> {
    // Deep arrays only: a deep object is still an object, and unknown keys are ignored.
    const deepArray = fc.integer({ min: 50, max: 1500 }).map((d) => nest(d, 'array'));
    const notObject = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(junk, { maxLength: 3 }), deepArray);
    const options: Array<fc.Arbitrary<unknown>> = [notObject];
    if (spec.fields.length > 0) {
      options.push(
        fc
          .tuple(extras(spec), validFields(spec), fc.constantFrom(...spec.fields))
          .chain(([x, f, field]) => invalid[field.kind].map((bad) => build(x, { ...f, [field.name]: bad }))),
      );
    }
    const required = spec.fields.filter((f) => f.required);
    if (required.length > 0) {
      options.push(
        fc.tuple(extras(spec), validFields(spec), fc.constantFrom(...required)).map(([x, f, field]) => {
          const { [field.name]: _dropped, ...rest } = f;
          return build(x, rest);
        }),
      );
    }
    if (spec.atLeastOne) options.push(extras(spec).map((x) => build(x, {})));
    return fc.oneof(...options);
  }

  /** A payload whose prototype keys carry what a polluted Object.prototype would turn into privileges. */
  function protoPayload(spec: EventSpec, poison: Record<string, unknown>): fc.Arbitrary<unknown> {
    const wrap = fc.constantFrom<(p: unknown) => unknown>(
      (p) => own([['__proto__', p]]),
      (p) => own([['constructor', own([['prototype', p]])]]),
      (p) => own([['prototype', p]]),
      (p) => own([['__proto__', own([['__proto__', p]])]]),
      (p) => own([['a', own([['__proto__', p]])]]),
      (p) => [own([['__proto__', p]])],
      (p) => own([['constructor', own([['prototype', own([['__proto__', p]])]])]]),
    );
    const base = spec.fields.length > 0 ? fc.oneof(validFields(spec), fc.constant({})) : fc.constant({});
    return fc.tuple(wrap, base).map(([w, fields]) => {
      const wrapped = w(poison);
      return Array.isArray(wrapped) ? wrapped : own([...Object.entries(wrapped as object), ...Object.entries(fields)]);
    });
  }

  return { junk, deep, huge, valid, invalid, validPayload, invalidPayload, protoPayload };
}
