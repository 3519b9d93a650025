// [E2E-LEN] The visitor's composer and the server's message length
// (MAX_MESSAGE_LENGTH): counted as the server counts, never cut short, and a
// message the server refuses comes back to be edited instead of a Retry that
// cannot work. At 1280 px and at 375 px.

import { describe, expect, it } from 'vitest';
import { poll, screenshot, useBrowser } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

describe.each([1280, 375])('[E2E-LEN] message length at %i px', (width) => {
  it('[E2E-LEN1] the limit comes from the server: a counter near it, no sending over it, nothing cut', { timeout: 60_000 }, async () => {
    const app = await startApp({ env: { MAX_MESSAGE_LENGTH: '500' } });
    const context = await browser().newContext({ viewport: { width, height: 760 } });
    try {
      const page = await context.newPage();
      await page.goto(`${app.url}/chat`);
      const box = page.getByRole('textbox', { name: 'Message' });
      const send = page.getByRole('button', { name: 'Send message' });
      const counter = page.locator('.composer-count');

      await box.fill('x'.repeat(399));
      expect(await counter.isVisible()).toBe(false);
      await box.fill('x'.repeat(450));
      await poll(() => counter.textContent()).toBe('50 characters left');

      // A paste over the limit is kept whole, said to be too long, and cannot be sent.
      await box.fill('y'.repeat(600));
      expect((await box.inputValue()).length).toBe(600);
      await poll(() => counter.textContent()).toBe('100 characters too long (at most 500)');
      expect(await send.isDisabled()).toBe(true);
      await box.press('Enter');
      expect(await page.locator('.msg-mine').count()).toBe(0);
      const box375 = await box.boundingBox();
      expect(box375 && box375.x + box375.width).toBeLessThanOrEqual(width);
      await screenshot(page, `widget-too-long-${width}`);

      // Shortened to the limit: sent and stored whole.
      await box.fill('z'.repeat(500));
      expect(await send.isDisabled()).toBe(false);
      await box.press('Enter');
      await poll(() => page.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');
      expect(await page.locator('.msg-mine .msg-body').last().textContent()).toBe('z'.repeat(500));
    } finally {
      await context.close();
    }
  });

  it('[E2E-LEN2] at the default limit a 4,500-character paste is not cut', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: { width, height: 760 } });
    try {
      const page = await context.newPage();
      await page.goto(`${app.url}/chat`);
      const box = page.getByRole('textbox', { name: 'Message' });
      await box.fill('p'.repeat(4500));
      expect((await box.inputValue()).length).toBe(4500);
      await poll(() => page.locator('.composer-count').textContent()).toBe('500 characters too long (at most 4,000)');
      expect(await page.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('[E2E-LEN3] a message the server refuses comes back to be edited, with no Retry that cannot work', { timeout: 60_000 }, async () => {
    const app = await startApp({ env: { MAX_MESSAGE_LENGTH: '500' } });
    const context = await browser().newContext({ viewport: { width, height: 760 } });
    try {
      const page = await context.newPage();
      // A page from before the limit was lowered (a deploy in progress): it still allows 4,000.
      await page.route(`${app.url}/chat`, async (route) => {
        const res = await route.fetch();
        const html = (await res.text()).replace('name="parley:max-message-length" content="500"', 'name="parley:max-message-length" content="4000"');
        expect(html).toContain('content="4000"');
        await route.fulfill({ response: res, body: html });
      });
      await page.goto(`${app.url}/chat`);
      const box = page.getByRole('textbox', { name: 'Message' });
      const text = `Here is the whole log: ${'l'.repeat(600)}`;
      await box.fill(text);
      await box.press('Enter');
      const mine = page.locator('.msg-mine').last();
      await poll(() => mine.getAttribute('data-status')).toBe('refused');
      expect(await mine.locator('.msg-failed').textContent()).toContain('Not sent: the server refused this text');
      expect(await mine.getByRole('button', { name: 'Retry' }).count()).toBe(0);
      await screenshot(page, `widget-refused-${width}`);
      await mine.getByRole('button', { name: 'Edit' }).click();
      expect(await box.inputValue()).toBe(text);
      expect(await page.locator('.msg-mine').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
