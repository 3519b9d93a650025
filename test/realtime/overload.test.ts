// [OVERLOAD] Admission control for message:send (server/realtime/send-admission.ts): past the
// bound on sends waiting for the store, new sends are answered `unavailable` at once and change
// nothing; what was acked is stored; the node takes sends again by itself.

import { describe, expect, it } from 'vitest';
import type { Ack } from '../../server/protocol/errors.ts';
import type { Message } from '../../server/protocol/shapes.ts';
import { createSendAdmission } from '../../server/realtime/send-admission.ts';
import { type AgentClient, ok, request, TRANSPORTS, type VisitorClient } from '../helpers/clients.ts';
import { startApp } from '../helpers/start-app.ts';

type SendAck = Ack<{ message: Message }>;

describe.each(TRANSPORTS)('[OVERLOAD] over %s', (transport) => {
  it('[OVERLOAD1] a burst past SEND_QUEUE_MAX: some sends refused unavailable, none of them stored, every ack ok stored, sends work afterwards', async () => {
    const t = await startApp({ env: { MESSAGE_RATE_LIMIT: '0', SEND_QUEUE_MAX: '4', SEND_QUEUE_MAX_AGE_MS: '0' } });
    const agent = await t.agent(transport);
    const { socket: visitor } = await t.visitor(transport);
    const { message: opener } = await ok(visitor, 'message:send', { clientId: 'open', body: 'hello' });
    const conversationId = opener.conversationId;
    await ok(agent.socket, 'conversation:claim', { conversationId });

    // 60 sends from both sides in one go: far more than 4 can wait for the store at once.
    const order: Array<{ clientId: string; ack: SendAck }> = [];
    const sends: Array<Promise<SendAck>> = [];
    for (let i = 0; i < 30; i++) {
      for (const [side, socket] of [['v', visitor], ['a', agent.socket]] as const) {
        const clientId = `${side}-${i}`;
        const sent =
          side === 'v'
            ? request(socket as VisitorClient, 'message:send', { clientId, body: `visitor ${i}` })
            : request(socket as AgentClient, 'message:send', { conversationId, clientId, body: `agent ${i}` });
        sends.push(sent.then((ack) => (order.push({ clientId, ack }), ack)));
      }
    }
    await Promise.all(sends);

    const refused = order.filter((o) => !o.ack.ok);
    const acked = order.filter((o) => o.ack.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(acked.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.ack).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    // Refusals are answered at once, not after the store: one came back before the last send that was stored.
    const lastAcked = order.findLastIndex((o) => o.ack.ok);
    expect(order.findIndex((o) => !o.ack.ok)).toBeLessThan(lastAcked);

    // Everything acked is stored as acked; nothing refused is stored.
    const stored = await t.store.getMessages(conversationId, { limit: 200 });
    const byClientId = new Map(stored.map((m) => [m.clientId, m]));
    for (const a of acked) {
      const m = (a.ack as Extract<SendAck, { ok: true }>).message;
      expect(byClientId.get(a.clientId)).toMatchObject({ id: m.id, seq: m.seq });
    }
    for (const r of refused) expect(byClientId.has(r.clientId)).toBe(false);
    expect(stored).toHaveLength(1 + acked.length);
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));

    // The node recovered by itself: one at a time, every refused send retried with its clientId is stored.
    for (const r of refused) {
      const [side, i] = r.clientId.split('-');
      const retry =
        side === 'v'
          ? await ok(visitor, 'message:send', { clientId: r.clientId, body: `visitor ${i}` })
          : await ok(agent.socket, 'message:send', { conversationId, clientId: r.clientId, body: `agent ${i}` });
      expect(retry.message.clientId).toBe(r.clientId);
    }
    const after = await t.store.getMessages(conversationId, { limit: 200 });
    expect(after).toHaveLength(61);
    expect(new Set(after.map((m) => m.clientId)).size).toBe(61);
  });
});

describe('[OVERLOAD] send admission', () => {
  it('[OVERLOAD2] refuses past the count or the age of the oldest waiting send, and admits again once they leave', () => {
    let now = 0;
    const admission = createSendAdmission({ maxWaiting: 3, maxAgeMs: 100, now: () => now });
    const a = admission.enter();
    const b = admission.enter();
    expect(admission.full()).toBe(false);
    const c = admission.enter();
    expect(admission.full()).toBe(true);
    c();
    expect(admission.full()).toBe(false);
    now = 101;
    // The oldest (a) has waited too long.
    expect(admission.full()).toBe(true);
    a();
    // b is as old as a: still too long.
    expect(admission.full()).toBe(true);
    b();
    expect(admission.waiting).toBe(0);
    expect(admission.full()).toBe(false);
    // Leaving twice changes nothing.
    b();
    expect(admission.waiting).toBe(0);
    // Count alone (no age bound): the same count, leaving twice still counted once.
    const count = createSendAdmission({ maxWaiting: 2, maxAgeMs: 0, now: () => now });
    const x = count.enter();
    count.enter();
    expect(count.full()).toBe(true);
    x();
    x();
    expect(count.waiting).toBe(1);
    expect(count.full()).toBe(false);
    // Many in and out in order: the oldest is still found after the front is dropped.
    const long = createSendAdmission({ maxWaiting: 100_000, maxAgeMs: 10, now: () => now });
    const start = now;
    const leaves = Array.from({ length: 5000 }, () => long.enter());
    now = start + 5;
    const late = long.enter();
    for (const leave of leaves) leave();
    expect(long.full()).toBe(false);
    now = start + 16;
    expect(long.full()).toBe(true);
    late();
    expect(long.full()).toBe(false);
    const off = createSendAdmission({ maxWaiting: 0, maxAgeMs: 100, now: () => now });
    for (let i = 0; i < 10; i++) off.enter();
    expect(off.full()).toBe(false);
  });
});
