// [E2E-A11Y] axe-core finds no serious or critical problem on any page — the
// demo site with the widget open, the visitor chat, the sign-in page, the
// console (a queue, a conversation open) and the dashboard — at 1280 and
// 375 px; and screenshots of the apps at both widths go to test-results/.

import { describe, expect, it } from 'vitest';
import { ok } from '../helpers/clients.ts';
import { poll, screenshot, signIn, useBrowser } from '../helpers/browser.ts';
import { axeViolations, DESK, PHONE } from '../helpers/layout.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

describe.each([
  ['1280', DESK],
  ['375', PHONE],
])('[E2E-A11Y] at %s px', (width, viewport) => {
  it('[E2E-A11Y1] the demo site with the widget, the chat, sign-in, console and dashboard have no serious or critical axe violations', { timeout: 90_000 }, async () => {
    const app = await startApp();
    // axe is injected as an inline script, which the pages' CSP (script-src 'self') rightly refuses.
    const context = await browser().newContext({ viewport, bypassCSP: true });
    try {
      // The visitor's side: the chat page mid-conversation, and the demo site with the widget open.
      const chat = await context.newPage();
      await chat.goto(`${app.url}/chat`);
      await chat.getByRole('textbox', { name: 'Message' }).fill('Hello there');
      await chat.getByRole('textbox', { name: 'Message' }).press('Enter');
      await poll(() => chat.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');
      expect(await axeViolations(chat)).toEqual([]);
      await screenshot(chat, `chat-${width}`);
      await chat.close();
      const site = await context.newPage();
      await site.goto(`${app.url}/`);
      await site.locator('parley-widget').getByRole('button', { name: /open chat/i }).click();
      await poll(() => site.frameLocator('parley-widget iframe').getByRole('textbox', { name: 'Message' }).isVisible()).toBe(true);
      expect(await axeViolations(site)).toEqual([]);
      await screenshot(site, `demo-site-${width}`);
      await site.close();

      const login = await context.newPage();
      await login.goto(`${app.url}/login`);
      expect(await axeViolations(login)).toEqual([]);
      await login.close();

      const agent = await signIn(context, app, { email: 'ada@example.com', name: 'Ada Lovelace', role: 'admin' });
      const v1 = await app.visitor('websocket');
      v1.socket.emit('page:view', { url: 'https://shop.example.com/pricing', title: 'Pricing — Example Shop' });
      await ok(v1.socket, 'message:send', { clientId: 'a', body: 'Do you offer yearly plans?' });
      const v2 = await app.visitor('websocket');
      await ok(v2.socket, 'message:send', { clientId: 'a', body: 'My card was declined — can you check?' });
      const v3 = await app.visitor('polling');
      await ok(v3.socket, 'message:send', { clientId: 'a', body: 'Is there a discount for students?' });
      // Three waiting, and the visitor who wrote from the chat page above.
      await poll(() => agent.locator('.queue-item').count()).toBe(4);
      await agent.locator('.queue-item', { hasText: v1.visitor.name }).getByRole('button', { name: /claim/i }).click();
      const reply = agent.getByRole('textbox', { name: `Reply to ${v1.visitor.name}` });
      await reply.fill('Yes — yearly plans save two months. Want a link?');
      await reply.press('Enter');
      await ok(v1.socket, 'message:send', { clientId: 'b', body: 'Yes please!' });
      await poll(() => agent.locator('.pane .msg').count()).toBe(3);
      // A queue item selected (the tinted background the contrast check must pass on).
      if (viewport.width < 720) await agent.getByRole('button', { name: 'Back to conversations' }).click();
      await agent.locator('.queue-item', { hasText: v2.visitor.name }).locator('.item-main').click();
      await poll(() => agent.locator('.claim-bar').isVisible()).toBe(true);
      if (viewport.width < 720) await agent.getByRole('button', { name: 'Back to conversations' }).click();
      await poll(() => agent.locator('.queue-item .item-preview').first().textContent()).not.toBe(' ');
      expect(await axeViolations(agent)).toEqual([]);
      await screenshot(agent, `console-${width}`);
      if (viewport.width >= 720) {
        await agent.locator('.mine-item .item-main').click();
      } else {
        await agent.locator('.mine-item .item-main').click();
        await poll(() => reply.isVisible()).toBe(true);
        await screenshot(agent, `console-${width}-conversation`);
        expect(await axeViolations(agent)).toEqual([]);
      }

      const admin = await context.newPage();
      await admin.goto(`${app.url}/admin`);
      await poll(() => admin.locator('tr[data-visitor]').count()).toBe(3);
      await poll(() => admin.locator('.conversation-cell').allTextContents()).toContain('With Ada Lovelace');
      expect(await axeViolations(admin)).toEqual([]);
      await admin.screenshot({ path: (await screenshot(admin, `dashboard-${width}`)), fullPage: true, animations: 'disabled' });
    } finally {
      await context.close();
    }
  });
});
