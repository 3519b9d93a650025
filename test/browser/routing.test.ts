// [E2E-ROUTE] Routing in Chromium: an admin switches the team to automatic routing and sets an
// agent's limit on the dashboard's Settings page (at 1280 and 375 px); a visitor's conversation is
// then assigned to that agent, whose console (tab in the background) shows it with a desktop
// notification and a chime. Screenshots in test-results/screenshots/.

import { describe, expect, it } from 'vitest';
import { ok } from '../helpers/clients.ts';
import { OBSERVE_ALERTS, poll, screenshot, signIn, useBrowser, watch } from '../helpers/browser.ts';
import { waitingVisitor } from '../helpers/console.ts';
import { DESK, overflowX, PHONE } from '../helpers/layout.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

declare const window: { __notes: string[]; __hidden: boolean; __chimes: number };

describe('[E2E-ROUTE] routing settings and an automatic assignment', () => {
  it('[E2E-ROUTE1] the admin turns on automatic routing with a limit for Ann; a new conversation reaches Ann’s console with a notification and a chime', { timeout: 90_000 }, async () => {
    const app = await startApp();
    const adminContext = await browser().newContext({ viewport: DESK });
    const agentContext = await browser().newContext({ viewport: DESK });
    await agentContext.addInitScript(OBSERVE_ALERTS);
    try {
      const ann = await signIn(agentContext, app, { email: 'ann@example.com', name: 'Ann Agent' });
      const admin = await signIn(adminContext, app, { email: 'root@example.com', name: 'Root Admin', role: 'admin' }, '/admin');
      const watched = [watch(ann), watch(admin)];
      // A gesture lets the console play sound; then the tab goes to the background.
      await ann.locator('body').click();
      await ann.evaluate(() => (window.__hidden = true));

      await admin.getByRole('link', { name: 'Settings' }).click();
      await poll(() => admin.getByRole('heading', { name: 'Settings', level: 1 }).isVisible()).toBe(true);
      await poll(() => admin.getByLabel('Limit for Ann Agent').isVisible()).toBe(true);
      expect(await admin.getByRole('radio', { name: /Manual/ }).isChecked()).toBe(true);
      await admin.getByRole('radio', { name: /Automatic/ }).check();
      // A problem is said next to the field, and nothing is sent.
      await admin.getByLabel('Limit for Ann Agent').fill('0');
      await poll(() => admin.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
      await poll(() => admin.locator('.settings .field-problem').first().textContent()).toBe('Enter a whole number from 1 to 100.');
      await admin.getByLabel('Limit for Ann Agent').fill('2');
      await screenshot(admin, 'routing-settings-desk');
      await admin.getByRole('button', { name: 'Save settings' }).click();
      await poll(() => admin.locator('.settings .form-message').textContent()).toBe('Saved.');
      expect((await app.store.getAgentByEmail('ann@example.com'))!.capacity).toBe(2);
      expect(await (await app.http('/api/settings', { cookie: await adminCookie(adminContext) })).json()).toMatchObject({ settings: { routingMode: 'auto' } });

      const visitor = await waitingVisitor(app, 'Hello, is anyone there?');
      await poll(() => app.store.getConversation(visitor.conversationId).then((c) => c?.agentId)).toBe((await app.store.getAgentByEmail('ann@example.com'))!.id);
      await poll(() => ann.locator('.mine-item').count()).toBe(1);
      // The queue's "a visitor is waiting" may come first; both carry the conversation as their tag, so the assignment's replaces it on screen.
      await poll(() => ann.evaluate(() => window.__notes.at(-1))).toBe(`Conversation assigned to you: ${visitor.visitor.name}`);
      expect(await ann.evaluate(() => window.__chimes)).toBeGreaterThanOrEqual(2);
      expect(watched.flatMap((w) => [...w.errors, ...w.dialogs])).toEqual([]);
    } finally {
      await adminContext.close();
      await agentContext.close();
    }
  });

  it('[E2E-ROUTE2] the Settings page on a phone: nothing to scroll sideways, every field reachable', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: PHONE });
    try {
      await app.app.accounts.createAgent({ email: 'bo@example.com', name: 'Bo Agent', password: 'pw-bo-secret-123', role: 'agent' });
      const admin = await signIn(context, app, { email: 'root@example.com', name: 'Root Admin', role: 'admin' }, '/admin');
      await admin.goto(`${app.url}/admin#settings`);
      await poll(() => admin.getByLabel('Limit for Bo Agent').isVisible()).toBe(true);
      expect(await overflowX(admin)).toBeLessThanOrEqual(0);
      await admin.getByLabel('Conversations per agent').fill('4');
      await poll(() => admin.getByLabel('Limit for Bo Agent').getAttribute('placeholder')).toBe('4');
      // Email: off on this server (no SMTP_URL), said so; the follow-up delay is still the team's to set.
      expect(await admin.getByTestId('email-status').textContent()).toContain('Email is off');
      const delay = admin.getByLabel('Email unread replies after (minutes)');
      expect(await delay.inputValue()).toBe('3');
      await delay.fill('10');
      await admin.getByRole('button', { name: 'Save settings' }).click();
      await poll(() => admin.locator('.settings .form-message').textContent()).toBe('Saved.');
      expect(await overflowX(admin)).toBeLessThanOrEqual(0);
      await admin.getByTestId('email-status').scrollIntoViewIfNeeded();
      await screenshot(admin, 'routing-settings-phone');
      expect(await (await app.http('/api/settings', { cookie: await adminCookie(context) })).json()).toMatchObject({
        settings: { defaultCapacity: 4, routingMode: 'manual', emailFollowUpDelayMs: 600_000 },
      });
    } finally {
      await context.close();
    }
  });
});

