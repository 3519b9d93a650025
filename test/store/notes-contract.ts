// The private-notes part of the Store contract (store.ts addNote/getNotes), run against every
// engine unchanged. Imports only the interface, never an engine.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../server/clock.ts';
import type { Store } from '../../server/store/store.ts';
import { openOk } from './results.ts';

const T0 = 1_700_000_000_000;

export function runNotesContract(engineName: string, open: (clock: Clock) => Promise<Store>): void {
  describe(`Store contract (notes): ${engineName}`, () => {
    let store: Store;
    const clock: Clock = { now: () => T0 };

    beforeEach(async () => {
      store = await open(clock);
      await store.migrate();
    });
    afterEach(() => store.close());

    const note = (conversationId: string, clientId: string, authorId = 'agent-a', body = `note ${clientId}`) => ({
      conversationId,
      clientId,
      authorId,
      authorName: 'Ada',
      body,
      mentions: [{ id: 'agent-b', name: 'Bob' }],
      createdAt: T0 + 5,
    });

    it('[STORE-NOTE1] a note takes no seq, sits after the last message, dedupes by clientId per author, and is read back by place', async () => {
      const visitor = await store.createVisitor({ name: 'V', email: null });
      const { conversation: c } = openOk(await store.openConversation(visitor, T0));
      const msg = (clientId: string) =>
        store.appendMessage({ conversationId: c.id, clientId, authorKind: 'visitor', authorId: visitor.id, authorName: 'V', body: 'hi', createdAt: T0 + 1 });
      const first = await store.addNote(note(c.id, 'n0'));
      expect(first.kind === 'created' && first.note).toMatchObject({ conversationId: c.id, clientId: 'n0', afterSeq: 0, authorId: 'agent-a', authorName: 'Ada', body: 'note n0', createdAt: T0 + 5 });
      await msg('m1');
      await msg('m2');
      const second = await store.addNote(note(c.id, 'n2'));
      expect(second.kind === 'created' && second.note.afterSeq).toBe(2);
      expect(second.kind === 'created' && second.note.mentions).toEqual([{ id: 'agent-b', name: 'Bob' }]);
      // The visitor's next message is seq 3: notes took none.
      const third = await msg('m3');
      expect(third.kind === 'created' && third.message.seq).toBe(3);
      expect((await store.getConversation(c.id))?.lastSeq).toBe(3);

      const again = await store.addNote(note(c.id, 'n2', 'agent-a', 'changed'));
      expect(again.kind === 'duplicate' && again.note).toEqual(second.kind === 'created' && second.note);
      expect(await store.addNote(note(c.id, 'n2', 'agent-other'))).toEqual({ kind: 'client_id_taken' });
      expect(await store.addNote(note('no-such-conversation', 'n9'))).toEqual({ kind: 'not_found' });
      // The clientId of a message is not taken for notes, nor one of another conversation.
      expect((await store.addNote(note(c.id, 'm1'))).kind).toBe('created');

      const all = await store.getNotes(c.id, { fromSeq: 0, toSeq: null, limit: 50 });
      expect(all.map((n) => [n.clientId, n.afterSeq])).toEqual([['n0', 0], ['n2', 2], ['m1', 3]]);
      expect((await store.getNotes(c.id, { fromSeq: 1, toSeq: 2, limit: 50 })).map((n) => n.clientId)).toEqual(['n2']);
      expect((await store.getNotes(c.id, { fromSeq: 0, toSeq: null, limit: 1 })).map((n) => n.clientId)).toEqual(['n0']);
      expect(await store.getNotes('no-such-conversation', { fromSeq: 0, toSeq: null, limit: 50 })).toEqual([]);
    });
  });
}
