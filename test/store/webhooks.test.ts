// [STORE-HOOK] Webhooks and their delivery outbox in the store, on every engine: one delivery per
// subscribed, enabled webhook and event; leases held by one owner at a time and taken over once
// they run out; a failure streak that disables a webhook; the log; deleting a webhook deletes its rows.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../server/clock.ts';
import { createLogger } from '../../server/logger.ts';
import { openPostgresStore } from '../../server/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { Store } from '../../server/store/store.ts';
import { freshPostgresUrl } from '../helpers/test-services.ts';

const T0 = 1_700_000_000_000;
const logger = createLogger('silent');
const ENGINES: Array<[string, (clock: Clock) => Promise<Store>]> = [
  ['sqlite', (clock) => openSqliteStore(':memory:', { clock })],
  ['postgres', async (clock) => openPostgresStore(await freshPostgresUrl(), { poolSize: 4, logger, clock })],
];

const event = (id: string, type: string, createdAt = T0) => ({ id, type, body: JSON.stringify({ id, type }), createdAt });

describe.each(ENGINES)('[STORE-HOOK] %s', (_engine, open) => {
  let store: Store;
  const clock: Clock = { now: () => T0 };
  beforeEach(async () => {
    store = await open(clock);
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
  });

  it('[STORE-HOOK1] an event is stored once for each enabled webhook that wants it; the same event id twice stores nothing more', async () => {
    const a = await store.createWebhook({ url: 'https://a.example.com/hook', events: ['message.created', 'conversation.closed'], secret: 'whsec_a', createdAt: T0 });
    const b = await store.createWebhook({ url: 'https://b.example.com/hook', events: ['conversation.created'], secret: 'whsec_b', createdAt: T0 + 1 });
    const c = await store.createWebhook({ url: 'https://c.example.com/hook', events: ['message.created'], secret: 'whsec_c', createdAt: T0 + 2 });
    expect(a).toMatchObject({ url: 'https://a.example.com/hook', events: ['message.created', 'conversation.closed'], enabled: true, disabledReason: null, failingSince: null, createdAt: T0 });
    expect((await store.listWebhooks()).map((w) => w.id)).toEqual([a.id, b.id, c.id]);
    await store.updateWebhook(c.id, { enabled: false }, T0 + 5);
    expect(await store.getWebhook(c.id)).toMatchObject({ enabled: false, disabledReason: 'admin', disabledAt: T0 + 5 });

    expect(await store.enqueueWebhookEvent(event('evt_1', 'message.created'))).toBe(1);
    expect(await store.enqueueWebhookEvent(event('evt_1', 'message.created'))).toBe(0);
    expect(await store.enqueueWebhookEvent(event('evt_2', 'conversation.created'))).toBe(1);
    expect(await store.enqueueWebhookEvent(event('evt_3', 'agent.status'))).toBe(0);
    expect(await store.countPendingWebhookDeliveries()).toBe(2);
    expect((await store.listWebhookDeliveries(a.id, 10)).map((d) => [d.eventId, d.type, d.attempts])).toEqual([['evt_1', 'message.created', 0]]);
    expect((await store.listWebhookDeliveries(b.id, 10)).map((d) => d.eventId)).toEqual(['evt_2']);
    expect(await store.listWebhookDeliveries(c.id, 10)).toEqual([]);
  });

  it('[STORE-HOOK2] a lease belongs to one owner until it runs out; then another takes it over, and only the holder records a failure', async () => {
    const w = await store.createWebhook({ url: 'https://a.example.com/hook', events: ['message.created'], secret: 'whsec_a', createdAt: T0 });
    for (let i = 0; i < 3; i++) await store.enqueueWebhookEvent(event(`evt_${i}`, 'message.created', T0 + i));
    const first = await store.claimWebhookDeliveries('node-a', T0 + 10, 1000, 2);
    first.sort((x, y) => x.eventId.localeCompare(y.eventId));
    expect(first.map((d) => d.eventId)).toEqual(['evt_0', 'evt_1']);
    expect(first[0]).toMatchObject({ webhookId: w.id, url: 'https://a.example.com/hook', secret: 'whsec_a', attempts: 1, type: 'message.created', body: JSON.stringify({ id: 'evt_0', type: 'message.created' }) });
    const second = await store.claimWebhookDeliveries('node-b', T0 + 400, 1000, 10);
    expect(second.map((d) => d.eventId)).toEqual(['evt_2']);
    expect(await store.claimWebhookDeliveries('node-b', T0 + 500, 1000, 10)).toEqual([]);
    // node-a died: its leases run out and node-b takes them, counting another attempt.
    const taken = await store.claimWebhookDeliveries('node-b', T0 + 1010, 1000, 10);
    expect(taken.map((d) => [d.eventId, d.attempts]).sort()).toEqual([['evt_0', 2], ['evt_1', 2]]);
    // node-a comes back with its old answer: not the holder, nothing changes.
    expect(await store.webhookFailed(w.id, 'evt_0', 'node-a', { status: 500, error: 'HTTP 500', retryAt: T0 + 5000 }, T0 + 1020, 1000)).toBe(false);
    expect((await store.getWebhook(w.id))!.failingSince).toBeNull();
    await store.webhookDelivered(w.id, 'evt_0', 200, T0 + 1030);
    await store.webhookDelivered(w.id, 'evt_0', 200, T0 + 1040);
    const log = await store.listWebhookDeliveries(w.id, 10);
    expect(log.find((d) => d.eventId === 'evt_0')).toMatchObject({ deliveredAt: T0 + 1030, lastStatus: 200, attempts: 2 });
    expect(await store.countPendingWebhookDeliveries()).toBe(2);
    expect(await store.claimWebhookDeliveries('node-c', T0 + 100_000, 1000, 10).then((r) => r.map((d) => d.eventId).sort())).toEqual(['evt_1', 'evt_2']);
  });

  it('[STORE-HOOK3] failures move the next attempt or give up; a streak as long as the limit disables the webhook (no more claims), a success ends it, re-enabling resumes', async () => {
    const w = await store.createWebhook({ url: 'https://a.example.com/hook', events: ['agent.status'], secret: 'whsec_a', createdAt: T0 });
    await store.enqueueWebhookEvent(event('evt_1', 'agent.status'));
    await store.enqueueWebhookEvent(event('evt_2', 'agent.status'));
    const [d1, d2] = (await store.claimWebhookDeliveries('n', T0, 1000, 10)).sort((x, y) => x.eventId.localeCompare(y.eventId));
    expect(await store.webhookFailed(w.id, d1.eventId, 'n', { status: 503, error: 'HTTP 503', retryAt: T0 + 100 }, T0 + 1, 10_000)).toBe(false);
    expect((await store.getWebhook(w.id))!.failingSince).toBe(T0 + 1);
    expect(await store.webhookFailed(w.id, d2.eventId, 'n', { status: null, error: 'timed out', retryAt: null }, T0 + 2, 10_000)).toBe(false);
    const log = await store.listWebhookDeliveries(w.id, 10);
    expect(log.find((d) => d.eventId === 'evt_1')).toMatchObject({ nextAttemptAt: T0 + 100, lastStatus: 503, lastError: 'HTTP 503', failedAt: null });
    expect(log.find((d) => d.eventId === 'evt_2')).toMatchObject({ lastStatus: null, lastError: 'timed out', failedAt: T0 + 2 });
    expect(await store.claimWebhookDeliveries('n', T0 + 50, 1000, 10)).toEqual([]);
    const [again] = await store.claimWebhookDeliveries('n', T0 + 100, 1000, 10);
    expect(again).toMatchObject({ eventId: 'evt_1', attempts: 2 });
    // Still failing 10 s after the streak began: disabled, and its deliveries wait.
    expect(await store.webhookFailed(w.id, 'evt_1', 'n', { status: 500, error: 'HTTP 500', retryAt: T0 + 20_000 }, T0 + 10_001, 10_000)).toBe(true);
    expect(await store.getWebhook(w.id)).toMatchObject({ enabled: false, disabledReason: 'failures', disabledAt: T0 + 10_001 });
    expect(await store.claimWebhookDeliveries('n', T0 + 30_000, 1000, 10)).toEqual([]);
    const back = await store.updateWebhook(w.id, { enabled: true }, T0 + 40_000);
    expect(back).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null, failingSince: null });
    const [resumed] = await store.claimWebhookDeliveries('n', T0 + 40_000, 1000, 10);
    expect(resumed).toMatchObject({ eventId: 'evt_1', attempts: 3 });
    await store.webhookFailed(w.id, 'evt_1', 'n', { status: 500, error: 'HTTP 500', retryAt: T0 + 50_000 }, T0 + 40_001, 10_000);
    expect((await store.getWebhook(w.id))!.failingSince).toBe(T0 + 40_001);
    const [last] = await store.claimWebhookDeliveries('n', T0 + 50_000, 1000, 10);
    await store.webhookDelivered(w.id, last.eventId, 204, T0 + 50_001);
    expect((await store.getWebhook(w.id))!.failingSince).toBeNull();
  });

  it('[STORE-HOOK4] url and events change; an unknown webhook is null/false; deleting one deletes its deliveries', async () => {
    const w = await store.createWebhook({ url: 'https://a.example.com/hook', events: ['agent.status'], secret: 'whsec_a', createdAt: T0 });
    const changed = await store.updateWebhook(w.id, { url: 'https://b.example.com/x', events: ['csat.created', 'agent.status'] }, T0 + 1);
    expect(changed).toMatchObject({ url: 'https://b.example.com/x', events: ['csat.created', 'agent.status'], enabled: true });
    expect(await store.updateWebhook('nope', { enabled: false }, T0)).toBeNull();
    expect(await store.getWebhook('nope')).toBeNull();
    await store.enqueueWebhookEvent(event('evt_1', 'csat.created'));
    expect(await store.countPendingWebhookDeliveries()).toBe(1);
    expect(await store.deleteWebhook(w.id)).toBe(true);
    expect(await store.deleteWebhook(w.id)).toBe(false);
    expect(await store.countPendingWebhookDeliveries()).toBe(0);
    expect(await store.listWebhooks()).toEqual([]);
  });
});
