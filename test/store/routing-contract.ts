// [STORE-ROUTE] The routing part of the Store contract, run on every engine:
// the capacity-bounded assign, agents' loads, capacities and team settings.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../server/clock.ts';
import type { AgentRecord, ConversationRecord, Store } from '../../server/store/store.ts';
import { agentOf, openOk } from './results.ts';

const T0 = 1_700_000_000_000;

export function runRoutingContract(engineName: string, open: (clock: Clock) => Promise<Store>): void {
  describe(`Store routing contract: ${engineName}`, () => {
    let store: Store;
    let now = T0;
    const clock: Clock = { now: () => now };

    beforeEach(async () => {
      now = T0;
      store = await open(clock);
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
    });

    let visitors = 0;
    async function queued(): Promise<ConversationRecord> {
      const visitor = await store.createVisitor({ name: `Visitor ${++visitors}`, email: null });
      return openOk(await store.openConversation(visitor, now++)).conversation;
    }
    async function agent(name: string): Promise<AgentRecord> {
      return agentOf(await store.createAgent({ email: `${name.toLowerCase()}@example.com`, name, role: 'agent', passwordHash: 'x' }));
    }
    const loadOf = async (id: string) => (await store.agentLoads()).find((l) => l.agentId === id);

    it('[STORE-ROUTE1] assign: queued → active within capacity, recorded as a claim and as the agent’s last assignment', async () => {
      const ann = await agent('Ann');
      const [c1, c2] = [await queued(), await queued()];
      expect(await loadOf(ann.id)).toEqual({ agentId: ann.id, name: 'Ann', capacity: null, active: 0, lastAssignedAt: null });

      const r = await store.assign(c1.id, ann, 1, T0 + 500);
      if (r.kind !== 'ok') throw new Error(`expected ok, got ${r.kind}`);
      expect(r.conversation).toMatchObject({ id: c1.id, status: 'active', agentId: ann.id, agentName: 'Ann' });
      expect(r.conversation.revision).toBe(c1.revision + 1);
      expect(r.previous).toMatchObject({ status: 'queued', agentId: null });
      expect(await loadOf(ann.id)).toMatchObject({ active: 1, lastAssignedAt: T0 + 500 });

      // At capacity: refused, nothing changes.
      expect(await store.assign(c2.id, ann, 1, T0 + 600)).toEqual({ kind: 'at_capacity' });
      expect(await store.getConversation(c2.id)).toMatchObject({ status: 'queued', agentId: null, revision: c2.revision });
      expect(await loadOf(ann.id)).toMatchObject({ active: 1, lastAssignedAt: T0 + 500 });

      // Not queued any more (already assigned), or unknown.
      expect(await store.assign(c1.id, ann, 5, T0 + 700)).toMatchObject({ kind: 'conflict', conversation: { id: c1.id, status: 'active' } });
      expect(await store.assign('no-such-conversation', ann, 5, T0 + 700)).toEqual({ kind: 'not_found' });

      // A closed conversation frees the place.
      await store.closeConversation(c1.id, ann.id, T0 + 800);
      expect(await store.assign(c2.id, ann, 1, T0 + 900)).toMatchObject({ kind: 'ok' });
    });

    it('[STORE-ROUTE2] assigns to one agent racing together never pass the capacity', async () => {
      const bo = await agent('Bo');
      const waiting: ConversationRecord[] = [];
      for (let i = 0; i < 10; i++) waiting.push(await queued());
      const results = await Promise.all(waiting.map((c) => store.assign(c.id, bo, 3, T0 + 1000)));
      expect(results.filter((r) => r.kind === 'ok')).toHaveLength(3);
      expect(results.filter((r) => r.kind === 'at_capacity')).toHaveLength(7);
      expect(await loadOf(bo.id)).toMatchObject({ active: 3 });
      expect(await store.listConversations({ status: 'queued' })).toHaveLength(7);
    });

    it('[STORE-ROUTE3] capacity through updateAgent (set, kept when absent, null clears); disabled agents have no load', async () => {
      const cy = await agent('Cy');
      expect(cy.capacity).toBeNull();
      const set = await store.updateAgent(cy.id, { capacity: 5 });
      expect(set).toMatchObject({ kind: 'updated', agent: { capacity: 5 }, previous: { capacity: null } });
      expect(await store.updateAgent(cy.id, { name: 'Cyrus' })).toMatchObject({ kind: 'updated', agent: { name: 'Cyrus', capacity: 5 } });
      expect(await loadOf(cy.id)).toMatchObject({ name: 'Cyrus', capacity: 5 });
      expect(await store.updateAgent(cy.id, { capacity: null })).toMatchObject({ kind: 'updated', agent: { capacity: null } });
      expect((await store.getAgent(cy.id))!.capacity).toBeNull();
      await store.updateAgent(cy.id, { disabled: true });
      expect(await loadOf(cy.id)).toBeUndefined();
    });

    it('[STORE-ROUTE4] settings: written in one go, overwritten by key, read back as stored', async () => {
      expect(await store.getSettings()).toEqual(new Map());
      await store.putSettings(new Map([['routingMode', '"auto"'], ['defaultCapacity', '4']]), T0);
      await store.putSettings(new Map([['defaultCapacity', '6']]), T0 + 1);
      await store.putSettings(new Map(), T0 + 2);
      expect(await store.getSettings()).toEqual(new Map([['routingMode', '"auto"'], ['defaultCapacity', '6']]));
    });
  });
}