describe('[E2E-ROUTE] away by itself', () => {
  it('[E2E-ROUTE3] a console left alone for the team’s idle time sets its agent away (no new conversations); the next pointer move sets them online, and the waiting one comes', { timeout: 60_000 }, async () => {
    const app = await startApp({ env: { ROUTING: 'auto', AWAY_AFTER_MS: '1500' } });
    const context = await browser().newContext({ viewport: DESK });
    try {
      const ann = await signIn(context, app, { email: 'ann@example.com', name: 'Ann Agent' });
      const annId = (await app.store.getAgentByEmail('ann@example.com'))!.id;
      const { socket: admin } = await app.admin('websocket', 'root@example.com');
      const statusOf = async () => (await ok(admin, 'online:get')).agents.find((a) => a.id === annId)?.status;
      // (Not polled for 'online' first: on a busy machine the 1.5 s can pass before the first look.)
      // Nothing happens in the console: away, on the page and for the team.
      await poll(() => ann.locator('#agent-status').inputValue()).toBe('away');
      await poll(statusOf).toBe('away');
      const waiting = await waitingVisitor(app, 'Anyone?');
      expect((await app.store.getConversation(waiting.conversationId))!.status).toBe('queued');
      // Back at the desk: online again, and routing gives Ann the waiting conversation.
      await ann.mouse.move(200, 200);
      await ann.mouse.move(260, 240);
      await poll(() => ann.locator('#agent-status').inputValue()).toBe('online');
      await poll(() => app.store.getConversation(waiting.conversationId).then((c) => c?.agentId)).toBe(annId);
      // Chosen by the agent, away stays: activity does not undo it.
      await ann.locator('#agent-status').selectOption('away');
      await ann.mouse.move(300, 300);
      await poll(statusOf).toBe('away');
      await ann.mouse.move(320, 320);
      expect(await ann.locator('#agent-status').inputValue()).toBe('away');
    } finally {
      await context.close();
    }
  });
});

async function adminCookie(context: import('playwright-core').BrowserContext): Promise<string> {
  const sid = (await context.cookies()).find((c) => c.name === 'parley.sid');
  if (!sid) throw new Error('no session cookie');
  return `parley.sid=${sid.value}`;
}
