// The engine-neutral behavioural contract of PresenceRegistry: the in-memory
// registry and the Redis one run this suite unchanged. Imports only the
// interface, never an engine.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PresenceRegistry } from '../../server/core/presence-registry.ts';

/** A fresh, empty registry and what removes everything it left behind. */
export interface OpenedRegistry {
  registry: PresenceRegistry;
  dispose(): Promise<void>;
}

const ann = 'visitor:ann';
const bob = 'visitor:bob';
const alice = 'agent:alice';

export function runPresenceRegistryContract(engineName: string, open: () => Promise<OpenedRegistry>): void {
  describe(`PresenceRegistry contract: ${engineName}`, () => {
    let opened: OpenedRegistry;
    let registry: PresenceRegistry;

    beforeEach(async () => {
      opened = await open();
      registry = opened.registry;
    });

    afterEach(async () => {
      await registry.close();
      await opened.dispose();
    });

    const entries = async (prefix: string) => [...(await registry.list(prefix))].sort(([a], [b]) => (a < b ? -1 : 1));

    it('[PREG-CONNECT] the first connection makes a join due; more tabs, or the same one again, do not', async () => {
      expect(await registry.isAnnounced(ann)).toBe(false);
      expect(await registry.connect(ann, 'tab-1')).toBe(true);
      expect(await registry.isAnnounced(ann)).toBe(true);
      expect(await registry.connect(ann, 'tab-2')).toBe(false);
      expect(await registry.connect(ann, 'tab-1')).toBe(false); // a connection is counted once
      expect(await entries('visitor:')).toEqual([[ann, 2]]);
      // Another person is counted apart.
      expect(await registry.connect(bob, 'tab-1')).toBe(true);
      expect(await entries('visitor:')).toEqual([
        [ann, 2],
        [bob, 1],
      ]);
    });

    it('[PREG-DISCONNECT] disconnect returns the connections left; at 0 the person stays announced until settled', async () => {
      await registry.connect(ann, 'tab-1');
      await registry.connect(ann, 'tab-2');
      await registry.connect(bob, 'tab-1');
      expect(await registry.disconnect(ann, 'tab-1')).toBe(1);
      expect(await registry.disconnect(ann, 'tab-1')).toBe(1); // already gone: nothing changes
      expect(await registry.disconnect(ann, 'no-such-tab')).toBe(1);
      expect(await registry.disconnect(ann, 'tab-2')).toBe(0);
      // The grace period: still announced, with no connection, until settle() decides.
      expect(await registry.isAnnounced(ann)).toBe(true);
      expect(await entries('visitor:')).toEqual([
        [ann, 0],
        [bob, 1],
      ]);
      expect(await registry.disconnect('visitor:nobody', 'tab-1')).toBe(0);
      expect(await registry.isAnnounced('visitor:nobody')).toBe(false);
    });

    it('[PREG-SETTLE] settle makes a leave due exactly once, and only when no connection is left', async () => {
      await registry.connect(ann, 'tab-1');
      await registry.connect(ann, 'tab-2');
      await registry.disconnect(ann, 'tab-1');
      expect(await registry.settle(ann)).toBe(false); // one tab left
      expect(await registry.isAnnounced(ann)).toBe(true);
      expect(await entries('visitor:')).toEqual([[ann, 1]]);

      await registry.disconnect(ann, 'tab-2');
      expect(await registry.settle(ann)).toBe(true);
      expect(await registry.isAnnounced(ann)).toBe(false);
      expect(await entries('visitor:')).toEqual([]);
      expect(await registry.settle(ann)).toBe(false);
      expect(await registry.settle('visitor:nobody')).toBe(false);
      // Back after the leave: a join is due again.
      expect(await registry.connect(ann, 'tab-3')).toBe(true);
    });

    it('[PREG-SETTLE] a reconnect within the grace period is neither a join nor a leave', async () => {
      await registry.connect(ann, 'tab-1');
      expect(await registry.disconnect(ann, 'tab-1')).toBe(0);
      expect(await registry.connect(ann, 'tab-1-reloaded')).toBe(false);
      expect(await registry.settle(ann)).toBe(false);
      expect(await registry.isAnnounced(ann)).toBe(true);
      expect(await entries('visitor:')).toEqual([[ann, 1]]);
    });

    it('[PREG-LIST] list is per kind, announced people only, with their counts; a longer prefix narrows by id', async () => {
      expect(await registry.list('agent:')).toEqual(new Map());
      await registry.connect(alice, 'a-1');
      await registry.connect('agent:team-1:ann', 'a-2'); // ids may hold colons
      await registry.connect('agent:team-1:ann', 'a-3');
      await registry.connect('agent:team-2:bo', 'a-4');
      await registry.connect(ann, 'v-1');
      await registry.setAttr(bob, 'page', '/pricing'); // attributes alone announce nobody
      expect(await entries('agent:')).toEqual([
        [alice, 1],
        ['agent:team-1:ann', 2],
        ['agent:team-2:bo', 1],
      ]);
      expect(await entries('visitor:')).toEqual([[ann, 1]]);
      expect(await entries('agent:team-1:')).toEqual([['agent:team-1:ann', 2]]);
      expect(await entries('agent:team')).toEqual([
        ['agent:team-1:ann', 2],
        ['agent:team-2:bo', 1],
      ]);
      expect(await entries('agent:nobody')).toEqual([]);
    });

    it('[PREG-LIST] a prefix without a kind is refused', async () => {
      await registry.connect(alice, 'a-1');
      await expect(registry.list('agent')).rejects.toThrow(/kind/);
    });

    it('[PREG-ATTRS] attributes: set, overwrite, remove with null; a copy comes back; kept until the leave', async () => {
      expect(await registry.getAttrs(ann)).toEqual({});
      await registry.connect(ann, 'tab-1');
      await registry.setAttr(ann, 'page', '/pricing');
      await registry.setAttr(ann, 'title', 'Pricing');
      await registry.setAttr(ann, 'page', '/checkout');
      const attrs = await registry.getAttrs(ann);
      expect(attrs).toEqual({ page: '/checkout', title: 'Pricing' });
      attrs.page = 'changed by the caller';
      expect(await registry.getAttrs(ann)).toEqual({ page: '/checkout', title: 'Pricing' });
      await registry.setAttr(ann, 'title', null);
      await registry.setAttr(ann, 'never-set', null);
      expect(await registry.getAttrs(ann)).toEqual({ page: '/checkout' });
      expect(await registry.getAttrs(bob)).toEqual({});

      // A settle that finds connections keeps them; the leave forgets them.
      await registry.connect(ann, 'tab-2');
      await registry.disconnect(ann, 'tab-1');
      expect(await registry.settle(ann)).toBe(false);
      expect(await registry.getAttrs(ann)).toEqual({ page: '/checkout' });
      await registry.disconnect(ann, 'tab-2');
      expect(await registry.getAttrs(ann)).toEqual({ page: '/checkout' }); // still in the grace period
      expect(await registry.settle(ann)).toBe(true);
      expect(await registry.getAttrs(ann)).toEqual({});
    });

    it('[PREG-ATTRS] attributes of someone never connected are dropped by settle, with no leave', async () => {
      await registry.setAttr(bob, 'page', '/');
      expect(await registry.isAnnounced(bob)).toBe(false);
      expect(await registry.getAttrs(bob)).toEqual({ page: '/' });
      expect(await registry.settle(bob)).toBe(false);
      expect(await registry.getAttrs(bob)).toEqual({});
      expect(await registry.connect(bob, 'tab-1')).toBe(true);
    });

    it('[PREG-ATTRS] getAttrsMany answers getAttrs for every key asked, in one call; copies; `{}` for none', async () => {
      expect(await registry.getAttrsMany([])).toEqual(new Map());
      await registry.connect(alice, 'a-1');
      await registry.connect('agent:team-1:ann', 'a-2'); // ids may hold colons
      await registry.setAttr(alice, 'status', 'away');
      await registry.setAttr('agent:team-1:ann', 'status', 'online');
      await registry.setAttr(ann, 'page', '/pricing'); // attributes without a connection count too
      await registry.setAttr(ann, 'title', 'Pricing');
      const asked = [alice, 'agent:team-1:ann', ann, bob, 'agent:nobody'];
      const many = await registry.getAttrsMany(asked);
      expect([...many.keys()].sort()).toEqual([...asked].sort());
      expect(many).toEqual(
        new Map([
          [alice, { status: 'away' }],
          ['agent:team-1:ann', { status: 'online' }],
          [ann, { page: '/pricing', title: 'Pricing' }],
          [bob, {}],
          ['agent:nobody', {}],
        ]),
      );
      for (const key of asked) expect(many.get(key)).toEqual(await registry.getAttrs(key));
      many.get(alice)!.status = 'changed by the caller';
      expect((await registry.getAttrsMany([alice])).get(alice)).toEqual({ status: 'away' });
      // The same key twice is one entry; a leave forgets the attributes here too.
      expect(await registry.getAttrsMany([alice, alice])).toEqual(new Map([[alice, { status: 'away' }]]));
      await registry.disconnect(alice, 'a-1');
      expect(await registry.settle(alice)).toBe(true);
      expect(await registry.getAttrsMany([alice, 'agent:team-1:ann'])).toEqual(
        new Map([
          [alice, {}],
          ['agent:team-1:ann', { status: 'online' }],
        ]),
      );
    });

    it('[PREG-RACE] concurrent connects make one join; concurrent disconnects count down once each; one of concurrent settles wins', async () => {
      const tabs = Array.from({ length: 20 }, (_, i) => `tab-${i}`);
      const joins = await Promise.all(tabs.map((tab) => registry.connect(ann, tab)));
      expect(joins.filter(Boolean)).toHaveLength(1);
      expect(await entries('visitor:')).toEqual([[ann, 20]]);
      const left = await Promise.all(tabs.map((tab) => registry.disconnect(ann, tab)));
      expect(left.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      const leaves = await Promise.all(Array.from({ length: 5 }, () => registry.settle(ann)));
      expect(leaves.filter(Boolean)).toHaveLength(1);
      expect(await registry.isAnnounced(ann)).toBe(false);
    });

    it('[PREG-CLOSE] close resolves, also twice', async () => {
      await registry.connect(ann, 'tab-1');
      await expect(registry.close()).resolves.toBeUndefined();
      await expect(registry.close()).resolves.toBeUndefined();
    });
  });
}
