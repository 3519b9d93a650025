// [TAGS] Tags on conversations over /agent (#17): tag:add / tag:remove / tags:get, and the `tags`
// event that reaches every agent — on one node and across the two-node cluster, over WebSocket and
// long-polling. Bad tags and others' conversations are refused and change nothing.

import { describe, expect, it } from 'vitest';
import { MAX_TAGS_PER_CONVERSATION } from '../../server/protocol/search.ts';
import { next, ok, record, request, requestUntyped } from '../helpers/clients.ts';
import { MATRIX, startTopology } from '../helpers/topology.ts';

describe.each(MATRIX)('[TAGS] tags %s over %s', (topology, transport) => {
  it('[TAGS1] add, remove and read tags; every agent hears changes; bad input and others\' conversations refused', async () => {
    const t = await startTopology(topology);
    // Alice and Bob on different nodes in the cluster (connectAs alternates).
    const alice = await t.agent(transport, 'alice@example.com', { name: 'Alice' });
    const bobLogin = await t.login('bob@example.com', { name: 'Bob' });
    const bob = await t.connectAs('/agent', transport, bobLogin.cookie);
    const root = await t.agent(transport, 'root@example.com', { name: 'Root', role: 'admin' });
    const { socket: visitor } = await t.visitor(transport);
    const visitorEvents: string[] = [];
    visitor.onAny((event: string) => visitorEvents.push(event));
    const { message } = await ok(visitor, 'message:send', { clientId: 'v-1', body: 'Where is my parcel?' });
    const conversationId = message.conversationId;

    // Added (normalized: trimmed, lower case); the other agent hears it, on whichever node.
    const heard = next(bob, 'tags', (e) => e.conversationId === conversationId);
    expect(await ok(alice.socket, 'tag:add', { conversationId, tag: '  Billing ' })).toEqual({ ok: true, conversationId, tags: ['billing'] });
    expect(await heard).toEqual({ conversationId, tags: ['billing'] });
    const bobHeard = record(bob, 'tags');
    // Adding it again changes nothing and tells no one (the next change is the next event heard).
    expect((await ok(alice.socket, 'tag:add', { conversationId, tag: 'billing' })).tags).toEqual(['billing']);
    const second = next(bob, 'tags', (e) => e.tags.includes('délai'));
    await ok(bob, 'tag:add', { conversationId, tag: 'Délai' });
    await second;
    expect(bobHeard.map((e) => e.tags)).toEqual([['billing', 'délai']]);

    // Bad tags: invalid_payload, nothing stored.
    for (const tag of ['', '   ', 'two words', '<b>x</b>', '-lead', 'x'.repeat(33), 'tab\tinside', 'a'.repeat(201)]) {
      const refused = await request(alice.socket, 'tag:add', { conversationId, tag });
      expect(refused, JSON.stringify(tag)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    for (const payload of [{ conversationId }, { conversationId, tag: 5 }, { tag: 'x' }, null, 'billing']) {
      expect(await requestUntyped(alice.socket, 'tag:add', payload)).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    }
    expect(await request(alice.socket, 'tag:add', { conversationId: 'no-such-conversation', tag: 'x' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await request(alice.socket, 'tags:get', { conversationIds: Array.from({ length: 201 }, (_, i) => `c${i}`) })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect((await ok(bob, 'tags:get', { conversationIds: [conversationId, 'unknown'] })).tags).toEqual({ [conversationId]: ['billing', 'délai'] });

    // At most MAX_TAGS_PER_CONVERSATION.
    for (let i = 2; i < MAX_TAGS_PER_CONVERSATION; i++) await ok(alice.socket, 'tag:add', { conversationId, tag: `t${i}` });
    expect(await request(alice.socket, 'tag:add', { conversationId, tag: 'one-too-many' })).toMatchObject({ ok: false, error: { code: 'conflict' } });

    // Bob's active conversation: Alice may not tag it, an admin may.
    await ok(bob, 'conversation:claim', { conversationId });
    expect(await request(alice.socket, 'tag:remove', { conversationId, tag: 'billing' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const removed = next(alice.socket, 'tags', (e) => !e.tags.includes('billing'));
    expect((await ok(root.socket, 'tag:remove', { conversationId, tag: 'BILLING' })).tags).not.toContain('billing');
    expect((await removed).tags).toHaveLength(MAX_TAGS_PER_CONVERSATION - 1);
    // Closed conversations stay taggable by the team.
    await ok(bob, 'conversation:close', { conversationId });
    expect((await ok(alice.socket, 'tag:add', { conversationId, tag: 'resolved' })).tags).toContain('resolved');

    // The visitor never hears of tags.
    await ok(visitor, 'history:get', {});
    expect(visitorEvents).not.toContain('tags');
  });
});
