// [E2E-CONSOLE-STATE] The console after a reload shows what the server knows:
// unread counts of conversations the agent has not read, none for those read,
// and "Seen" on the agent's reply the visitor read (#3); and its reply box
// follows the server's MAX_MESSAGE_LENGTH (#6). Desk and phone.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { arrived, ok } from '../helpers/clients.ts';
import { poll, signIn, useBrowser } from '../helpers/browser.ts';
import { DESK, PHONE } from '../helpers/layout.ts';
import { showList, waitingVisitor } from '../helpers/console.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();
const ANN = { email: 'ann@example.com', name: 'Ann Agent' };

async function claim(page: Page, visitorName: string) {
  await showList(page);
  await page.locator('.queue-item', { hasText: visitorName }).getByRole('button', { name: /claim/i }).click();
  await poll(() => page.locator('.pane-title').textContent()).toBe(visitorName);
}

const unreadOf = (page: Page, conversationId: string) => page.locator(`.mine-item[data-id="${conversationId}"] .unread`);

describe.each([
  ['desk', DESK],
  ['phone', PHONE],
])('[E2E-CONSOLE-STATE] on a %s', (_label, viewport) => {
  it('[E2E-CONSOLE-STATE1] unread counts and "Seen" survive a reload', { timeout: 90_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport });
    try {
      const page = await signIn(context, app, ANN);
      const first = await waitingVisitor(app, 'first question');
      const second = await waitingVisitor(app, 'second question');
      await poll(() => page.locator('.queue-item').count()).toBe(2);
      await claim(page, first.visitor.name);
      await page.getByRole('textbox', { name: `Reply to ${first.visitor.name}` }).fill('Happy to help!');
      await page.getByRole('textbox', { name: `Reply to ${first.visitor.name}` }).press('Enter');
      const reply = page.locator('.pane .msg-mine').last();
      await poll(() => reply.getAttribute('data-status')).toBe('sent');
      // The visitor reads the reply: "Seen".
      const read = arrived(first.socket, 'message', (m) => m.body === 'Happy to help!');
      first.socket.emit('read', { seq: (await read).seq });
      await poll(() => reply.getAttribute('data-status')).toBe('seen');

      // Ann moves on to the second conversation; the first visitor writes three more times.
      await claim(page, second.visitor.name);
      for (const n of [1, 2, 3]) await ok(first.socket, 'message:send', { clientId: `more-${n}`, body: `more ${n}` });
      await showList(page);
      await poll(() => unreadOf(page, first.conversationId).textContent()).toBe('3');

      // A reload: the three are still unread, the second conversation (read) has none.
      await page.reload();
      await poll(() => unreadOf(page, first.conversationId).textContent()).toBe('3');
      expect(await unreadOf(page, second.conversationId).count()).toBe(0);

      // Opened and read; after another reload, nothing is unread and "Seen" is still on the reply.
      await page.locator(`.mine-item[data-id="${first.conversationId}"] .item-main`).click();
      await poll(() => page.locator('.pane .msg-body').allTextContents()).toContain('more 3');
      await poll(() => unreadOf(page, first.conversationId).count()).toBe(0);
      await page.reload();
      await page.locator(`.mine-item[data-id="${first.conversationId}"] .item-main`).click();
      await poll(() => page.locator('.pane .msg-body').allTextContents()).toContain('more 3');
      const again = page.locator('.pane .msg-mine').last();
      await poll(() => again.getAttribute('data-status')).toBe('seen');
      await showList(page);
      expect(await unreadOf(page, first.conversationId).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('[E2E-CONSOLE-STATE2] the reply box counts toward the server\'s limit, never cuts, and gets a refused reply back to edit', { timeout: 90_000 }, async () => {
    const app = await startApp({ env: { MAX_MESSAGE_LENGTH: '500' } });
    const context = await browser().newContext({ viewport });
    try {
      const page = await signIn(context, app, ANN);
      const v = await waitingVisitor(app, 'help with an invoice');
      await claim(page, v.visitor.name);
      const box = page.getByRole('textbox', { name: `Reply to ${v.visitor.name}` });
      await box.fill('x'.repeat(600));
      expect((await box.inputValue()).length).toBe(600);
      await poll(() => page.locator('.pane .composer-count').textContent()).toBe('100 characters too long (at most 500)');
      expect(await page.locator('.pane').getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true);

      // A console loaded before the limit was lowered still allows 4,000: the server refuses, the text comes back.
      await page.route(`${app.url}/agent`, async (route) => {
        const res = await route.fetch();
        const html = (await res.text()).replace('content="500"', 'content="4000"');
        await route.fulfill({ response: res, body: html });
      });
      await page.reload();
      await page.locator(`.mine-item[data-id="${v.conversationId}"] .item-main`).click();
      const text = `Here are all the details: ${'d'.repeat(600)}`;
      await box.fill(text);
      await box.press('Enter');
      const mine = page.locator('.pane .msg-mine').last();
      await poll(() => mine.getAttribute('data-status')).toBe('refused');
      expect(await mine.locator('.msg-failed').textContent()).toContain('Not sent: the server refused this text');
      expect(await mine.getByRole('button', { name: 'Retry' }).count()).toBe(0);
      await mine.getByRole('button', { name: 'Edit' }).click();
      await poll(() => box.inputValue()).toBe(text);
      expect(await page.locator('.pane .msg-mine').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
