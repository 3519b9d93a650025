// [E2E-STATE] What the widget shows after reloads and page changes matches
// the server: replies already read are not counted again, and "Seen" stays.
// (Before read positions were in snapshots, a reload badged every reply and
// lost "Seen".) At 1280 px and at 375 px.

import { describe, expect, it } from 'vitest';
import { arrived, ok } from '../helpers/clients.ts';
import { openWidget, poll, screenshot, startHostSite, transcript, useBrowser } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

describe.each([1280, 375])('[E2E-STATE] widget state across reloads at %i px', (width) => {
  it('[E2E-STATE1] replies read before a reload or a page change are not unread after it; a new one is', { timeout: 90_000 }, async () => {
    const host = await startHostSite();
    const app = await startApp({ env: { ALLOWED_ORIGINS: host.url } });
    host.widgetSrc = `${app.url}/widget.js`;
    const context = await browser().newContext({ viewport: { width, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(host.url);
      let chat = await openWidget(page);
      await chat.getByRole('textbox', { name: 'Message' }).fill('Do you ship to Norway?');
      await chat.getByRole('textbox', { name: 'Message' }).press('Enter');
      await poll(() => chat.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');

      const agent = await app.agent('websocket', 'ada@example.com', { name: 'Ada' });
      const { conversations } = await arrived(agent.socket, 'queue', (q) => q.conversations.length === 1);
      const conversationId = conversations[0].id;
      await ok(agent.socket, 'conversation:claim', { conversationId });
      // Three replies while the panel is open: each is read as it arrives.
      const visitorRead = (seq: number) => arrived(agent.socket, 'read', (r) => r.participant.kind === 'visitor' && r.seq >= seq);
      for (const n of [1, 2, 3]) await ok(agent.socket, 'message:send', { conversationId, clientId: `a${n}`, body: `Reply ${n}` });
      await poll(() => transcript(chat)).toHaveLength(4);
      await visitorRead(4);

      const badge = page.locator('parley-widget .badge');
      for (const next of ['reload', 'another page']) {
        if (next === 'reload') await page.reload();
        else await page.goto(`${host.url}/pricing`);
        // The loader fetches the conversation on every page: wait until it has, then the badge must be 0.
        chat = await openWidget(page);
        await poll(() => transcript(chat)).toHaveLength(4);
        await chat.getByRole('button', { name: 'Close chat' }).click();
        expect(await badge.isVisible(), `badge after ${next}`).toBe(false);
      }

      // A page load with the panel closed, then a new reply: exactly one unread.
      await page.goto(`${host.url}/checkout`);
      await poll(() => page.locator('parley-widget').getByRole('button', { name: 'Open chat' }).isVisible()).toBe(true);
      await ok(agent.socket, 'message:send', { conversationId, clientId: 'a4', body: 'Reply 4' });
      await poll(() => badge.textContent()).toBe('1');
      await screenshot(page, `widget-badge-${width}`);
    } finally {
      await context.close();
      await host.close();
    }
  });

  it('[E2E-STATE2] "Seen" on the visitor\'s message stays after a reload', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: { width, height: 760 } });
    try {
      const page = await context.newPage();
      await page.goto(`${app.url}/chat`);
      await page.getByRole('textbox', { name: 'Message' }).fill('Hello, is my order on its way?');
      await page.getByRole('textbox', { name: 'Message' }).press('Enter');
      const mine = page.locator('.msg-mine').last();
      await poll(() => mine.getAttribute('data-status')).toBe('sent');

      const agent = await app.agent('websocket', 'ada@example.com', { name: 'Ada' });
      const { conversations } = await arrived(agent.socket, 'queue', (q) => q.conversations.length === 1);
      await ok(agent.socket, 'conversation:claim', { conversationId: conversations[0].id });
      agent.socket.emit('read', { conversationId: conversations[0].id, seq: 1 });
      await poll(() => mine.getAttribute('data-status')).toBe('seen');

      await page.reload();
      await poll(() => transcript(page)).toEqual(['Hello, is my order on its way?']);
      await poll(() => page.locator('.msg-mine').last().getAttribute('data-status')).toBe('seen');
      expect(await page.locator('.msg-mine .msg-status').last().textContent()).toContain('Seen');
    } finally {
      await context.close();
    }
  });
});
