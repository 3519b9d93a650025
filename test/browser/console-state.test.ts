// [E2E-CONSOLE-STATE] The console after a reload shows what the server knows:
// unread counts of conversations the agent has not read, none for those read,
// and "Seen" on the agent's reply the visitor read (#3). Desk and phone.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { arrived, ok } from '../helpers/clients.ts';
import { poll, signIn, useBrowser } from '../helpers/browser.ts';
import { DESK, PHONE } from '../helpers/layout.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

const browser = useBrowser();
const ANN = { email: 'ann@example.com', name: 'Ann Agent' };

async function waitingVisitor(app: TestApp, body: string) {
  const v = await app.visitor('websocket');
  const { message } = await ok(v.socket, 'message:send', { clientId: `c-${body}`, body });
  return { ...v, conversationId: message.conversationId };
}

/** On a phone the list and the conversation take turns. */
async function showList(page: Page) {
  const back = page.getByRole('button', { name: 'Back to conversations' });
  if (await back.isVisible()) await back.click();
}

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
});
