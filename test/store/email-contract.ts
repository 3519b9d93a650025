// The email part of the Store contract (email-store.ts: the outbox and the follow-up state), run
// against every engine unchanged. Imports only the interface, never an engine.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../server/clock.ts';
import type { NewOutboxEmail, Store } from '../../server/store/store.ts';
import { openOk } from './results.ts';

const T0 = 1_700_000_000_000;

export function runEmailContract(engineName: string, open: (clock: Clock) => Promise<Store>): void {
  describe(`Store contract (email): ${engineName}`, () => {
    let store: Store;
    const clock: Clock = { now: () => T0 };

    beforeEach(async () => {
      store = await open(clock);
      await store.migrate();
    });
    afterEach(() => store.close());

    async function conversation(email: string | null = 'v@example.com') {
      const visitor = await store.createVisitor({ name: 'V', email });
      return { visitor, conversation: openOk(await store.openConversation(visitor, T0)).conversation };
    }
    const mail = (conversationId: string, key: string): NewOutboxEmail => ({ key, kind: 'followup', conversationId, recipient: 'v@example.com', subject: 's', text: 't', html: '<p>h</p>' });

    it('[STORE-MAIL1] an email is stored once per key; a claim leases due rows to one owner and counts an attempt; a lease that ran out can be taken over', async () => {
      const { conversation: c } = await conversation();
      const first = await store.enqueueEmail(mail(c.id, 'k1'), T0);
      expect(first.kind).toBe('created');
      const again = await store.enqueueEmail({ ...mail(c.id, 'k1'), subject: 'other' }, T0 + 1);
      expect(again).toEqual({ kind: 'duplicate', email: first.email });
      await store.enqueueEmail(mail(c.id, 'k2'), T0);

      const [a, b] = await Promise.all([store.claimEmails('node-a', T0, 1000, 10), store.claimEmails('node-b', T0, 1000, 10)]);
      // Together they hold each row once.
      expect([...a, ...b].map((e) => e.key).sort()).toEqual(['k1', 'k2']);
      for (const e of [...a, ...b]) expect(e).toMatchObject({ attempts: 1, leaseUntil: T0 + 1000, sentAt: null });
      expect(await store.claimEmails('node-c', T0 + 999, 1000, 10)).toEqual([]);
      const taken = await store.claimEmails('node-c', T0 + 1000, 1000, 10);
      expect(taken.map((e) => [e.key, e.leaseOwner, e.attempts])).toEqual(expect.arrayContaining([['k1', 'node-c', 2], ['k2', 'node-c', 2]]));
      expect(await store.countUnsentEmails()).toBe(2);
    });

    it('[STORE-MAIL2] a failure by the lease holder schedules a retry (or gives up); one by a former holder changes nothing; sent is final', async () => {
      const { conversation: c } = await conversation();
      await store.enqueueEmail(mail(c.id, 'k1'), T0);
      const [e] = await store.claimEmails('a', T0, 1000, 10);
      await store.emailFailed(e.id, 'someone-else', 'nope', T0 + 5, T0);
      expect((await store.listEmails(c.id))[0]).toMatchObject({ leaseOwner: 'a', lastError: null });
      await store.emailFailed(e.id, 'a', 'x'.repeat(2000), T0 + 5000, T0);
      const [failed] = await store.listEmails(c.id);
      expect(failed).toMatchObject({ leaseOwner: null, nextAttemptAt: T0 + 5000, failedAt: null });
      expect(failed.lastError).toHaveLength(500);
      expect(await store.claimEmails('a', T0 + 4999, 1000, 10)).toEqual([]);
      const [retry] = await store.claimEmails('b', T0 + 5000, 1000, 10);
      expect(retry.attempts).toBe(2);
      await store.emailSent(retry.id, T0 + 5001);
      expect((await store.listEmails(c.id))[0]).toMatchObject({ sentAt: T0 + 5001, leaseOwner: null });
      expect(await store.claimEmails('c', T0 + 99_999, 1000, 10)).toEqual([]);
      expect(await store.countUnsentEmails()).toBe(0);

      await store.enqueueEmail(mail(c.id, 'k2'), T0);
      const [doomed] = await store.claimEmails('a', T0, 1000, 10);
      await store.emailFailed(doomed.id, 'a', '550 no such user', null, T0 + 7);
      expect((await store.listEmails(c.id)).find((x) => x.key === 'k2')).toMatchObject({ failedAt: T0 + 7, lastError: '550 no such user' });
      expect(await store.claimEmails('a', T0 + 99_999, 1000, 10)).toEqual([]);
      expect(await store.countUnsentEmails()).toBe(0);
    });

    it('[STORE-MAIL3] follow-up state: a reply starts the wait (later replies keep its start); a settle clears only what it saw; the email is enqueued once per batch', async () => {
      const { visitor, conversation: c } = await conversation();
      await store.visitorSeen(visitor.id, T0 + 3);
      await store.setVisitorLanguage(visitor.id, 'de');
      await store.followUpReplies([{ conversationId: c.id, visitorId: visitor.id, at: T0 + 10 }]);
      await store.followUpReplies([{ conversationId: c.id, visitorId: visitor.id, at: T0 + 20 }]);
      expect(await store.followUpsPending(T0 + 9, null, 10)).toEqual([]);
      const [row] = await store.followUpsPending(T0 + 10, null, 10);
      expect(row).toEqual({ conversationId: c.id, visitorId: visitor.id, emailedSeq: 0, pendingAt: T0 + 10, revision: 2, email: 'v@example.com', language: 'de', lastSeenAt: T0 + 3 });

      // A settle that saw revision 1 does not end a wait that revision 2 joined.
      expect(await store.followUpSettle(c.id, 1, { kind: 'nothing' }, T0 + 30)).toBe(false);
      expect(await store.followUpsPending(T0 + 10, null, 10)).toHaveLength(1);
      const batch = { kind: 'enqueue' as const, throughSeq: 4, email: mail(c.id, `followup:${c.id}:4`) };
      expect(await store.followUpSettle(c.id, 2, batch, T0 + 30)).toBe(true);
      expect(await store.followUpsPending(T0 + 1_000_000, null, 10)).toEqual([]);
      // Another node settling the same batch stores nothing new.
      expect(await store.followUpSettle(c.id, 2, batch, T0 + 31)).toBe(false);
      expect(await store.listEmails(c.id)).toHaveLength(1);

      // A reply after the check read its revision: the wait goes on, from the settle's time.
      await store.followUpReplies([{ conversationId: c.id, visitorId: visitor.id, at: T0 + 40 }]);
      await store.followUpReplies([{ conversationId: c.id, visitorId: visitor.id, at: T0 + 41 }]);
      expect(await store.followUpSettle(c.id, 3, { kind: 'enqueue', throughSeq: 6, email: mail(c.id, `followup:${c.id}:6`) }, T0 + 50)).toBe(true);
      const [after] = await store.followUpsPending(T0 + 1_000_000, null, 10);
      expect(after).toMatchObject({ emailedSeq: 6, pendingAt: T0 + 50, revision: 4 });
    });

    it('[STORE-MAIL5] replies are stored together: one call for several conversations, a conversation twice (its earliest reply starts the wait, each reply is a revision), joining a wait already stored', async () => {
      const one = await conversation();
      const two = await conversation();
      await store.followUpReplies([{ conversationId: two.conversation.id, visitorId: two.visitor.id, at: T0 + 1 }]);
      await store.followUpReplies([
        { conversationId: one.conversation.id, visitorId: one.visitor.id, at: T0 + 30 },
        { conversationId: two.conversation.id, visitorId: two.visitor.id, at: T0 + 5 },
        { conversationId: one.conversation.id, visitorId: one.visitor.id, at: T0 + 20 },
        { conversationId: one.conversation.id, visitorId: one.visitor.id, at: T0 + 40 },
      ]);
      await store.followUpReplies([]);
      const rows = await store.followUpsPending(T0 + 100, null, 10);
      const of = (id: string) => rows.find((r) => r.conversationId === id);
      expect(of(one.conversation.id)).toMatchObject({ visitorId: one.visitor.id, pendingAt: T0 + 20, revision: 3, emailedSeq: 0 });
      expect(of(two.conversation.id)).toMatchObject({ visitorId: two.visitor.id, pendingAt: T0 + 1, revision: 2, emailedSeq: 0 });
      expect(rows).toHaveLength(2);
    });

    it('[STORE-MAIL4] pending follow-ups page in (pendingAt, conversationId) order', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { visitor, conversation: c } = await conversation();
        await store.followUpReplies([{ conversationId: c.id, visitorId: visitor.id, at: T0 + (i % 2) }]);
        ids.push(c.id);
      }
      const order = [...ids.filter((_, i) => i % 2 === 0).sort(), ...ids.filter((_, i) => i % 2 === 1).sort()];
      const first = await store.followUpsPending(T0 + 5, null, 3);
      const last = first[first.length - 1];
      const rest = await store.followUpsPending(T0 + 5, { pendingAt: last.pendingAt, conversationId: last.conversationId }, 3);
      expect([...first, ...rest].map((r) => r.conversationId)).toEqual(order);
    });
  });
}
