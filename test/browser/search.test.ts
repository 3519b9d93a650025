// [E2E-SEARCH] Search and tags in the console (#17): Ctrl+K, a query that finds a message deep in
// a closed conversation, the click that opens it there (older history loaded, the message scrolled
// to and highlighted, read-only), hostile text shown as text; tags added in the header, shown on
// the list items of every console live, and the list filtered by tag. At 1280 px and 375 px.

import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ok } from '../helpers/clients.ts';
import { poll, screenshot, signIn, useBrowser, watch } from '../helpers/browser.ts';
import { showList, waitingVisitor } from '../helpers/console.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

/** Whether the element is wholly inside its transcript's visible area. */
const inView = (found: Locator) =>
  found.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const list = el.closest('.msg-list')!.getBoundingClientRect();
    return box.top >= list.top && box.bottom <= list.bottom;
  });

describe('[E2E-SEARCH] console search and tags', () => {
  it('[E2E-SEARCH1] search opens a closed conversation at the message; tags live and as a list filter', { timeout: 90_000 }, async () => {
    const app = await startApp();
    // A closed conversation of 120 messages; the one searched for is the 10th (beyond the first page of 50).
    const old = await app.visitor('websocket');
    for (let i = 1; i <= 120; i++) {
      const body = i === 10 ? 'My <img src=x onerror="window.__xss=1"> hovercraft is full of eels' : `message ${i}`;
      await app.app.conversations.sendVisitorMessage(old.visitor, { clientId: `m${i}`, body }, null);
    }
    const ann = await app.agent('websocket', 'ann@example.com', { name: 'Ann' });
    const first = await ok(old.socket, 'history:get', {});
    const oldId = first.conversation!.id;
    await ok(ann.socket, 'conversation:claim', { conversationId: oldId });
    await ok(ann.socket, 'conversation:close', { conversationId: oldId });
    // Two visitors waiting, to tag one and filter.
    const w1 = await waitingVisitor(app, 'first waiting');
    const w2 = await waitingVisitor(app, 'second waiting');

    const desk = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    const phone = await browser().newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    try {
      const a = await signIn(desk, app, { email: 'ann@example.com', name: 'Ann' });
      const b = await signIn(phone, app, { email: 'ben@example.com', name: 'Ben' });
      const watches = [watch(a), watch(b)];
      await poll(() => a.locator('.queue-item').count()).toBe(2);

      // Ctrl+K focuses the field; Enter searches.
      await a.keyboard.press('Control+k');
      await poll(() => a.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('console-search');
      await a.keyboard.type('HOVERCRAFT eels');
      await a.keyboard.press('Enter');
      const hit = a.locator('.search-item').first();
      await poll(() => hit.isVisible()).toBe(true);
      expect(await a.locator('.search-item').count()).toBe(1);
      expect(await hit.locator('mark').allTextContents()).toEqual(['hovercraft', 'eels']);
      // The markup in the message is text: no element made of it.
      expect(await hit.locator('.search-snippet').textContent()).toContain('<img src=x onerror="window.__xss=1">');
      expect(await a.locator('.search-results img').count()).toBe(0);
      await screenshot(a, 'search-results-1280');

      // Opens the closed conversation at that message: older pages loaded, scrolled to, highlighted.
      await hit.locator('.item-main').click();
      const found = a.locator('.pane .msg.msg-found');
      await poll(() => found.getAttribute('data-seq')).toBe('10');
      expect(await found.locator('.msg-body').textContent()).toContain('hovercraft is full of eels');
      await poll(() => inView(found)).toBe(true);
      expect(await a.locator('.pane-status').textContent()).toBe('Closed');
      expect(await a.locator('.pane textarea').isDisabled()).toBe(true);
      expect(await a.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
      await screenshot(a, 'search-opened-1280');

      // Tags: Ann opens a waiting conversation and tags it; Ben (on a phone) sees the chip live.
      await a.getByRole('button', { name: 'Clear' }).click();
      await a.locator('.queue-item', { hasText: w1.visitor.name }).locator('.item-main').click();
      await poll(() => a.locator('.pane').getAttribute('data-conversation')).toBe(w1.conversationId);
      const tagInput = a.locator('.pane .tag-input');
      await tagInput.fill('two words');
      await tagInput.press('Enter');
      await poll(() => a.locator('.tag-invalid').isVisible()).toBe(true);
      await tagInput.fill('VIP');
      await tagInput.press('Enter');
      await poll(() => a.locator('.pane .tag-chip').allTextContents()).toEqual(['vip×']);
      await poll(() => a.locator('.queue-item', { hasText: w1.visitor.name }).locator('.tag-chip').textContent()).toBe('vip');
      await poll(() => b.locator('.queue-item', { hasText: w1.visitor.name }).locator('.tag-chip').textContent()).toBe('vip');
      await screenshot(a, 'tags-1280');

      // The filter: only the tagged conversation in the list.
      await b.getByRole('combobox', { name: 'Filter by tag' }).selectOption('vip');
      await poll(() => b.locator('.queue-item').count()).toBe(1);
      expect(await b.locator('.queue-item').textContent()).toContain(w1.visitor.name);
      await screenshot(b, 'tags-filter-375');
      await b.getByRole('combobox', { name: 'Filter by tag' }).selectOption('');
      await poll(() => b.locator('.queue-item').count()).toBe(2);
      expect(await b.locator('.queue-item', { hasText: w2.visitor.name }).count()).toBe(1);

      // Search on the phone: the result opens the conversation in place of the list.
      await b.locator('#console-search').fill('hovercraft');
      await b.locator('#console-search').press('Enter');
      await poll(() => b.locator('.search-item').count()).toBe(1);
      await screenshot(b, 'search-results-375');
      await b.locator('.search-item .item-main').click();
      await poll(() => b.locator('.pane .msg.msg-found').getAttribute('data-seq')).toBe('10');
      await poll(() => inView(b.locator('.pane .msg.msg-found'))).toBe(true);
      await screenshot(b, 'search-opened-375');
      await showList(b);
      // Removing the tag reaches the other console too.
      await a.locator('.pane .tag-chip', { hasText: 'vip' }).getByRole('button', { name: 'Remove tag vip' }).click();
      await poll(() => b.locator('.queue-item .tag-chip').count()).toBe(0);
      for (const w of watches) expect(w).toEqual({ dialogs: [], errors: [] });
    } finally {
      await desk.close();
      await phone.close();
    }
  });
});
