// [E2E-CONSOLE-FIX] Console defects users reported, each checked on a desk
// (1280 px) and on a phone (375 px): stale queue positions (1), a claim while
// previewing said to be a teammate's (4), previews, names, receipts and notes
// (9), transfer, close, toasts and headings (11), and the phone layout (8).

import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { arrived, ok } from '../helpers/clients.ts';
import { poll, signIn, useBrowser, watch } from '../helpers/browser.ts';
import { DESK, onScreen, overflowX, overlap, PHONE, placeholderFits, smallFields, TABLET } from '../helpers/layout.ts';
import { showList, waitingVisitor } from '../helpers/console.ts';
import { startApp, type TestApp } from '../helpers/start-app.ts';

const browser = useBrowser();
const ANN = { email: 'ann@example.com', name: 'Ann Agent' };

async function setup(viewport: { width: number; height: number }): Promise<{ app: TestApp; context: BrowserContext; page: Page }> {
  const app = await startApp();
  const context = await browser().newContext({ viewport });
  const page = await signIn(context, app, ANN);
  return { app, context, page };
}

const positions = (page: Page) => page.locator('.queue-item .position').allTextContents().then((all) => all.map((t) => t.match(/#\d+/)?.[0]));
const queueNames = (page: Page) => page.locator('.queue-item .item-name').allTextContents();

describe.each([
  ['desk', DESK],
  ['phone', PHONE],
])('[E2E-CONSOLE-FIX] on a %s', (_label, viewport) => {
  it('[E2E-CONSOLE-FIX1] queue positions move up when a waiting conversation is claimed (#1)', { timeout: 60_000 }, async () => {
    const { app, context, page } = await setup(viewport);
    try {
      const [v1, v2, v3] = [await waitingVisitor(app, 'one'), await waitingVisitor(app, 'two'), await waitingVisitor(app, 'three')];
      await poll(() => positions(page)).toEqual(['#1', '#2', '#3']);
      // The queue's rule is said, so a conversation sent back ahead of later ones is no surprise (#10).
      expect(await page.locator('[data-testid="queue-rule"]').textContent()).toContain('keeps its place');
      const ben = await app.agent('websocket', 'ben@example.com', { name: 'Ben' });
      const moved = arrived(v3.socket, 'conversation', (c) => c.queuePosition === 2);
      await ok(ben.socket, 'conversation:claim', { conversationId: v1.conversationId });
      await moved;
      await poll(() => queueNames(page)).toEqual([v2.visitor.name, v3.visitor.name]);
      await poll(() => positions(page)).toEqual(['#1', '#2']);
    } finally {
      await context.close();
    }
  });

  it('[E2E-CONSOLE-FIX2] claiming the conversation one is previewing is no teammate\'s claim (#4)', { timeout: 60_000 }, async () => {
    const { app, context, page } = await setup(viewport);
    try {
      const v = await waitingVisitor(app, 'Hello, anyone?');
      await page.locator('.queue-item .item-main').first().click();
      await page.locator('.claim-bar').getByRole('button', { name: 'Claim conversation' }).click();
      const reply = page.getByRole('textbox', { name: `Reply to ${v.visitor.name}` });
      await poll(() => reply.isEnabled()).toBe(true);
      // The server's queue:remove comes before the claim's answer: had it made a note, it would be here by now.
      expect(await page.locator('.pane-note').count()).toBe(0);
      await poll(() => page.locator('.mine-item').count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('[E2E-CONSOLE-FIX3] previews after a reload and after a transfer, names in the queue, Seen with its time, notes in view (#9)', { timeout: 90_000 }, async () => {
    const { app, context, page } = await setup(viewport);
    try {
      // Reload: the preview is the latest message, not blank.
      const v1 = await waitingVisitor(app, 'first question');
      await page.locator('.queue-item', { hasText: v1.visitor.name }).getByRole('button', { name: /claim/i }).click();
      const reply = page.getByRole('textbox', { name: `Reply to ${v1.visitor.name}` });
      await reply.fill('One moment');
      await reply.press('Enter');
      await reply.fill('Checking that for you');
      await reply.press('Enter');
      await poll(() => page.locator('.msg-mine[data-id]').count()).toBe(2);
      // The visitor reads both and answers: the receipt on the agent's newest message shows with its time.
      v1.socket.emit('read', { seq: 3 });
      await ok(v1.socket, 'message:send', { clientId: 'c2', body: 'second question' });
      const seen = page.locator('.msg-mine[data-status="seen"]');
      await poll(() => seen.count()).toBe(1);
      expect(await seen.locator('time').isVisible()).toBe(true);
      expect(await seen.locator('.msg-meta').textContent()).toMatch(/\d.*· Seen/);

      await page.reload();
      await showList(page);
      await poll(() => page.locator('.mine-item .item-preview').textContent()).toBe('second question');

      // Transfer: the preview is the newest message, not the one seen while it waited.
      const ben = await app.agent('websocket', 'ben@example.com', { name: 'Ben' });
      const v2 = await waitingVisitor(app, 'old message');
      await poll(() => page.locator('.queue-item .item-preview').textContent()).toBe('old message');
      await ok(ben.socket, 'conversation:claim', { conversationId: v2.conversationId });
      await ok(v2.socket, 'message:send', { clientId: 'c2', body: 'newer message' });
      await ok(ben.socket, 'message:send', { conversationId: v2.conversationId, clientId: 'b1', body: 'Handing you to Ann' });
      const ann = (await app.store.getAgentByEmail(ANN.email))!;
      await ok(ben.socket, 'conversation:transfer', { conversationId: v2.conversationId, agentId: ann.id });
      await showList(page);
      const v2Item = page.locator('.mine-item', { hasText: v2.visitor.name });
      await poll(() => v2Item.locator('.item-preview').textContent()).toBe('Ben: Handing you to Ann');

      // A long conversation read to its end: the closing note shows without scrolling.
      for (let i = 1; i <= 30; i++) await ok(v1.socket, 'message:send', { clientId: `long-${i}`, body: `line ${i}` });
      await page.locator('.mine-item', { hasText: v1.visitor.name }).locator('.item-main').click();
      await poll(() => page.locator('.pane .msg-body').last().textContent()).toBe('line 30');
      await page.getByRole('button', { name: 'Close', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Close conversation' }).click();
      const note = page.locator('.pane .msg-system', { hasText: 'closed' });
      await poll(() => note.count()).toBe(1);
      await poll(() => inView(page, '.pane .msg-list', '.pane .msg-system')).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('[E2E-CONSOLE-FIX4] a visitor who gives their name while waiting is shown by it in the queue (#9)', { timeout: 60_000 }, async () => {
    const { app, context, page } = await setup(viewport);
    try {
      const v = await waitingVisitor(app, 'hi');
      await poll(() => queueNames(page)).toEqual([v.visitor.name]);
      await ok(v.socket, 'profile:update', { name: 'Grace Hopper' });
      await poll(() => queueNames(page)).toEqual(['Grace Hopper']);
    } finally {
      await context.close();
    }
  });

  it('[E2E-CONSOLE-FIX5] transfer lists the team from /api/team with statuses and confirms an offline pick; Close asks first; toasts stay clear of the composer; the page has an h1 (#11)', { timeout: 90_000 }, async () => {
    const { app, context, page } = await setup(viewport);
    const refused: string[] = [];
    page.on('response', (res) => {
      if (res.status() === 403 || new URL(res.url()).pathname === '/api/agents') refused.push(`${res.status()} ${res.url()}`);
    });
    const pageWatch = watch(page);
    try {
      // Polled: the console renders once its first requests are answered, after the sign-in's redirect.
      await poll(() => page.getByRole('heading', { level: 1 }).count()).toBe(1);
      const ben = await app.agent('websocket', 'ben@example.com', { name: 'Ben' });
      // An admin at the desk but away: listed (admins take conversations too), with that status.
      const cleo = await app.agent('websocket', 'cleo@example.com', { name: 'Cleo Admin', role: 'admin' });
      await ok(cleo.socket, 'status:set', { status: 'away' });
      await app.login('dan@example.com', { name: 'Dan' });
      const v1 = await waitingVisitor(app, 'first');
      const v2 = await waitingVisitor(app, 'second');
      await page.locator('.queue-item', { hasText: v1.visitor.name }).getByRole('button', { name: /claim/i }).click();
      const composer = page.locator('.composer');
      await poll(() => composer.isVisible()).toBe(true);

      // A conversation handed to Ann while she writes in another: the toast does not cover the reply box.
      await ok(ben.socket, 'conversation:claim', { conversationId: v2.conversationId });
      const ann = (await app.store.getAgentByEmail(ANN.email))!;
      await ok(ben.socket, 'conversation:transfer', { conversationId: v2.conversationId, agentId: ann.id });
      const toast = page.locator('.toast', { hasText: 'was assigned to you' });
      await poll(() => toast.isVisible()).toBe(true);
      expect(await overlap(toast, composer)).toBe(false);
      expect(await onScreen(toast)).toBe(true);

      // Transfer: everyone but Ann, admins included, each with a status; an offline pick is confirmed.
      await page.getByRole('button', { name: 'Transfer…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Transfer conversation' });
      await poll(() => dialog.locator('.team-option').allTextContents()).toEqual(['BenOnline', 'Cleo AdminadminAway', 'DanOffline']);
      await dialog.getByRole('radio', { name: /Dan/ }).check();
      await dialog.getByRole('button', { name: 'Transfer', exact: true }).click();
      await poll(() => dialog.getByRole('alert').textContent()).toContain('Dan is offline');
      await dialog.getByRole('button', { name: 'Transfer anyway' }).click();
      await poll(() => page.locator('.toast', { hasText: 'Transferred to Dan.' }).count()).toBe(1);

      // Close asks first; Cancel keeps the conversation open.
      await showList(page);
      await page.locator('.mine-item', { hasText: v2.visitor.name }).locator('.item-main').click();
      await page.getByRole('button', { name: 'Close', exact: true }).click();
      const confirm = page.getByRole('dialog', { name: 'Close this conversation?' });
      await poll(() => confirm.isVisible()).toBe(true);
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await poll(() => confirm.count()).toBe(0);
      expect(await page.locator('.pane-status').textContent()).not.toBe('Closed');
      await page.getByRole('button', { name: 'Close', exact: true }).click();
      await confirm.getByRole('button', { name: 'Close conversation' }).click();
      await poll(() => page.locator('.pane-status').textContent()).toBe('Closed');
      expect(refused).toEqual([]);
      expect([...pageWatch.errors, ...pageWatch.dialogs]).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('[E2E-CONSOLE-FIX6] fits the screen: no sideways scrolling, every control on screen, details reachable, 16 px fields on phones (#8)', { timeout: 60_000 }, async () => {
    const { app, context, page } = await setup(viewport);
    try {
      const v = await waitingVisitor(app, 'Can you help me with my order?');
      v.socket.emit('page:view', { url: 'https://shop.example.com/orders/42', title: 'Your order' });
      await poll(() => page.locator('.queue-item').count()).toBe(1);
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
      for (const control of [page.getByLabel('Your status'), page.getByRole('button', { name: 'Sign out' })]) expect(await onScreen(control)).toBe(true);

      await page.locator('.queue-item').getByRole('button', { name: /claim/i }).click();
      const reply = page.getByRole('textbox', { name: `Reply to ${v.visitor.name}` });
      await poll(() => reply.isVisible()).toBe(true);
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
      for (const name of ['Release', 'Transfer…', 'Close']) expect(await onScreen(page.getByRole('button', { name, exact: true }))).toBe(true);
      expect(await onScreen(page.getByRole('button', { name: 'Send message' }))).toBe(true);
      expect(await placeholderFits(reply)).toBe(true);

      // The visitor's details: beside the conversation on a desk, one tap away on a phone.
      const details = page.getByRole('complementary', { name: 'Visitor details' });
      if (!(await details.isVisible())) await page.getByRole('button', { name: `Details about ${v.visitor.name}` }).click();
      await poll(() => details.textContent()).toContain('Your order');
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
      if (viewport.width < 720) {
        expect(await smallFields(page)).toEqual([]);
        await page.getByRole('button', { name: 'Back to conversation' }).click();
        await poll(() => reply.isVisible()).toBe(true);
        await page.getByRole('button', { name: 'Back to conversations' }).click();
        await poll(() => page.locator('.mine-item').isVisible()).toBe(true);
      }
    } finally {
      await context.close();
    }
  });
});

describe('[E2E-CONSOLE-FIX] on a tablet', () => {
  it('[E2E-CONSOLE-FIX7] at 768 px the details are reachable and the reply box placeholder is not cut off (#8)', { timeout: 60_000 }, async () => {
    const { app, context, page } = await setup(TABLET);
    try {
      const v = await waitingVisitor(app, 'Hi');
      await page.locator('.queue-item').getByRole('button', { name: /claim/i }).click();
      const reply = page.getByRole('textbox', { name: `Reply to ${v.visitor.name}` });
      await poll(() => reply.isVisible()).toBe(true);
      expect(await placeholderFits(reply)).toBe(true);
      expect(await smallFields(page)).toEqual([]);
      await page.getByRole('button', { name: `Details about ${v.visitor.name}` }).click();
      await poll(() => page.getByRole('complementary', { name: 'Visitor details' }).isVisible()).toBe(true);
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
    } finally {
      await context.close();
    }
  });
});

describe('[E2E-CONSOLE-FIX] the visitor chat', () => {
  it('[E2E-CONSOLE-FIX8] a note (agent left) after a long transcript read to its end is shown without scrolling (#9)', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const context = await browser().newContext({ viewport: PHONE });
    try {
      const chat = await context.newPage();
      await chat.goto(`${app.url}/chat`);
      const input = chat.getByRole('textbox', { name: 'Message' });
      await input.fill('Hello there');
      await input.press('Enter');
      const ben = await app.agent('websocket', 'ben@example.com', { name: 'Ben' });
      const waiting = (await arrived(ben.socket, 'queue', (q) => q.conversations.length > 0)).conversations[0];
      await ok(ben.socket, 'conversation:claim', { conversationId: waiting.id });
      for (let i = 1; i <= 30; i++) await ok(ben.socket, 'message:send', { conversationId: waiting.id, clientId: `b${i}`, body: `answer ${i}` });
      await poll(() => chat.locator('.msg-body').last().textContent()).toBe('answer 30');
      await ok(ben.socket, 'conversation:release', { conversationId: waiting.id });
      await poll(() => chat.locator('.msg-system', { hasText: 'Ben left the conversation' }).count()).toBe(1);
      await poll(() => inView(chat, '.msg-list', '.msg-system')).toBe(true);
    } finally {
      await context.close();
    }
  });
});

/** The element is inside its scrolling list's visible area. */
function inView(page: Page, list: string, item: string): Promise<boolean> {
  return page.evaluate(`(() => {
    const l = document.querySelector(${JSON.stringify(list)}).getBoundingClientRect();
    const all = document.querySelectorAll(${JSON.stringify(item)});
    const i = all[all.length - 1].getBoundingClientRect();
    return i.top >= l.top - 1 && i.bottom <= l.bottom + 1;
  })()`) as Promise<boolean>;
}
