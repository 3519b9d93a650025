// [E2E-TOOLS] Canned replies, the visitor's context and the satisfaction rating, used as their users
// would in Chromium: the agent types `/` and sends a reply with the visitor's name filled in, sees
// the visitor's earlier conversation and browser in the context panel, closes; the visitor rates in
// the widget and the agent sees the rating (and its change) live.

import { describe, expect, it } from 'vitest';
import { ok } from '../helpers/clients.ts';
import { poll, screenshot, signIn, transcript, useBrowser, watch } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

describe('[E2E-TOOLS] agent tools in the console and the widget', () => {
  it('[E2E-TOOLS1] `/` inserts a canned reply with the name filled in; the context panel; the rating flow', { timeout: 90_000 }, async () => {
    const app = await startApp();
    await app.store.createCannedReply({ ownerId: null, shortcut: 'hello', body: 'Hi {{visitor.name}}, this is {{agent.name}}. How can I help?', max: 200 });
    await app.store.createCannedReply({ ownerId: null, shortcut: 'bye', body: 'Thanks for chatting, {{visitor.name}}!', max: 200 });
    const visitorContext = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    const agentContext = await browser().newContext({ viewport: { width: 1280, height: 820 } });
    try {
      // The visitor's page: the chat opens its session; an earlier conversation of theirs, held by a
      // teammate over the protocol, is closed before they write again.
      const visitor = await visitorContext.newPage();
      const visitorWatch = watch(visitor);
      await visitor.goto(`${app.url}/chat`);
      const sid = await poll(async () => (await visitorContext.cookies(app.url)).find((c) => c.name === 'parley.sid')).toBeTruthy();
      void sid;
      const cookie = (await visitorContext.cookies(app.url)).find((c) => c.name === 'parley.sid')!;
      const side = await app.visitor('websocket', `parley.sid=${cookie.value}`);
      await ok(side.socket, 'profile:update', { name: 'Grace' });
      const earlier = (await ok(side.socket, 'message:send', { clientId: 'old-1', body: 'Last week my parcel was late' })).message.conversationId;
      const teammate = await app.agent('websocket', 'teammate@example.com');
      await ok(teammate.socket, 'conversation:claim', { conversationId: earlier });
      await ok(teammate.socket, 'conversation:close', { conversationId: earlier });
      side.socket.close();
      await visitor.reload();

      const box = visitor.getByRole('textbox', { name: 'Message' });
      await box.fill('Hello again, where is my order?');
      await box.press('Enter');
      await poll(() => visitor.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');

      const agent = await signIn(agentContext, app, { email: 'ada@example.com', name: 'Ada' });
      const agentWatch = watch(agent);
      await agent.locator('.queue-item').first().getByRole('button', { name: /claim/i }).click();
      const composer = agent.getByRole('textbox', { name: /Reply to/ });
      await poll(() => composer.isEnabled()).toBe(true);

      // The context panel: the earlier conversation (opens read-only), browser and OS, local time.
      const panel = agent.locator('.context');
      await poll(() => panel.locator('.earlier-open').count()).toBe(1);
      await poll(() => panel.locator('[data-field="browser"]').textContent()).toMatch(/Chrome \d+ · Linux/);
      await poll(() => panel.locator('.page-list li').count()).toBeGreaterThan(0);
      await panel.locator('.earlier-open').click();
      const dialog = agent.getByRole('dialog');
      await poll(() => dialog.locator('.earlier-body').allTextContents()).toEqual(['Last week my parcel was late']);
      await dialog.getByRole('button', { name: 'Close' }).click();
      await poll(() => agent.getByRole('dialog').count()).toBe(0);

      // `/` opens the list; typing filters it; Escape closes it and keeps the text.
      await composer.click();
      await composer.pressSequentially('/');
      await poll(() => agent.locator('.canned-option').count()).toBe(2);
      await composer.pressSequentially('by');
      await poll(() => agent.locator('.canned-option .canned-shortcut').allTextContents()).toEqual(['/bye']);
      await composer.press('Escape');
      await poll(() => agent.locator('.canned-picker').count()).toBe(0);
      expect(await composer.inputValue()).toBe('/by');
      // Not after a letter: "a/" opens nothing.
      await composer.fill('');
      await composer.pressSequentially('a/');
      expect(await agent.locator('.canned-picker').count()).toBe(0);
      await composer.fill('');
      // Arrows and Enter: down to the second, up back to the first, Enter inserts it, filled in.
      await composer.pressSequentially('/');
      await poll(() => agent.locator('.canned-option').count()).toBe(2);
      await composer.press('ArrowDown');
      await poll(() => agent.locator('.canned-option.active .canned-shortcut').textContent()).toBe('/hello');
      await composer.press('ArrowUp');
      await poll(() => agent.locator('.canned-option.active .canned-shortcut').textContent()).toBe('/bye');
      await composer.press('ArrowDown');
      await screenshot(agent, 'agent-tools-canned-1280');
      await composer.press('Enter');
      await poll(() => composer.inputValue()).toBe('Hi Grace, this is Ada. How can I help?');
      await composer.press('Enter');
      await poll(() => transcript(visitor)).toContain('Hi Grace, this is Ada. How can I help?');
      await screenshot(agent, 'agent-tools-context-1280');

      // The agent closes; the widget asks for a rating; the console shows it live, and its change.
      await agent.locator('.pane-actions').getByRole('button', { name: 'Close' }).click();
      await agent.getByRole('dialog').getByRole('button', { name: 'Close conversation' }).click();
      const card = visitor.locator('.csat-card');
      await poll(() => card.isVisible()).toBe(true);
      await screenshot(visitor, 'agent-tools-rating-1280');
      await card.getByRole('button', { name: 'Okay' }).click();
      await card.getByRole('textbox', { name: 'Comment (optional)' }).fill('Quick, but <b>no tracking link</b>');
      await card.getByRole('button', { name: 'Send rating' }).click();
      await poll(() => card.locator('.csat-thanks').textContent()).toBe('Thank you for your feedback! Your rating: Okay.');
      const badge = agent.locator('.csat-badge');
      await poll(() => badge.getAttribute('data-csat')).toBe('okay');
      // The comment is text, never markup.
      await poll(() => badge.locator('.csat-comment').textContent()).toBe('Quick, but <b>no tracking link</b>');
      expect(await badge.locator('b').count()).toBe(0);
      await card.getByRole('button', { name: 'Change my rating' }).click();
      await card.getByRole('button', { name: 'Good' }).click();
      await card.getByRole('button', { name: 'Send rating' }).click();
      await poll(() => badge.getAttribute('data-csat')).toBe('good');
      // After a reload the widget remembers the rating instead of asking again.
      await visitor.reload();
      await poll(() => visitor.locator('.csat-card .csat-thanks').textContent()).toBe('Thank you for your feedback! Your rating: Good.');
      await screenshot(agent, 'agent-tools-csat-1280');

      // The admin's dashboard counts it: one rating, good.
      const adminContext = await browser().newContext({ viewport: { width: 1280, height: 820 } });
      try {
        const admin = await signIn(adminContext, app, { email: 'lead@example.com', name: 'Lead', role: 'admin' }, '/admin');
        const figure = admin.locator('.csat-card');
        await poll(() => figure.locator('.csat-score').textContent()).toBe('100% good');
        expect(await figure.locator('[data-rating="good"]').textContent()).toContain('Good: 1');
        await screenshot(admin, 'agent-tools-dashboard-1280');
      } finally {
        await adminContext.close();
      }

      // On a phone: the same pieces in one column.
      await visitor.setViewportSize({ width: 375, height: 700 });
      await screenshot(visitor, 'agent-tools-rating-375');
      await agent.setViewportSize({ width: 375, height: 740 });
      await agent.locator('.details-button').click();
      await screenshot(agent, 'agent-tools-context-375');
      expect(visitorWatch.errors).toEqual([]);
      expect(agentWatch.errors).toEqual([]);
      expect(agentWatch.dialogs).toEqual([]);
    } finally {
      await visitorContext.close();
      await agentContext.close();
    }
  });
});

describe('[E2E-TOOLS] managing canned replies', () => {
  it('[E2E-TOOLS2] an admin adds, edits and deletes team and personal replies; an agent may only change their own', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const adminContext = await browser().newContext({ viewport: { width: 1280, height: 820 } });
    const agentContext = await browser().newContext({ viewport: { width: 1280, height: 820 } });
    try {
      const admin = await signIn(adminContext, app, { email: 'lead@example.com', name: 'Lead', role: 'admin' });
      const adminWatch = watch(admin);
      await admin.getByRole('button', { name: 'Canned replies' }).click();
      const dialog = admin.getByRole('dialog', { name: 'Canned replies' });
      const add = async (scope: 'Team' | 'Only me', shortcut: string, body: string) => {
        await dialog.getByRole('button', { name: 'Add a reply' }).click();
        await dialog.getByLabel('Who can use it').selectOption({ label: scope });
        await dialog.getByLabel('Shortcut').fill(shortcut);
        await dialog.getByLabel('Reply', { exact: true }).fill(body);
        await dialog.getByRole('button', { name: 'Save' }).click();
      };
      await add('Team', 'shipping', 'Orders ship within two days, {{visitor.name}}.');
      await add('Only me', 'sig', '— {{agent.name}}');
      await poll(() => dialog.locator('.canned-manage-item').count()).toBe(2);
      // A second reply with a taken shortcut is refused, with a reason.
      await add('Team', 'SHIPPING', 'again');
      await poll(() => dialog.getByRole('alert').textContent()).toBe('A reply with this shortcut exists already.');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.getByRole('button', { name: 'Edit /sig' }).click();
      await dialog.getByLabel('Reply', { exact: true }).fill('Best, {{agent.name}}');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await poll(() => dialog.locator('[data-shortcut="sig"] .canned-body').textContent()).toBe('Best, {{agent.name}}');
      await screenshot(admin, 'agent-tools-manage-1280');
      await dialog.getByRole('button', { name: 'Delete /sig' }).click();
      await poll(() => dialog.locator('.canned-manage-item').count()).toBe(1);

      // An agent sees the team's reply but no way to change it, and manages their own.
      const agent = await signIn(agentContext, app, { email: 'ann@example.com', name: 'Ann' });
      await agent.getByRole('button', { name: 'Canned replies' }).click();
      const mine = agent.getByRole('dialog', { name: 'Canned replies' });
      await poll(() => mine.locator('[data-shortcut="shipping"]').count()).toBe(1);
      expect(await mine.getByRole('button', { name: 'Edit /shipping' }).count()).toBe(0);
      await mine.getByRole('button', { name: 'Add a reply' }).click();
      // Only admins choose the team: an agent's replies are personal.
      expect(await mine.getByLabel('Who can use it').count()).toBe(0);
      await mine.getByLabel('Shortcut').fill('thanks');
      await mine.getByLabel('Reply', { exact: true }).fill('Thank you!');
      await mine.getByRole('button', { name: 'Save' }).click();
      await poll(() => mine.locator('[data-shortcut="thanks"]').count()).toBe(1);
      const ann = (await app.store.getAgentByEmail('ann@example.com'))!;
      expect((await app.store.listCannedReplies(ann.id)).map((r) => [r.ownerId === null ? 'team' : 'personal', r.shortcut])).toEqual([
        ['team', 'shipping'],
        ['personal', 'thanks'],
      ]);
      expect(adminWatch.errors).toEqual([]);
    } finally {
      await adminContext.close();
      await agentContext.close();
    }
  });
});
