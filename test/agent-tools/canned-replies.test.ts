// [CANNED] Canned replies over HTTP (docs/protocol.md, "Canned replies"): the team's are managed by
// admins, personal ones by their owner only; input is validated and bounded.

import { describe, expect, it } from 'vitest';
import type { CannedReply } from '../../server/protocol/agent-tools.ts';
import type { TestApp } from '../helpers/start-app.ts';
import { startTopology, TOPOLOGIES } from '../helpers/topology.ts';

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

async function create(t: TestApp, cookie: string, body: unknown) {
  return t.http('/api/canned-replies', { method: 'POST', cookie, json: body });
}

// On one node (SQLite) and on two sharing PostgreSQL: the rules and bounds are the store's in both.
describe.each(TOPOLOGIES)('[CANNED] canned replies over HTTP, %s', (topology) => {
  it('[CANNED1] CRUD: admins manage team-wide replies, agents their own; each sees the team’s and their own only', async () => {
    const t = await startTopology(topology);
    const { cookie: admin } = await t.login('lead@example.com', { role: 'admin' });
    const { cookie: ann } = await t.login('ann@example.com');
    const { cookie: bob } = await t.login('bob@example.com');

    const team = await create(t, admin, { scope: 'team', shortcut: 'hello', body: 'Hi {{visitor.name}}, I am {{agent.name}}.' });
    expect(team.status).toBe(201);
    const { reply: teamReply } = await json<{ reply: CannedReply }>(team);
    expect(teamReply).toMatchObject({ scope: 'team', ownerId: null, shortcut: 'hello' });

    const mine = await create(t, ann, { scope: 'personal', shortcut: 'refund', body: 'Your refund is on its way.' });
    expect(mine.status).toBe(201);
    const { reply: annReply } = await json<{ reply: CannedReply }>(mine);
    // Shortcuts are unique per owner, case-insensitively; another owner may use the same one.
    expect((await create(t, ann, { scope: 'personal', shortcut: 'REFUND', body: 'x' })).status).toBe(409);
    expect((await create(t, bob, { scope: 'personal', shortcut: 'refund', body: 'Bob’s version' })).status).toBe(201);

    const annList = await json<{ replies: CannedReply[] }>(await t.http('/api/canned-replies', { cookie: ann }));
    expect(annList.replies.map((r) => [r.scope, r.shortcut, r.body])).toEqual([
      ['team', 'hello', 'Hi {{visitor.name}}, I am {{agent.name}}.'],
      ['personal', 'refund', 'Your refund is on its way.'],
    ]);

    const edited = await t.http(`/api/canned-replies/${annReply.id}`, { method: 'PATCH', cookie: ann, json: { body: 'Refunded today.' } });
    expect(edited.status).toBe(200);
    expect((await json<{ reply: CannedReply }>(edited)).reply).toMatchObject({ id: annReply.id, shortcut: 'refund', body: 'Refunded today.' });
    const teamEdited = await t.http(`/api/canned-replies/${teamReply.id}`, { method: 'PATCH', cookie: admin, json: { shortcut: 'hi' } });
    expect((await json<{ reply: CannedReply }>(teamEdited)).reply.shortcut).toBe('hi');

    expect((await t.http(`/api/canned-replies/${annReply.id}`, { method: 'DELETE', cookie: ann })).status).toBe(204);
    expect((await t.http(`/api/canned-replies/${teamReply.id}`, { method: 'DELETE', cookie: admin })).status).toBe(204);
    expect((await json<{ replies: CannedReply[] }>(await t.http('/api/canned-replies', { cookie: ann }))).replies).toEqual([]);
  });

  it('[CANNED2] permissions: an agent cannot create or change team-wide replies, nor touch another agent’s; anonymous and foreign origins are refused', async () => {
    const t = await startTopology(topology);
    const { cookie: admin } = await t.login('lead@example.com', { role: 'admin' });
    const { cookie: ann } = await t.login('ann@example.com');
    const { cookie: bob } = await t.login('bob@example.com');
    const { reply: team } = await json<{ reply: CannedReply }>(await create(t, admin, { scope: 'team', shortcut: 'bye', body: 'Goodbye!' }));
    const { reply: annReply } = await json<{ reply: CannedReply }>(await create(t, ann, { scope: 'personal', shortcut: 'mine', body: 'Mine.' }));

    expect((await create(t, ann, { scope: 'team', shortcut: 'sneaky', body: 'x' })).status).toBe(403);
    expect((await t.http(`/api/canned-replies/${team.id}`, { method: 'PATCH', cookie: ann, json: { body: 'changed' } })).status).toBe(403);
    expect((await t.http(`/api/canned-replies/${team.id}`, { method: 'DELETE', cookie: ann })).status).toBe(403);
    // Another agent's personal reply does not exist for Bob — nor for an admin.
    for (const cookie of [bob, admin]) {
      expect((await t.http(`/api/canned-replies/${annReply.id}`, { method: 'PATCH', cookie, json: { body: 'changed' } })).status).toBe(404);
      expect((await t.http(`/api/canned-replies/${annReply.id}`, { method: 'DELETE', cookie })).status).toBe(404);
    }
    expect((await json<{ replies: CannedReply[] }>(await t.http('/api/canned-replies', { cookie: bob }))).replies.map((r) => r.shortcut)).toEqual(['bye']);
    expect((await t.http('/api/canned-replies')).status).toBe(401);
    expect((await t.http('/api/canned-replies', { method: 'POST', json: { scope: 'personal', shortcut: 'a', body: 'b' } })).status).toBe(401);
    expect((await t.http('/api/canned-replies', { method: 'POST', cookie: ann, headers: { origin: 'https://evil.example' }, json: { scope: 'personal', shortcut: 'a', body: 'b' } })).status).toBe(403);
    // Nothing changed by any refusal.
    expect(await t.store.getCannedReply(team.id)).toMatchObject({ body: 'Goodbye!' });
    expect(await t.store.getCannedReply(annReply.id)).toMatchObject({ body: 'Mine.' });
  });

  it('[CANNED3] validated and bounded: shortcut characters and length, body length, unknown fields, and the number per owner', async () => {
    const t = await startTopology(topology, { env: { MAX_MESSAGE_LENGTH: '100' } });
    const { cookie: ann } = await t.login('ann@example.com');
    for (const bad of [
      { scope: 'personal', shortcut: '', body: 'x' },
      { scope: 'personal', shortcut: 'has space', body: 'x' },
      { scope: 'personal', shortcut: '/slash', body: 'x' },
      { scope: 'personal', shortcut: 'x'.repeat(33), body: 'x' },
      { scope: 'personal', shortcut: 'ok', body: '   ' },
      { scope: 'personal', shortcut: 'ok', body: 'x'.repeat(101) },
      { scope: 'personal', shortcut: 'ok', body: 'x\u0000' },
      { scope: 'everyone', shortcut: 'ok', body: 'x' },
      { scope: 'personal', shortcut: 'ok', body: 'x', ownerId: 'someone-else' },
    ]) {
      const res = await create(t, ann, bad);
      expect(res.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe('invalid_payload');
    }
    expect(await t.store.listCannedReplies((await t.store.getAgentByEmail('ann@example.com'))!.id)).toEqual([]);
    // Letters of any script count.
    expect((await create(t, ann, { scope: 'personal', shortcut: 'привет_1', body: 'Здравствуйте!' })).status).toBe(201);
    // The bound per owner is enforced by the store: one over it is refused.
    const owner = (await t.store.getAgentByEmail('ann@example.com'))!.id;
    expect(await t.store.createCannedReply({ ownerId: owner, shortcut: 'two', body: 'b', max: 2 })).toMatchObject({ kind: 'created' });
    expect(await t.store.createCannedReply({ ownerId: owner, shortcut: 'three', body: 'b', max: 2 })).toEqual({ kind: 'too_many' });
    expect(await t.store.listCannedReplies(owner)).toHaveLength(2);
  });
});
