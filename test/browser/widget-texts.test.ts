// [E2E-TEXT] What the widget tells a visitor is one consistent statement: it
// never says someone comes shortly while no agent is available, never says
// nobody is there while someone is, and promises no email it does not send.

import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ok } from '../helpers/clients.ts';
import { poll, screenshot, useBrowser } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

/** Everything the visitor can read in the chat's chrome, as one string. */
async function said(page: Page): Promise<string> {
  const parts = await page.locator('.chat-subtitle, .chat-note:visible, .chat-welcome:visible').allTextContents();
  return parts.join(' | ');
}

const PROMISES_SOMEONE = /shortly|few minutes|here to help/i;
const SAYS_NOBODY = /away|nobody|no agent/i;

describe.each([1280, 375])('[E2E-TEXT] visitor texts at %i px', (width) => {
  it('[E2E-TEXT1] with nobody available, nothing promises a quick answer; once an agent is here, nothing says nobody is', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: { width, height: 760 } });
    try {
      const page = await context.newPage();
      await page.goto(`${app.url}/chat`);
      await poll(() => page.locator('.chat-subtitle').textContent()).toBe('We are away right now');
      expect(await said(page)).not.toMatch(PROMISES_SOMEONE);

      await page.getByRole('textbox', { name: 'Message' }).fill('Is anyone there?');
      await page.getByRole('textbox', { name: 'Message' }).press('Enter');
      await poll(() => page.locator('.chat-subtitle').textContent()).toBe('You are #1 in the queue · nobody is available yet');
      await poll(() => said(page)).toContain('Your message is saved');
      expect(await said(page)).not.toMatch(PROMISES_SOMEONE);
      await screenshot(page, `widget-nobody-available-${width}`);

      // An agent comes online: the same screen now says someone is coming, and nothing says nobody is.
      const agent = await app.agent('websocket', 'ada@example.com', { name: 'Ada' });
      await poll(() => page.locator('.chat-subtitle').textContent()).toBe('You are #1 in the queue — someone will be with you shortly');
      expect(await said(page)).not.toMatch(SAYS_NOBODY);

      // Away again (the only agent set "away"): back to the honest text.
      await ok(agent.socket, 'status:set', { status: 'away' });
      await poll(() => page.locator('.chat-subtitle').textContent()).toBe('You are #1 in the queue · nobody is available yet');
      expect(await said(page)).not.toMatch(PROMISES_SOMEONE);
    } finally {
      await context.close();
    }
  });

  it('[E2E-TEXT2] the name card promises no email reply, and its thanks neither', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: { width, height: 760 } });
    try {
      const page = await context.newPage();
      await page.goto(`${app.url}/chat`);
      await page.getByRole('textbox', { name: 'Message' }).fill('Hello');
      await page.getByRole('textbox', { name: 'Message' }).press('Enter');
      const card = page.locator('.profile-card');
      await poll(() => card.isVisible()).toBe(true);
      expect(await card.textContent()).not.toMatch(/by email|email too|reply at/i);
      // Until asked for, it is one line: the conversation keeps its room.
      expect((await card.boundingBox())!.height).toBeLessThanOrEqual(44);
      await card.getByRole('button', { name: 'Tell us your name? (optional)' }).click();
      await page.getByPlaceholder('Your name').fill('Maya');
      await page.getByPlaceholder('Email address').fill('maya@example.com');
      await card.getByRole('button', { name: 'Save' }).click();
      await poll(() => page.locator('.msg-system').last().textContent()).toBe('Thanks, Maya! We will reply right here.');
    } finally {
      await context.close();
    }
  });
});
