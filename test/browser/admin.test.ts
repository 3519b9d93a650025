// [E2E-ADMIN] The dashboard is live: agents with status and load, visitors
// with their page, the queue; and an admin creates an agent who can sign in.

import { describe, expect, it } from 'vitest';
import { arrived, ok } from '../helpers/clients.ts';
import { poll, screenshot, signIn, useBrowser, watch } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

describe('[E2E-ADMIN] admin dashboard', () => {
  it('[E2E-ADMIN1] shows who is online and the queue live, and creates agents', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: { width: 1280, height: 960 } });
    try {
      const admin = await signIn(context, app, { email: 'boss@example.com', name: 'Barbara Liskov', role: 'admin' }, '/admin');
      const adminWatch = watch(admin);
      await poll(() => admin.locator('tr[data-agent]').count()).toBe(0);

      // An agent comes online, then goes away; the table follows.
      const agent = await app.agent('websocket', 'alan@example.com', { name: 'Alan Turing' });
      const agentRow = admin.locator(`tr[data-agent="${agent.agent.id}"]`);
      await poll(() => agentRow.locator('.status').textContent()).toBe('online');
      await poll(() => admin.locator('.feed').textContent()).toContain('Agent Alan Turing came online');

      // Two visitors write; one of them is claimed.
      const ada = await app.visitor('polling');
      ada.socket.emit('page:view', { url: 'https://shop.example.com/pricing', title: 'Pricing — Example Shop' });
      await ok(ada.socket, 'message:send', { clientId: 'v1', body: 'Do you offer yearly plans?' });
      const bob = await app.visitor('websocket');
      bob.socket.emit('page:view', { url: 'https://shop.example.com/checkout', title: 'Checkout' });
      await ok(bob.socket, 'message:send', { clientId: 'v1', body: 'My card was declined' });
      await poll(() => admin.locator('.stat-value').nth(2).textContent()).toBe('2');
      await poll(() => admin.locator('tr[data-visitor]').count()).toBe(2);
      await poll(() => admin.locator(`tr[data-visitor="${ada.visitor.id}"] .page-title-text`).textContent()).toBe('Pricing — Example Shop');
      await poll(() => admin.locator('.stat-value').nth(3).textContent()).not.toBe('—');

      const queue = await arrived(agent.socket, 'queue');
      const first = queue.conversations[0] ?? (await arrived(agent.socket, 'queue:add'));
      await ok(agent.socket, 'conversation:claim', { conversationId: first.id });
      await poll(() => agentRow.locator('td').nth(2).textContent()).toBe('1');
      await poll(() => admin.locator('.stat-value').nth(2).textContent()).toBe('1');
      await ok(agent.socket, 'status:set', { status: 'away' });
      await poll(() => agentRow.locator('.status').textContent()).toBe('away');
      await screenshot(admin, 'dashboard');

      // A new teammate, created from the dashboard, signs in.
      await admin.getByLabel('Name').fill('Katherine Johnson');
      await admin.getByLabel('Email').fill('katherine@example.com');
      await admin.getByLabel('Password (8+ characters)').fill('orbit-1962-secret');
      await admin.getByRole('button', { name: 'Create account' }).click();
      await poll(() => admin.locator('.form-message').textContent()).toContain('Katherine Johnson can now sign in');
      await poll(() => admin.locator('.table').last().textContent()).toContain('katherine@example.com');
      await admin.getByLabel('Email').fill('katherine@example.com');
      await admin.getByLabel('Name').fill('Someone Else');
      await admin.getByLabel('Password (8+ characters)').fill('another-secret');
      await admin.getByRole('button', { name: 'Create account' }).click();
      await poll(() => admin.locator('.form-message').textContent()).toBe('That email is already in use.');

      const other = await browser().newContext();
      const page = await other.newPage();
      await page.goto(`${app.url}/login`);
      await page.getByLabel('Email').fill('katherine@example.com');
      await page.getByLabel('Password').fill('orbit-1962-secret');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${app.url}/agent`);
      await poll(() => page.locator('.queue-item').count()).toBe(1);
      // Agents are not admins: /admin sends them back to the console.
      await page.goto(`${app.url}/admin`);
      expect(new URL(page.url()).pathname).toBe('/agent');
      await other.close();
      await poll(() => admin.locator('.feed').textContent()).toContain('Agent Katherine Johnson came online');
      expect([...adminWatch.errors, ...adminWatch.dialogs]).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
