// [E2E-MAIL] The widget under a closed conversation offers "Email me the transcript" when the
// server sends email, asks for the address when it has none, and the transcript arrives at a real
// SMTP server. Without SMTP_URL the offer never shows.

import { describe, expect, it } from 'vitest';
import { next, ok } from '../helpers/clients.ts';
import { poll, screenshot, useBrowser } from '../helpers/browser.ts';
import { overflowX, PHONE } from '../helpers/layout.ts';
import { startSmtp } from '../helpers/smtp.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

const browser = useBrowser();

/** A visitor writes on /chat; an agent claims, answers and closes. */
async function closedChat(app: TestApp, viewport: { width: number; height: number }) {
  const { socket: agent } = await app.agent('websocket', `ann-${viewport.width}@example.com`, { name: 'Ann' });
  const context = await browser().newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${app.url}/chat`);
  const queued = next(agent, 'queue:add', () => true, 20_000);
  await page.getByRole('textbox', { name: 'Message' }).fill('Where is my parcel?');
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  const { id: conversationId } = await queued;
  await ok(agent, 'conversation:claim', { conversationId });
  await ok(agent, 'message:send', { conversationId, clientId: 'a1', body: 'It left the warehouse this morning.' });
  await ok(agent, 'note:add', { conversationId, clientId: 'n1', body: 'PRIVATE note' });
  await ok(agent, 'conversation:close', { conversationId });
  return { page, context, conversationId };
}

describe('[E2E-MAIL] transcript by email in the widget', () => {
  it('[E2E-MAIL1] a closed conversation offers the transcript, asks for the email, and it arrives (1280 px and 375 px)', { timeout: 60_000 }, async () => {
    const smtp = await startSmtp();
    const app = await startApp({ env: { SMTP_URL: smtp.url, EMAIL_FOLLOWUP_DELAY_MS: '60000' } });
    for (const [i, viewport] of [{ width: 1280, height: 800 }, PHONE].entries()) {
      const { page, context, conversationId } = await closedChat(app, viewport);
      try {
        const offer = page.getByRole('button', { name: 'Email me the transcript' });
        await poll(() => offer.isVisible()).toBe(true);
        await offer.click();
        const field = page.getByRole('textbox', { name: 'Your email' });
        await poll(() => field.isVisible()).toBe(true);
        await field.fill('not-an-address@');
        await page.getByRole('button', { name: 'Send', exact: true }).click();
        // The browser's own check refuses it first; a real address goes through.
        await field.fill(`vera${i}@example.com`);
        await screenshot(page, `widget-transcript-ask-${viewport.width}`);
        await page.getByRole('button', { name: 'Send', exact: true }).click();
        await poll(() => page.locator('.transcript-status').textContent()).toBe(`The transcript is on its way to vera${i}@example.com.`);
        await screenshot(page, `widget-transcript-sent-${viewport.width}`);
        const mails = await smtp.count(i + 1);
        expect(mails[i].to).toBe(`vera${i}@example.com`);
        expect(mails[i].text).toContain('Where is my parcel?');
        expect(mails[i].text).toContain('It left the warehouse this morning.');
        expect(mails[i].text).not.toContain('PRIVATE');
        expect(await app.store.listEmails(conversationId)).toHaveLength(1);
        // Nothing wider than the panel.
        expect(await overflowX(page)).toBeLessThanOrEqual(0);
      } finally {
        await context.close();
      }
    }
  });

  it('[E2E-MAIL2] without SMTP_URL a closed conversation offers no email', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const { page, context } = await closedChat(app, { width: 1280, height: 800 });
    try {
      // The CSAT card (shown for every closed conversation) is the barrier: the offer would sit beside it.
      await poll(() => page.locator('.csat-card').isVisible()).toBe(true);
      expect(await page.locator('.transcript-card').isVisible()).toBe(false);
    } finally {
      await context.close();
    }
  });
});
