// [TOKEN-STORE] API tokens and newest-first conversation pages in the store, on every engine:
// found by hash only, revoked for good, last use written at most once per gap, keyset pages that
// walk every conversation once while new ones are created.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../server/clock.ts';
import { createLogger } from '../../server/logger.ts';
import { openPostgresStore } from '../../server/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { ConversationRecord, Store } from '../../server/store/store.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';
import { agentOf, openOk } from './results.ts';

const T0 = 1_700_000_000_000;
const logger = createLogger('silent');
const ENGINES: Array<[string, (clock: Clock) => Promise<Store>]> = [
  ['sqlite', (clock) => openSqliteStore(':memory:', { clock })],
  ['postgres', async (clock) => openPostgresStore(await freshPostgresUrl(), { poolSize: 4, logger, clock })],
];

describe.each(ENGINES)('[TOKEN-STORE] %s', (_engine, open) => {
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

  it('[TOKEN-STORE1] a token is found by its hash only, lists with its creator, and is gone once deleted', async () => {
    const admin = agentOf(await store.createAgent({ email: 'root@example.com', name: 'Root', role: 'admin', passwordHash: 'x' }));
    const a = await store.createApiToken({ name: 'CRM', scopes: ['conversations:read'], secretHash: 'a'.repeat(64), prefix: 'pky_AAAAAAAA', createdBy: admin.id, createdAt: T0 });
    const b = await store.createApiToken({ name: 'Bot', scopes: ['agents:read', 'messages:send_system'], secretHash: 'b'.repeat(64), prefix: 'pky_BBBBBBBB', createdBy: null, createdAt: T0 + 1 });
    expect(a).toEqual({ id: a.id, name: 'CRM', scopes: ['conversations:read'], prefix: 'pky_AAAAAAAA', createdBy: { id: admin.id, name: 'Root' }, createdAt: T0, lastUsedAt: null });
    expect((await store.listApiTokens()).map((t) => t.id)).toEqual([b.id, a.id]);
    expect(await store.findApiToken('b'.repeat(64))).toEqual(b);
    expect(await store.findApiToken('c'.repeat(64))).toBeNull();
    expect(await store.deleteApiToken(b.id)).toBe(true);
    expect(await store.deleteApiToken(b.id)).toBe(false);
    expect(await store.findApiToken('b'.repeat(64))).toBeNull();
    expect((await store.listApiTokens()).map((t) => t.id)).toEqual([a.id]);
  });

  it('[TOKEN-STORE2] the last use is written at most once per gap', async () => {
    const t = await store.createApiToken({ name: 'CRM', scopes: ['agents:read'], secretHash: 'd'.repeat(64), prefix: 'pky_DDDDDDDD', createdBy: null, createdAt: T0 });
    await store.touchApiToken(t.id, T0 + 10, 60_000);
    expect((await store.findApiToken('d'.repeat(64)))!.lastUsedAt).toBe(T0 + 10);
    await store.touchApiToken(t.id, T0 + 30_000, 60_000);
    expect((await store.findApiToken('d'.repeat(64)))!.lastUsedAt).toBe(T0 + 10);
    await store.touchApiToken(t.id, T0 + 60_011, 60_000);
    expect((await store.findApiToken('d'.repeat(64)))!.lastUsedAt).toBe(T0 + 60_011);
  });

  it('[TOKEN-STORE3] newest-first pages after a position walk every conversation once, also those of one status and while new ones come', async () => {
    const all: ConversationRecord[] = [];
    const openOne = async (at: number) => {
      const visitor = await store.createVisitor({ name: `V${all.length}`, email: null });
      const c = openOk(await store.openConversation(visitor, at)).conversation;
      all.push(c);
      return c;
    };
    // Several share a createdAt: the id orders them.
    for (let i = 0; i < 9; i++) await openOne(T0 + Math.floor(i / 3));
    const walk = async (status?: 'queued') => {
      const seen: string[] = [];
      let before: { createdAt: number; id: string } | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await store.listConversations({ status, before, newestFirst: true, limit: 2 });
        seen.push(...page.map((c) => c.id));
        if (pages === 0) await openOne(T0 + 100); // newer than every page: never in the walk
        if (page.length < 2) break;
        before = page[page.length - 1];
      }
      return seen;
    };
    const expected = [...all].sort((x, y) => y.createdAt - x.createdAt || (y.id < x.id ? -1 : y.id > x.id ? 1 : 0)).map((c) => c.id);
    expect(await walk()).toEqual(expected);
    const queuedNow = [...all].sort((x, y) => y.createdAt - x.createdAt || (y.id < x.id ? -1 : y.id > x.id ? 1 : 0)).map((c) => c.id);
    expect(await walk('queued')).toEqual(queuedNow);
  });
});
