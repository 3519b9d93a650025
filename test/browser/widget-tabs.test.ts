// [E2E-TABS] One visitor, many page loads: a reload keeps the conversation
// (the partitioned cookie survives), and a second tab mirrors the first live.

import { describe, expect, it } from 'vitest';
import { arrived, ok } from '../helpers/clients.ts';
import { openWidget, poll, startHostSite, transcript, useBrowser, watch } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

describe('[E2E-TABS] visitor reloads and tabs', () => {
  it('[E2E-TABS1] a reload keeps the conversation and a second tab mirrors it', { timeout: 60_000 }, async () => {
    const host = await startHostSite();
    const app = await startApp({ env: { ALLOWED_ORIGINS: host.url } });
    host.widgetSrc = `${app.url}/widget.js`;
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const tab1 = await context.newPage();
      const watch1 = watch(tab1);
      await tab1.goto(host.url);
      let chat1 = await openWidget(tab1);
      await chat1.getByRole('textbox', { name: 'Message' }).fill('Is the 3-person tent in stock?');
      await chat1.getByRole('textbox', { name: 'Message' }).press('Enter');
      await poll(() => chat1.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');

      // An agent (a plain Socket.IO client) claims and answers.
      const agent = await app.agent('websocket', 'grace@example.com', { name: 'Grace Hopper' });
      const queued = await arrived(agent.socket, 'queue', (q) => q.conversations.length === 1);
      const conversationId = queued.conversations[0].id;
      await ok(agent.socket, 'conversation:claim', { conversationId });
      await ok(agent.socket, 'message:send', { conversationId, clientId: 'a1', body: 'Yes, 12 left in green.' });
      await poll(() => transcript(chat1)).toEqual(['Is the 3-person tent in stock?', 'Yes, 12 left in green.']);

      await tab1.reload();
      chat1 = await openWidget(tab1);
      await poll(() => transcript(chat1)).toEqual(['Is the 3-person tent in stock?', 'Yes, 12 left in green.']);
      await poll(() => chat1.locator('.chat-title').textContent()).toBe('Grace Hopper');
      // A reload is not news: no second "joined".
      expect(await chat1.locator('.msg-system', { hasText: 'joined' }).count()).toBe(0);

      const tab2 = await context.newPage();
      const watch2 = watch(tab2);
      await tab2.goto(`${host.url}/second-page`);
      const chat2 = await openWidget(tab2);
      await poll(() => transcript(chat2)).toEqual(['Is the 3-person tent in stock?', 'Yes, 12 left in green.']);

      await chat2.getByRole('textbox', { name: 'Message' }).fill('Great, ordering now from my other tab');
      await chat2.getByRole('textbox', { name: 'Message' }).press('Enter');
      await poll(() => transcript(chat1)).toHaveLength(3);
      // Both panels are closed: the agent's answer shows as an unread badge on each launcher, once.
      await chat1.getByRole('button', { name: 'Close chat' }).click();
      await chat2.getByRole('button', { name: 'Close chat' }).click();
      await ok(agent.socket, 'message:send', { conversationId, clientId: 'a2', body: 'Perfect!' });
      const launcher = tab1.locator('parley-widget').getByRole('button', { name: 'Open chat, 1 unread message' });
      await poll(() => launcher.isVisible()).toBe(true);
      expect(await tab1.locator('parley-widget .badge').textContent()).toBe('1');
      await poll(() => tab2.locator('parley-widget .badge').textContent()).toBe('1');
      // Read in tab 1: the server's read event clears tab 2's badge too.
      await launcher.click();
      await poll(() => tab1.locator('parley-widget .badge').isVisible()).toBe(false);
      await poll(() => tab2.locator('parley-widget .badge').isVisible()).toBe(false);
      const expected = ['Is the 3-person tent in stock?', 'Yes, 12 left in green.', 'Great, ordering now from my other tab', 'Perfect!'];
      await poll(() => transcript(chat1)).toEqual(expected);
      await poll(() => transcript(chat2)).toEqual(expected);
      // Both tabs show the other tab's message as the visitor's own.
      expect(await chat1.locator('.msg-mine .msg-body').allTextContents()).toEqual([expected[0], expected[2]]);

      await ok(agent.socket, 'conversation:close', { conversationId });
      await poll(() => chat1.locator('.chat-subtitle').textContent()).toBe('This conversation has ended');
      await poll(() => chat2.locator('.chat-subtitle').textContent()).toBe('This conversation has ended');
      expect([...watch1.errors, ...watch2.errors, ...watch1.dialogs, ...watch2.dialogs]).toEqual([]);
    } finally {
      await context.close();
      await host.close();
    }
  });
});
