// [OUTBOX] Unsent messages kept in the tab's sessionStorage (client/lib/pending-store.ts) and the
// question pages ask each other before adopting them (client/lib/pending-claims.ts). Node's own
// BroadcastChannel stands in for the browser's (same API: every other channel of that name hears a
// message); the storage is a Map of strings, as sessionStorage is.

import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type Channel, createPendingClaims } from '../../client/lib/pending-claims.ts';
import { createPendingStore, type StoredPending } from '../../client/lib/pending-store.ts';

function memoryStorage(items = new Map<string, string>()) {
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

/** One page's channel on the browser-wide name `name` (a fresh name per test keeps tests apart); `gone()` closes it as leaving the page does. */
function channel(name: string): Channel & { gone(): void } {
  const bc = new BroadcastChannel(name);
  onTestFinished(() => bc.close());
  return {
    postMessage: (m) => bc.postMessage(m),
    onMessage: (listener) => bc.addEventListener('message', (e) => listener((e as MessageEvent).data)),
    gone: () => bc.close(),
  };
}

const KEY = 'parley:outbox:visitor';
const item = (n: number, failed: string | null = null): StoredPending => ({ clientId: `id-${n}`, body: `message ${n}`, createdAt: `2026-03-01T10:0${n}:00.000Z`, failed });

describe('[OUTBOX] unsent messages across reloads and tabs', () => {
  it('[OUTBOX1] a reload: the next page of the tab restores what the last one saved, in order; nothing saved, or unreadable, restores nothing', async () => {
    const name = randomUUID();
    const storage = memoryStorage();
    const beforeChannel = channel(name);
    const before = createPendingStore({ storage, key: KEY, claims: createPendingClaims({ channel: beforeChannel, waitMs: 50 }) });
    expect(await before.restore()).toEqual([]);
    before.save([item(1), item(2), item(3, 'invalid_payload')]);
    // The page is gone (a reload): nobody holds those messages now.
    beforeChannel.gone();
    const after = createPendingStore({ storage, key: KEY, claims: createPendingClaims({ channel: channel(name), waitMs: 50 }) });
    expect(await after.restore()).toEqual([item(1), item(2), item(3, 'invalid_payload')]);
    after.save([]);
    expect(storage.items.has(KEY)).toBe(false);

    storage.items.set(KEY, '{not json');
    expect(await after.restore()).toEqual([]);
    storage.items.set(KEY, JSON.stringify([item(1), { clientId: 5 }, null, item(2)]));
    expect(await after.restore()).toEqual([item(1), item(2)]);
    // A message carrying a file keeps it across the reload; a malformed file drops the message.
    const withFile = { ...item(4), body: '', attachment: { id: 'a1', name: 'shot.png', size: 10, type: 'image/png' } };
    storage.items.set(KEY, JSON.stringify([withFile, { ...item(5), attachment: { id: 7 } }]));
    expect(await after.restore()).toEqual([withFile]);
    // Storage the page may not use: nothing kept, nothing breaks.
    const refused = createPendingStore({ storage: null, key: KEY, claims: createPendingClaims({ channel: null }) });
    refused.save([item(1)]);
    expect(await refused.restore()).toEqual([]);
  });

  it('[OUTBOX2] a duplicated tab (its storage a copy): what the original page still holds is left to it; the rest is adopted', async () => {
    const name = randomUUID();
    const original = memoryStorage();
    const tab = createPendingStore({ storage: original, key: KEY, claims: createPendingClaims({ channel: channel(name), waitMs: 50 }) });
    tab.save([item(1), item(2)]);
    // The browser copies sessionStorage into the duplicate, with one more entry the original has since sent.
    const copy = memoryStorage(new Map(original.items));
    copy.items.set(KEY, JSON.stringify([item(1), item(2), item(3)]));
    const duplicate = createPendingStore({ storage: copy, key: KEY, claims: createPendingClaims({ channel: channel(name), waitMs: 200 }) });
    expect(await duplicate.restore()).toEqual([item(3)]);
    // The duplicate's own saves touch only its own storage.
    duplicate.save([item(3), item(4)]);
    expect(JSON.parse(original.items.get(KEY)!)).toEqual([item(1), item(2)]);

    // Once the original has sent them (holds nothing), a page finding them adopts them: a resend the server de-duplicates.
    tab.save([]);
    const late = createPendingStore({ storage: memoryStorage(new Map([[KEY, JSON.stringify([item(1)])]])), key: KEY, claims: createPendingClaims({ channel: channel(name), waitMs: 50 }) });
    expect(await late.restore()).toEqual([item(1)]);
  });

  it('[OUTBOX3] pages answer only for the clientIds they hold, each page for its own; a page holding nothing stays quiet', async () => {
    const name = randomUUID();
    const heard: unknown[] = [];
    const listener = channel(name);
    listener.onMessage((m) => heard.push(m));
    const claimsA = createPendingClaims({ channel: channel(name), waitMs: 50 });
    const a1 = createPendingStore({ storage: memoryStorage(), key: 'parley:outbox:agent:x:c1', claims: claimsA });
    const a2 = createPendingStore({ storage: memoryStorage(), key: 'parley:outbox:agent:x:c2', claims: claimsA });
    a1.save([item(1)]);
    a2.save([item(2)]);
    const asker = createPendingClaims({ channel: channel(name), waitMs: 200 });
    expect([...(await asker.heldElsewhere(['id-1', 'id-2', 'id-9']))].sort()).toEqual(['id-1', 'id-2']);
    a1.save([]);
    a2.save([]);
    heard.length = 0;
    expect([...(await asker.heldElsewhere(['id-1', 'id-2']))]).toEqual([]);
    // The question went out; no page answered it.
    expect(heard).toEqual([{ type: 'parley:pending?', ask: expect.any(String), ids: ['id-1', 'id-2'] }]);
    // Without a channel (no BroadcastChannel in this browser): nobody to ask, everything adopted.
    expect([...(await createPendingClaims({ channel: null }).heldElsewhere(['id-1']))]).toEqual([]);
  });
});
