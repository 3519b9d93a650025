// [CONSOLE-CATCHUP] The console's catch-up after a resync or a reconnect, with a long queue: the
// product's console state (client/agent/console-state.ts) on a real socket against a real server.
// The server answers a connection's reads one after another and refuses more than 32 waiting
// (MAX_HEAVY_WAITING); a console that caught up every queued conversation at once had its own
// conversations' reads refused, and after five refusals one stayed without a message (seen in the
// claim-storm fault scenario).

import { describe, expect, it, onTestFinished } from 'vitest';
import { MAX_HEAVY_WAITING } from '../../server/realtime/context.ts';
import { openAgentConsole } from '../faults/agent-console.ts';
import { createRecorder, personKey } from '../faults/recorder.ts';
import { installSessionStorage, TabStorage } from '../faults/tab-storage.ts';
import { eventually, ok } from '../helpers/clients.ts';
import { startApp } from '../helpers/start-app.ts';

describe('[CONSOLE-CATCHUP] catch-up with a long queue', () => {
  it('[CONSOLE-CATCHUP1] a resync with twice as many queued conversations as the server reads at once: the own conversation gets what it missed, and no read is refused', { timeout: 60_000 }, async () => {
    installSessionStorage();
    const t = await startApp();
    const queued = 2 * MAX_HEAVY_WAITING;
    const conversations: string[] = [];
    for (let i = 0; i < queued; i++) {
      const { socket } = await t.visitor('websocket');
      conversations.push((await ok(socket, 'message:send', { clientId: `q${i}`, body: `waiting ${i}` })).message.conversationId);
    }
    const { agent, cookie } = await t.login('ann@example.com', { name: 'Ann' });
    const rec = createRecorder();
    const console = openAgentConsole({ base: t.url, cookie, transport: 'websocket', me: agent, id: 'a0', person: personKey('agent', agent.id), rec, storage: new TabStorage() });
    onTestFinished(() => console.close());
    await eventually(() => console.queue().length === queued, 15_000, 'the whole queue on the console');
    const own = conversations[queued - 1];
    expect((await console.claim(own)).outcome).toBe('ok');
    await eventually(() => console.con.model(own)?.getState().loaded, 10_000, 'the own conversation loaded');

    // A message the console never got live (as after a node's death): only a catch-up brings it.
    const visitorId = (await t.store.getConversation(own))!.visitorId;
    const missed = await t.store.appendVisitorMessage(visitorId, { clientId: 'missed', body: 'did you see this?', createdAt: Date.now() });
    expect(missed.kind).toBe('created');
    const before = rec.acks.length;
    t.app.ns.agent.emit('resync', { reason: 'test' });
    await eventually(() => console.con.model(own)?.getState().messages.some((m) => m.clientId === 'missed'), 15_000, 'the missed message in the own conversation');
    const reads = rec.acks.slice(before).filter((a) => a.event === 'history:get');
    expect(reads.filter((a) => a.outcome !== 'ok').map((a) => a.code)).toEqual([]);
    // Catch-ups only for what the console had loaded: the previews and its own, not the whole queue.
    expect(reads.length).toBeLessThan(queued);
  });
});
