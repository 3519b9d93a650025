// [INPUT] SPEC §7: every bad input gets its error code, changes nothing, and
// the connection (and server) keep answering.

import { describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { type AgentClient, type NamespacePath, type VisitorClient, connect, ok, request, requestUntyped, untyped } from '../helpers/clients.ts';
import { MATRIX, startTopology } from '../helpers/topology.ts';

const long = (n: number) => 'x'.repeat(n);

describe.each(MATRIX)('[INPUT] %s over %s', (topology, transport) => {
  it('[INPUT1] a table of bad payloads, each with its exact code, nothing stored, connection alive', async () => {
    const t = await startTopology(topology, { env: { MAX_MESSAGE_LENGTH: '100' } });
    const mine = await t.agent(transport, 'mine@example.com');
    const other = await t.agent(transport, 'other@example.com');
    const { socket: visitor } = await t.visitor(transport);
    const { socket: stranger } = await t.visitor(transport);
    const { message } = await ok(visitor, 'message:send', { clientId: 'c0', body: 'hi' });
    const conversationId = message.conversationId;
    const { message: strangers } = await ok(stranger, 'message:send', { clientId: 'c0', body: 'other' });
    await ok(mine.socket, 'conversation:claim', { conversationId });

    // Sent untyped: most of these payloads are what the event maps forbid.
    const cases: Array<[string, VisitorClient | AgentClient, string, unknown, string]> = [
      ['visitor body not a string', visitor, 'message:send', { clientId: 'c1', body: 42 }, 'invalid_payload'],
      ['visitor body missing', visitor, 'message:send', { clientId: 'c1' }, 'invalid_payload'],
      ['visitor body empty', visitor, 'message:send', { clientId: 'c1', body: '   ' }, 'invalid_payload'],
      ['visitor body over MAX_MESSAGE_LENGTH', visitor, 'message:send', { clientId: 'c1', body: long(101) }, 'invalid_payload'],
      ['visitor clientId missing', visitor, 'message:send', { body: 'x' }, 'invalid_payload'],
      ['visitor clientId too long', visitor, 'message:send', { clientId: long(101), body: 'x' }, 'invalid_payload'],
      ['visitor payload is a string', visitor, 'message:send', 'hello', 'invalid_payload'],
      ['visitor payload is null', visitor, 'message:send', null, 'invalid_payload'],
      ['visitor payload is an array', visitor, 'message:send', ['x'], 'invalid_payload'],
      ['history limit 0', visitor, 'history:get', { limit: 0 }, 'invalid_payload'],
      ['history afterSeq negative', visitor, 'history:get', { afterSeq: -1 }, 'invalid_payload'],
      ['history afterSeq fractional', visitor, 'history:get', { afterSeq: 1.5 }, 'invalid_payload'],
      ['profile with nothing', visitor, 'profile:update', {}, 'invalid_payload'],
      ['profile bad email', visitor, 'profile:update', { email: 'not-an-email' }, 'invalid_payload'],
      ['profile name too long', visitor, 'profile:update', { name: long(101) }, 'invalid_payload'],
      // U+0000: PostgreSQL's text cannot hold it; on every engine it is refused, not an `internal` error.
      ['visitor body with U+0000', visitor, 'message:send', { clientId: 'c1', body: 'a\u0000b' }, 'invalid_payload'],
      ['visitor clientId with U+0000', visitor, 'message:send', { clientId: 'c\u0000', body: 'x' }, 'invalid_payload'],
      ['profile name with U+0000', visitor, 'profile:update', { name: 'Ann\u0000' }, 'invalid_payload'],
      ['agent body with U+0000', mine.socket, 'message:send', { conversationId, clientId: 'a0', body: '\u0000' }, 'invalid_payload'],
      ['agent send to unknown conversation', mine.socket, 'message:send', { conversationId: 'nope', clientId: 'a', body: 'x' }, 'not_found'],
      ['agent send to a foreign conversation', other.socket, 'message:send', { conversationId, clientId: 'a', body: 'x' }, 'forbidden'],
      ['agent send to a queued conversation', mine.socket, 'message:send', { conversationId: strangers.conversationId, clientId: 'a', body: 'x' }, 'forbidden'],
      ['agent send without conversationId', mine.socket, 'message:send', { clientId: 'a', body: 'x' }, 'invalid_payload'],
      ['agent send body over limit', mine.socket, 'message:send', { conversationId, clientId: 'a', body: long(101) }, 'invalid_payload'],
      ['claim unknown', other.socket, 'conversation:claim', { conversationId: 'nope' }, 'not_found'],
      ['claim taken', other.socket, 'conversation:claim', { conversationId }, 'already_claimed'],
      ['claim id not a string', other.socket, 'conversation:claim', { conversationId: 7 }, 'invalid_payload'],
      ['release someone else’s', other.socket, 'conversation:release', { conversationId }, 'forbidden'],
      ['release a queued one', other.socket, 'conversation:release', { conversationId: strangers.conversationId }, 'forbidden'],
      ['transfer someone else’s', other.socket, 'conversation:transfer', { conversationId, agentId: other.agent.id }, 'forbidden'],
      ['transfer to unknown agent', mine.socket, 'conversation:transfer', { conversationId, agentId: 'nobody' }, 'not_found'],
      ['transfer without agentId', mine.socket, 'conversation:transfer', { conversationId }, 'invalid_payload'],
      ['close someone else’s', other.socket, 'conversation:close', { conversationId }, 'forbidden'],
      ['close unknown', other.socket, 'conversation:close', { conversationId: 'nope' }, 'not_found'],
      ['history of someone else’s active conversation', other.socket, 'history:get', { conversationId }, 'forbidden'],
      ['history of unknown', other.socket, 'history:get', { conversationId: 'nope' }, 'not_found'],
      ['status bogus', mine.socket, 'status:set', { status: 'sleeping' }, 'invalid_payload'],
    ];
    for (const [name, socket, event, payload, code] of cases) {
      const ack = await requestUntyped(socket, event, payload);
      expect(ack, name).toMatchObject({ ok: false, error: { code } });
      if (!ack.ok) expect(typeof ack.error.message, name).toBe('string');
    }

    // Nothing changed: still two messages, the claim still Mine's, the stranger's still queued.
    expect((await t.store.getMessages(conversationId, { limit: 50 })).map((m) => m.clientId)).toEqual(['c0']);
    expect(await t.store.getConversation(conversationId)).toMatchObject({ status: 'active', agentId: mine.agent.id });
    expect(await t.store.getConversation(strangers.conversationId)).toMatchObject({ status: 'queued' });
    // Every connection survives and still answers.
    expect([visitor, stranger, mine.socket, other.socket].map((s) => s.connected), 'visitor, stranger, mine, other connected').toEqual([true, true, true, true]);
    await ok(visitor, 'message:send', { clientId: 'c-after', body: 'still here' });
    await ok(mine.socket, 'message:send', { conversationId, clientId: 'a-after', body: 'me too' });
  });

  it('[INPUT2] events without their ack, and ack-less events with junk, change nothing and crash nothing', async () => {
    const t = await startTopology(topology);
    const agent = await t.agent(transport);
    const { socket: visitor } = await t.visitor(transport);
    untyped(visitor).emit('message:send', { clientId: 'no-ack', body: 'dropped' });
    untyped(visitor).emit('typing', 'junk');
    untyped(visitor).emit('read', { seq: 'x' });
    untyped(visitor).emit('page:view', { url: 42 });
    untyped(visitor).emit('page:view', null);
    untyped(visitor).emit('unknown:event', { a: 1 }, () => {});
    agent.socket.emit('typing', { conversationId: 'nope', typing: true });
    agent.socket.emit('read', { conversationId: 'nope', seq: 1 });
    untyped(agent.socket).emit('conversation:claim', { conversationId: 'x' });
    untyped(agent.socket).emit('history:get');
    // Barriers: an acked round trip on each connection is answered after the server handled what that
    // connection sent before it (a send without its ack is dropped before any work), and a disconnect
    // those events caused would have come first.
    const history = await ok(visitor, 'history:get', {});
    expect(history).toMatchObject({ conversation: null, messages: [] });
    expect(await ok(agent.socket, 'status:set', { status: 'online' })).toEqual({ ok: true });
    expect({ visitor: visitor.connected, agent: agent.socket.connected }).toEqual({ visitor: true, agent: true });
  });

  it('[INPUT3] a frame over maxHttpBufferSize closes only that connection; the server keeps serving', async () => {
    const t = await startTopology(topology, { env: { MAX_MESSAGE_LENGTH: '100' } });
    const { socket: victim, cookie } = await t.visitor(transport);
    const { socket: bystander } = await t.visitor(transport);
    const closed = new Promise<string>((resolve) => victim.once('disconnect', (reason) => resolve(reason)));
    victim.emit('message:send', { clientId: 'big', body: long(200_000) }, () => {});
    expect(await closed).toMatch(/transport (close|error)|ping timeout|io server disconnect/);
    expect(bystander.connected).toBe(true);
    await ok(bystander, 'message:send', { clientId: 'small', body: 'fine' });
    const again = await t.connectAs('/visitor', transport, cookie);
    expect((await ok(again, 'history:get', {})).messages).toEqual([]);
  });

  it('[INPUT4] floods get rate_limited after MESSAGE_RATE_LIMIT messages per 10 s', async () => {
    const t = await startTopology(topology, { env: { MESSAGE_RATE_LIMIT: '5' } });
    const { socket: visitor } = await t.visitor(transport);
    const acks = [];
    for (let i = 0; i < 8; i++) acks.push(await request(visitor, 'message:send', { clientId: `f${i}`, body: 'spam' }));
    expect(acks.filter((a) => a.ok)).toHaveLength(5);
    for (const a of acks.slice(5)) expect(a).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    const history = await ok(visitor, 'history:get', {});
    expect(history.messages).toHaveLength(5);
  });

  it('[AUTH1] handshakes: no session, visitor on /agent, agent on /admin, foreign Origin on /agent and /admin', async () => {
    const t = await startTopology(topology);
    const url = t.url;
    const refused = (ns: NamespacePath, cookie?: string, origin?: string) =>
      connect(url, ns, { transport, cookie, origin }).then(
        (s) => {
          s.close();
          return 'connected';
        },
        (err: Error) => err.message,
      );
    const { cookie: visitorCookie } = await t.visitorSession();
    const { cookie: agentCookie } = await t.login('plain@example.com');
    const { cookie: adminCookie } = await t.login('boss@example.com', { role: 'admin' });

    expect(await refused('/visitor')).toBe('unauthorized');
    expect(await refused('/agent')).toBe('unauthorized');
    expect(await refused('/admin')).toBe('unauthorized');
    expect(await refused('/agent', visitorCookie)).toBe('forbidden');
    expect(await refused('/admin', visitorCookie)).toBe('forbidden');
    expect(await refused('/admin', agentCookie)).toBe('forbidden');
    expect(await refused('/visitor', agentCookie)).toBe('unauthorized');
    // Cross-site WebSocket hijacking: a page elsewhere riding the agent's cookie.
    const evil = 'https://evil.example.net';
    expect(await refused('/agent', agentCookie, evil)).not.toBe('connected');
    expect(await refused('/admin', adminCookie, evil)).not.toBe('connected');
    // The service's own origin is fine.
    expect(await refused('/agent', agentCookie, url)).toBe('connected');
    expect(await refused('/admin', adminCookie, url)).toBe('connected');
    expect(await refused('/visitor', visitorCookie, url)).toBe('connected');
    // A tampered cookie is no session.
    expect(await refused('/agent', agentCookie.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')))).toBe('unauthorized');
    // The main namespace is not part of the protocol.
    const main = io(url, { transports: [transport], reconnection: false, forceNew: true, extraHeaders: { cookie: agentCookie } });
    const mainErr = await new Promise<string>((resolve) => main.once('connect_error', (e) => resolve(e.message)));
    main.close();
    expect(mainErr).toBe('not_found');
  });

  it('[AUTH2] markup in bodies and names is stored and delivered exactly as written', async () => {
    const t = await startTopology(topology);
    const agent = await t.agent(transport);
    const { socket: visitor } = await t.visitor(transport);
    const name = '<img src=x onerror=alert(1)>';
    const body = '<script>alert(1)</script> & <a href="javascript:alert(1)">x</a>';
    await ok(visitor, 'profile:update', { name });
    const { message } = await ok(visitor, 'message:send', { clientId: 'x', body });
    expect(message.body).toBe(body);
    expect(message.author.name).toBe(name);
    const history = await ok(agent.socket, 'history:get', { conversationId: message.conversationId });
    expect(history.messages[0].body).toBe(body);
  });
});
