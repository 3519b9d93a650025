// [E2E-OUTBOX] Issue #15: unsent messages lived only in memory, so a reload (or a crashed tab)
// lost them. Written while the server cannot ack (the page's Socket.IO transport blocked; the real
// server keeps running), they are kept in the tab's sessionStorage: after a reload they show again,
// in order, and once the connection is back each is delivered exactly once. A duplicated tab (a copy
// of that storage) leaves them to the tab it was copied from.

import { describe, expect, it } from 'vitest';
import type { Message } from '../../server/protocol/shapes.ts';
import { arrived, ok, record } from '../helpers/clients.ts';
import { openWidget, poll, signIn, socketGate, startHostSite, transcript, useBrowser, watch } from '../helpers/browser.ts';
import { type TestApp, startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

// The callbacks given to evaluate run in the page; this file is typed for Node, without the DOM library.
declare const sessionStorage: { getItem(key: string): string | null; length: number; key(i: number): string | null };
const OUTBOX_KEY = 'parley:outbox:visitor';

/** Every `message:send` the server receives from now on, from visitors and agents, as clientIds. */
function sendsSeen(app: TestApp) {
  const seen: string[] = [];
  const listen = (socket: { onAny(listener: (event: string, input: { clientId?: string }) => void): unknown }) =>
    socket.onAny((event, input) => {
      if (event === 'message:send' && input?.clientId) seen.push(input.clientId);
    });
  app.app.ns.visitor.on('connection', listen);
  app.app.ns.agent.on('connection', listen);
  return seen;
}

/** Drops every connection of a namespace at the server: the client sees its transport close and tries to reconnect. */
function dropAll(nsp: TestApp['app']['ns']['visitor'] | TestApp['app']['ns']['agent']) {
  for (const socket of nsp.sockets.values()) socket.conn.close();
}

const once = (ids: string[]) => ids.filter((id, i) => ids.indexOf(id) !== i);

describe('[E2E-OUTBOX] unsent messages survive a reload', () => {
  it('[E2E-OUTBOX1] widget: written offline, the page reloaded: shown pending in order, then delivered once each, in order', { timeout: 90_000 }, async () => {
    const host = await startHostSite();
    // The company's own site embedding its chat (www.example.com and chat.example.com): the same site, another
    // origin. (Embedded across sites, a browser that blocks third-party storage refuses the frame its
    // sessionStorage: there unsent messages last as long as the page; docs/protocol.md.)
    const sameSite = host.url.replace('localhost', '127.0.0.1');
    const app = await startApp({ env: { ALLOWED_ORIGINS: sameSite } });
    host.widgetSrc = `${app.url}/widget.js`;
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const errors = watch(page);
      const gate = await socketGate(page);
      await page.goto(sameSite);
      let chat = await openWidget(page);
      const box = () => chat.getByRole('textbox', { name: 'Message' });
      await box().fill('Is the green tent in stock?');
      await box().press('Enter');
      await poll(() => chat.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');
      const agent = await app.agent('websocket', 'ada@example.com', { name: 'Ada' });
      const { conversations } = await arrived(agent.socket, 'queue', (q) => q.conversations.length === 1);
      const conversationId = conversations[0].id;
      await ok(agent.socket, 'conversation:claim', { conversationId });
      const toAgent = record(agent.socket, 'message');

      // The network goes: the connection drops and new ones fail.
      gate.close();
      dropAll(app.app.ns.visitor);
      await poll(() => chat.locator('.chat-banner').textContent()).toContain('Reconnecting');
      const written = ['Hello?', 'My order is #4411', 'I need it by Friday'];
      for (const text of written) {
        await box().fill(text);
        await box().press('Enter');
      }
      await poll(() => chat.locator('.msg-mine[data-status="pending"] .msg-body').allTextContents()).toEqual(written);

      // Reloaded while still offline: what was unsent is back on screen, in order, still sending.
      await page.reload();
      chat = await openWidget(page);

      await poll(() => chat.locator('.msg-mine[data-status="pending"] .msg-body').allTextContents()).toEqual(written);
      expect(await chat.locator('.chat-banner').isVisible()).toBe(true);

      // Back online: each delivered once, in the order written, after what was there before.
      gate.open();
      await poll(() => chat.locator('.msg[data-status="pending"]').count(), { timeout: 20_000 }).toBe(0);
      await poll(() => transcript(chat)).toEqual(['Is the green tent in stock?', ...written]);
      const stored = await app.store.getMessages(conversationId, { limit: 50 });
      expect(stored.map((m) => m.body)).toEqual(['Is the green tent in stock?', ...written]);
      expect(once(stored.map((m) => m.clientId)), 'clientIds stored twice').toEqual([]);
      await poll(() => toAgent.length).toBe(written.length);
      expect(toAgent.map((m: Message) => m.body)).toEqual(written);
      expect(await chat.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');
      // Nothing is kept once everything is stored.
      expect(await chat.locator('body').evaluate((_, key) => sessionStorage.getItem(key), OUTBOX_KEY)).toBeNull();
      expect(errors.errors).toEqual([]);
    } finally {
      await context.close();
      await host.close();
    }
  });

  it('[E2E-OUTBOX2] a duplicated tab gets a copy of the unsent messages and leaves them to the original: each sent by one tab, stored once', { timeout: 90_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    // What each page found in its sessionStorage before any script of ours ran.
    await context.addInitScript({ content: `window.__copied = sessionStorage.getItem(${JSON.stringify(OUTBOX_KEY)});` });
    try {
      const gate = await socketGate(context);
      const original = await context.newPage();
      const errors = watch(original);
      await original.goto(`${app.url}/chat`);
      const box = original.getByRole('textbox', { name: 'Message' });
      await box.fill('First, while online');
      await box.press('Enter');
      await poll(() => original.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');
      const sends = sendsSeen(app);

      gate.close();
      dropAll(app.app.ns.visitor);
      await poll(() => original.locator('.chat-banner').textContent()).toContain('Reconnecting');
      const written = ['Written offline 1', 'Written offline 2'];
      for (const text of written) {
        await box.fill(text);
        await box.press('Enter');
      }
      await poll(() => original.locator('.msg-mine[data-status="pending"]').count()).toBe(2);

      // Duplicate the tab: a window opened from it gets a copy of its sessionStorage, as a duplicated tab does.
      const [duplicate] = await Promise.all([context.waitForEvent('page'), original.evaluate('void window.open(location.href)')]);
      watch(duplicate);
      await duplicate.waitForLoadState('domcontentloaded');
      const copied = JSON.parse(((await duplicate.evaluate('window.__copied')) as string | null) ?? '[]') as Array<{ body: string }>;
      expect(copied.map((c) => c.body), 'the copy the browser made').toEqual(written);
      // The duplicate asked, the original answered: the copy is dropped, nothing shows as its own to send.
      const kept = (page: typeof original) => page.evaluate(`sessionStorage.getItem(${JSON.stringify(OUTBOX_KEY)})`);
      await poll(() => kept(duplicate)).toBeNull();
      expect(await duplicate.locator('.msg[data-status="pending"]').count()).toBe(0);
      expect(await kept(original)).not.toBeNull();

      gate.open();
      await poll(() => original.locator('.msg[data-status="pending"]').count(), { timeout: 20_000 }).toBe(0);
      const expected = ['First, while online', ...written];
      await poll(() => transcript(original)).toEqual(expected);
      await poll(() => transcript(duplicate), { timeout: 20_000 }).toEqual(expected);
      const [conversation] = await app.store.listConversations({ status: 'queued' });
      const stored = await app.store.getMessages(conversation.id, { limit: 50 });
      expect(stored.map((m) => m.body)).toEqual(expected);
      // Sent by one tab only: the server saw each clientId once.
      const offlineIds = stored.slice(1).map((m) => m.clientId);
      expect(sends.filter((id) => offlineIds.includes(id)).sort()).toEqual([...offlineIds].sort());
      expect(errors.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('[E2E-OUTBOX3] console: replies written offline, the console reloaded: delivered once each, in order, when it is back', { timeout: 90_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const { socket: visitor } = await app.visitor('websocket');
      const { message: hello } = await ok(visitor, 'message:send', { clientId: 'v1', body: 'My parcel is late' });
      const agent = await signIn(context, app, { email: 'linus@example.com', name: 'Linus' });
      const errors = watch(agent);
      const gate = await socketGate(agent);
      await agent.locator('.queue-item').first().getByRole('button', { name: /claim/i }).click();
      const reply = agent.getByRole('textbox', { name: /reply to/i });
      await poll(() => reply.isEnabled()).toBe(true);
      const toVisitor = record(visitor, 'message');

      gate.close();
      dropAll(app.app.ns.agent);
      await poll(() => agent.locator('.app-banner').textContent()).toContain('Reconnecting');
      const written = ['Sorry to hear that.', 'Let me check with the courier.'];
      for (const text of written) {
        await reply.fill(text);
        await reply.press('Enter');
      }
      await poll(() => agent.locator('.msg-mine[data-status="pending"] .msg-body').allTextContents()).toEqual(written);

      await agent.reload();
      await poll(() => agent.locator('.app-banner').textContent()).toContain('Reconnecting');
      gate.open();
      // The console learns its conversations on connect; their unsent replies go out then, in order, once.
      await poll(() => toVisitor.map((m: Message) => m.body), { timeout: 20_000 }).toEqual(written);
      const stored = await app.store.getMessages(hello.conversationId, { limit: 50 });
      expect(stored.map((m) => m.body)).toEqual(['My parcel is late', ...written]);
      expect(once(stored.map((m) => m.clientId))).toEqual([]);
      await agent.locator(`.mine-item[data-id="${hello.conversationId}"] .item-main`).click();
      await poll(() => transcript(agent)).toEqual(['My parcel is late', ...written]);
      expect(await agent.locator('.msg[data-status="pending"]').count()).toBe(0);
      expect(errors.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
