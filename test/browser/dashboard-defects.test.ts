// [E2E-ADMIN-FIX] Dashboard defects users reported, at 1280 and 375 px: where
// each visitor's conversation stands (10), form problems in words (11), and a
// page that fits a phone and keeps its background when scrolled (8).

import { describe, expect, it } from 'vitest';
import { ok } from '../helpers/clients.ts';
import { poll, signIn, useBrowser, watch } from '../helpers/browser.ts';
import { DESK, onScreen, overflowX, PHONE, smallFields } from '../helpers/layout.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

describe.each([
  ['desk', DESK],
  ['phone', PHONE],
])('[E2E-ADMIN-FIX] on a %s', (_label, viewport) => {
  it('[E2E-ADMIN-FIX1] waiting visitors (with their place) and served ones (with whom), human form errors, a page that fits (#10, #11, #8)', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport });
    try {
      const admin = await signIn(context, app, { email: 'boss@example.com', name: 'Barbara Liskov', role: 'admin' }, '/admin');
      const adminWatch = watch(admin);
      const alan = await app.agent('websocket', 'alan@example.com', { name: 'Alan Turing' });
      const served = await app.visitor('websocket');
      const { message } = await ok(served.socket, 'message:send', { clientId: 'a', body: 'Hi' });
      const waiting = await app.visitor('polling');
      await ok(waiting.socket, 'message:send', { clientId: 'a', body: 'Hello' });
      await ok(alan.socket, 'conversation:claim', { conversationId: message.conversationId });

      const cell = (id: string) => admin.locator(`tr[data-visitor="${id}"] .conversation-cell`);
      await poll(() => cell(served.visitor.id).textContent()).toBe('With Alan Turing');
      await poll(() => cell(waiting.visitor.id).textContent()).toBe('Waiting · #1 in queue');
      // What "online visitors" counts is said where they are counted (#10).
      expect(await admin.locator('.stat-label').allTextContents()).toContain('Visitors in chat');
      expect(await admin.locator('#visitors-heading + .card-hint').textContent()).toContain('who never touched the chat are not counted');

      // The page fits: nothing to scroll sideways to, sign-out on screen, badges on one line.
      expect(await overflowX(admin)).toBeLessThanOrEqual(0);
      expect(await onScreen(admin.getByRole('button', { name: 'Sign out' }))).toBe(true);
      const badge = admin.locator('.badge-admin').first();
      await poll(() => badge.isVisible()).toBe(true);
      const lines = (await badge.evaluate((el: { getClientRects(): { length: number } }) => el.getClientRects().length)) as number;
      expect(lines).toBe(1);
      expect((await badge.boundingBox())!.height).toBeLessThan(24);
      if (viewport.width < 720) expect(await smallFields(admin)).toEqual([]);
      // Scrolled to the bottom, the page is still the dashboard's grey, not white.
      expect(await admin.evaluate('getComputedStyle(document.documentElement).backgroundColor')).not.toBe('rgb(255, 255, 255)');

      // Form problems in words, next to their field; never the server's "email: not an email address".
      await admin.getByLabel('Name').fill('Katherine Johnson');
      await admin.getByLabel('Email').fill('katherine.example.com');
      await admin.getByLabel('Password (8+ characters)').fill('short');
      await admin.getByRole('button', { name: 'Create account' }).click();
      await poll(() => admin.locator('.team-form').textContent()).toContain('That email address does not look right.');
      expect(await admin.locator('.team-form').textContent()).toContain('The password needs at least 8 characters.');
      expect(await admin.locator('.team-form').textContent()).not.toMatch(/not an email address|email:/);
      await admin.getByLabel('Email').fill('katherine@example.com');
      await admin.getByLabel('Password (8+ characters)').fill('orbit-1962-secret');
      await admin.getByRole('button', { name: 'Create account' }).click();
      await poll(() => admin.locator('.form-message').textContent()).toContain('Katherine Johnson can now sign in');
      expect(await overflowX(admin)).toBeLessThanOrEqual(0);
      expect([...adminWatch.errors, ...adminWatch.dialogs]).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
