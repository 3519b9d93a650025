// [E2E-TEAM] Own account and team administration in Chromium: an agent changes their password
// and name in the console (their other session is signed out and told why); an admin disables
// an agent whose console is open (signed out at once, told why in the agent's own language),
// enables them again and resets their password from the dashboard. At 1280 and 375 px;
// screenshots in test-results/screenshots/.

import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { arrived, ok } from '../helpers/clients.ts';
import { poll, screenshot, signIn, useBrowser, watch } from '../helpers/browser.ts';
import { DESK, overflowX, PHONE } from '../helpers/layout.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();
const de = JSON.parse(readFileSync(new URL('../../i18n/de/common.json', import.meta.url), 'utf8')) as Record<string, string>;

async function login(page: Page, url: string, email: string, password: string) {
  await page.goto(`${url}/login?next=/agent`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('[E2E-TEAM] own account and team administration', () => {
  for (const [label, viewport] of [
    ['desk', DESK],
    ['phone', PHONE],
  ] as const) {
    it(`[E2E-TEAM1] an agent changes their name and password in the console (${label}); their other session is signed out and told why`, { timeout: 90_000 }, async () => {
      const app = await startApp();
      const who = { email: `ann-${label}@example.com`, name: 'Ann Agent' };
      const here = await browser().newContext({ viewport });
      const there = await browser().newContext({ viewport: DESK });
      try {
        const page = await signIn(here, app, who);
        const other = await signIn(there, app, who);
        const watched = watch(page);
        await poll(() => other.locator('.console').isVisible()).toBe(true);

        await page.getByRole('button', { name: 'Your account Ann Agent' }).click();
        const dialog = page.getByRole('dialog', { name: 'Your account' });
        await poll(() => dialog.isVisible()).toBe(true);
        await dialog.getByLabel('Display name').fill('Ann Smith');
        await dialog.getByRole('button', { name: 'Save name' }).click();
        await poll(() => dialog.locator('.form-message').first().textContent()).toBe('Your name is now Ann Smith.');
        await poll(() => page.locator('.me-name').textContent()).toBe('Ann Smith');

        // Problems are said next to the field; nothing is sent for them.
        await dialog.getByLabel('Current password').fill('not-my-password');
        await dialog.getByLabel('New password (8+ characters)').fill('brand-new-secret');
        await dialog.getByLabel('New password again').fill('brand-new-secrex');
        await dialog.getByRole('button', { name: 'Change password' }).click();
        await poll(() => dialog.locator('#account-again-problem').textContent()).toBe('The two new passwords do not match.');
        await dialog.getByLabel('New password again').fill('brand-new-secret');
        await dialog.getByRole('button', { name: 'Change password' }).click();
        await poll(() => dialog.locator('#account-current-problem').textContent()).toBe('The current password is not right.');
        expect(await other.locator('.session-ended').count()).toBe(0);

        await dialog.getByLabel('Current password').fill(`pw-${who.email}-secret`);
        await dialog.getByRole('button', { name: 'Change password' }).click();
        await poll(() => dialog.locator('.form-message').last().textContent()).toBe('Password changed. Your other sessions have been signed out.');
        expect(await overflowX(page)).toBe(0);
        await screenshot(page, `team-own-password-${label}`);

        // The other browser: signed out at once, told why.
        const notice = other.getByRole('alertdialog');
        await poll(() => notice.textContent()).toContain('Your password was changed, so this session has ended.');
        await screenshot(other, `team-password-changed-elsewhere-${label}`);
        await notice.getByRole('link', { name: 'Sign in again' }).click();
        await other.waitForURL(/\/login/);
        await login(other, app.url, who.email, `pw-${who.email}-secret`);
        await poll(() => other.locator('#login-error').textContent()).toBe('That email and password do not match.');
        await login(other, app.url, who.email, 'brand-new-secret');
        await other.waitForURL(`${app.url}/agent`);
        await poll(() => other.locator('.me-name').textContent()).toBe('Ann Smith');

        // This browser's session goes on: its console still works.
        await dialog.getByRole('button', { name: 'Close' }).click();
        const visitor = await app.visitor('websocket');
        await ok(visitor.socket, 'message:send', { clientId: 'v1', body: 'Still there?' });
        await poll(() => page.locator('.queue-item').count()).toBe(1);
        expect(await page.locator('.session-ended').count()).toBe(0);
        expect([...watched.errors, ...watched.dialogs]).toEqual([]);
      } finally {
        await here.close();
        await there.close();
      }
    });
  }

  it('[E2E-TEAM2] an admin disables an agent whose console is open: signed out at once and told why in German; enabled again and given a new password, they sign in', { timeout: 120_000 }, async () => {
    const app = await startApp();
    const adminContext = await browser().newContext({ viewport: DESK });
    const agentContext = await browser().newContext({ viewport: PHONE, locale: 'en-US' });
    try {
      const admin = await signIn(adminContext, app, { email: 'boss@example.com', name: 'Barbara Liskov', role: 'admin' }, '/admin');
      const agent = await signIn(agentContext, app, { email: 'kurt@example.com', name: 'Kurt Gödel' });
      // The agent's own language is German (their browser asks for English).
      const kurt = (await app.store.getAgentByEmail('kurt@example.com'))!;
      await app.store.setAgentLanguage(kurt.id, 'de');
      await agent.reload();
      await poll(() => agent.locator('html').getAttribute('lang')).toBe('de');

      // Kurt holds a conversation.
      const visitor = await app.visitor('polling');
      await ok(visitor.socket, 'message:send', { clientId: 'v1', body: 'Hallo?' });
      await poll(() => agent.locator('.queue-item').count()).toBe(1);
      await agent.getByRole('button', { name: /übernehmen/i }).first().click();
      await arrived(visitor.socket, 'presence', (p) => p.action === 'join' && p.participant.id === kurt.id);

      // Kurt's account is newer than the dashboard's team list: load it again.
      await admin.reload();
      const row = admin.locator('tr', { hasText: 'kurt@example.com' });
      await poll(() => row.count()).toBe(1);
      await screenshot(admin, 'team-table-desk');
      await admin.getByRole('button', { name: 'Disable Kurt Gödel' }).click();
      const confirm = admin.getByRole('dialog', { name: 'Disable Kurt Gödel?' });
      await confirm.getByRole('button', { name: 'Disable' }).click();
      await poll(() => admin.locator('.form-message').textContent()).toBe('Kurt Gödel is disabled.');
      await poll(() => row.locator('.badge-locked').textContent()).toBe('Disabled');

      const notice = agent.getByRole('alertdialog');
      await poll(() => notice.textContent()).toContain(de['common.ended.disabled']);
      expect(await notice.textContent()).toContain(de['common.ended.title']);
      expect(await overflowX(agent)).toBe(0);
      await screenshot(agent, 'team-disabled-notice-phone-de');
      // The visitor's conversation is back in the queue.
      await arrived(visitor.socket, 'conversation', (c) => c.status === 'queued');

      // Enabled again, with a new password from the dashboard.
      await admin.getByRole('button', { name: 'Enable Kurt Gödel' }).click();
      await poll(() => admin.locator('.form-message').textContent()).toBe('Kurt Gödel can sign in again.');
      await admin.getByRole('button', { name: 'Reset the password of Kurt Gödel' }).click();
      await admin.getByRole('dialog', { name: 'Reset the password of Kurt Gödel?' }).getByRole('button', { name: 'Reset password' }).click();
      const shown = admin.getByRole('dialog', { name: 'New password for Kurt Gödel' });
      await poll(() => shown.locator('#new-password').textContent()).toMatch(/^[A-Za-z0-9_-]{16}$/);
      const password = (await shown.locator('#new-password').textContent())!;
      await screenshot(admin, 'team-new-password-desk');
      await shown.getByRole('button', { name: 'Done' }).click();

      await notice.getByRole('link').click();
      await agent.waitForURL(/\/login/);
      await login(agent, app.url, 'kurt@example.com', password);
      await agent.waitForURL(`${app.url}/agent`);
      await poll(() => agent.locator('.queue-item').count()).toBe(1);

      // The dashboard's team table on a phone: every action reachable, nothing sideways.
      await admin.setViewportSize(PHONE);
      await poll(() => overflowX(admin)).toBe(0);
      await admin.locator('#team-heading').scrollIntoViewIfNeeded();
      await screenshot(admin, 'team-table-phone');
    } finally {
      await adminContext.close();
      await agentContext.close();
    }
  });
});
