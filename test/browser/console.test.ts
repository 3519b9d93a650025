// [E2E-CONSOLE] The agent console's own features: a claim lost to a teammate
// while previewing, unread counts, scroll-back through long history, transfer to a
// teammate, release to the queue, and notifications while the tab is hidden.

import { describe, expect, it } from 'vitest';
import { arrived, next, ok } from '../helpers/clients.ts';
import { OBSERVE_ALERTS, poll, signIn, transcript, useBrowser, watch } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

// The callbacks given to addInitScript/evaluate run in the page, not here: these are the page's
// globals as far as they use them (this file is typed for Node, without the DOM library).
declare const window: { __notes: string[]; __hidden: boolean };

describe('[E2E-CONSOLE] agent console', () => {
  it('[E2E-CONSOLE1] race, unread counts, scroll-back, transfer, release and notifications', { timeout: 60_000 }, async () => {
    const app = await startApp();
    const ctxA = await browser().newContext({ viewport: { width: 1366, height: 820 } });
    const ctxB = await browser().newContext({ viewport: { width: 1366, height: 820 } });
    await ctxA.addInitScript(OBSERVE_ALERTS);
    try {
      // A long conversation waiting in the queue: 120 messages.
      const long = await app.visitor('websocket');
      for (let i = 1; i <= 120; i++) {
        await app.app.conversations.sendVisitorMessage(long.visitor, { clientId: `m${i}`, body: `message ${i}` }, null);
      }
      const a = await signIn(ctxA, app, { email: 'ann@example.com', name: 'Ann' });
      const b = await signIn(ctxB, app, { email: 'ben@example.com', name: 'Ben' });
      const watches = [watch(a), watch(b)];

      // Ann previews the waiting conversation; Ben claims it first; Ann's late claim is refused kindly.
      await a.locator('.queue-item .item-main').first().click();
      await poll(() => a.locator('.claim-bar').isVisible()).toBe(true);
      await b.locator('.queue-item').first().getByRole('button', { name: /claim/i }).click();
      await poll(() => a.locator('.pane-note').textContent()).toContain('A teammate picked up this conversation');
      // Nothing left to claim: the pane says so instead of offering a claim that would fail.
      await poll(() => a.locator('.claim-bar').count()).toBe(0);

      // Scroll-back: the latest 50 first, older pages on demand, in order, without duplicates.
      await poll(() => transcript(b).then((t) => t.length)).toBe(50);
      expect((await transcript(b))[0]).toBe('message 71');
      // Clicked where it is: scrolling it into view first reaches the top, which loads a page by itself
      // and can take the button away before the click lands.
      await b.getByRole('button', { name: 'Load earlier messages' }).evaluate((button) => (button as { click(): void }).click());
      // One page more (two when reaching the top by scrolling also asked for one): in order, no gap.
      await poll(() => transcript(b).then((t) => t.length)).toBeGreaterThanOrEqual(100);
      const shown = await transcript(b);
      expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => `message ${121 - shown.length + i}`));
      await b.locator('.pane .msg-list').evaluate((el) => el.scrollTo(0, 0));
      await poll(() => transcript(b).then((t) => t.length)).toBe(120);
      expect(await transcript(b)).toEqual(Array.from({ length: 120 }, (_, i) => `message ${i + 1}`));
      await poll(() => b.getByRole('button', { name: 'Load earlier messages' }).isVisible()).toBe(false);

      // Two visitors for Ann; unread counts on the one not on screen.
      const v1 = await app.visitor('websocket');
      await ok(v1.socket, 'message:send', { clientId: 'a', body: 'First visitor here' });
      const v2 = await app.visitor('polling');
      await ok(v2.socket, 'message:send', { clientId: 'a', body: 'Second visitor here' });
      for (const name of [v1.visitor.name, v2.visitor.name]) {
        await a.locator('.queue-item', { hasText: name }).getByRole('button', { name: /claim/i }).click();
        await poll(() => a.locator('.pane-title').textContent()).toBe(name);
      }
      await a.locator('.mine-item', { hasText: v1.visitor.name }).locator('.item-main').click();
      await ok(v2.socket, 'message:send', { clientId: 'b', body: 'Hello?' });
      await ok(v2.socket, 'message:send', { clientId: 'c', body: 'Anyone there?' });
      const v2Item = a.locator('.mine-item', { hasText: v2.visitor.name });
      await poll(() => v2Item.locator('.unread').textContent()).toBe('2');
      await poll(() => a.title()).toBe('(2) Console — Parley');
      await v2Item.locator('.item-main').click();
      await poll(() => v2Item.locator('.unread').count()).toBe(0);
      await poll(() => transcript(a)).toEqual(['Second visitor here', 'Hello?', 'Anyone there?']);

      // While Ann's tab is hidden: a notification for a new message and for a new waiting visitor.
      await a.evaluate(() => {
        window.__hidden = true;
      });
      await ok(v1.socket, 'message:send', { clientId: 'b', body: 'Are you there?' });
      const v3 = await app.visitor('websocket');
      await ok(v3.socket, 'message:send', { clientId: 'a', body: 'New here' });
      await poll(() => a.evaluate(() => window.__notes)).toEqual([
        `${v1.visitor.name}: Are you there?`,
        `A visitor is waiting: ${v3.visitor.name}`,
      ]);
      await a.evaluate(() => {
        window.__hidden = false;
      });

      // Transfer v2's conversation to Ben (picked in the dialog); the visitor sees the handover.
      const handover = next(v2.socket, 'presence', (e) => e.action === 'join' && e.participant.name === 'Ben');
      await a.getByRole('button', { name: 'Transfer…' }).click();
      const dialog = a.getByRole('dialog', { name: 'Transfer conversation' });
      await poll(() => dialog.getByRole('radio').count()).toBe(1);
      await poll(() => dialog.getByRole('radio', { name: /Ben/ }).isChecked()).toBe(true);
      await dialog.getByRole('button', { name: 'Transfer' }).click();
      await poll(() => a.locator('.toast').last().textContent()).toBe('Transferred to Ben.');
      await handover;
      const benItem = b.locator('.mine-item', { hasText: v2.visitor.name });
      await poll(() => benItem.count()).toBe(1);
      await benItem.locator('.item-main').click();
      await poll(() => transcript(b)).toEqual(['Second visitor here', 'Hello?', 'Anyone there?']);

      // Ben releases it: back in the queue for everyone.
      await b.getByRole('button', { name: 'Release' }).click();
      await poll(() => a.locator('.queue-item', { hasText: v2.visitor.name }).count()).toBe(1);
      const back = await arrived(v2.socket, 'conversation', (c) => c.status === 'queued');
      expect(back.agent).toBeNull();
      const sent = await ok(v2.socket, 'message:send', { clientId: 'd', body: 'Still waiting' });
      expect(sent.message.seq).toBe(4);
      expect(watches.flatMap((w) => [...w.errors, ...w.dialogs])).toEqual([]);
    } finally {
      await ctxA.close();
      await ctxB.close();
    }
  });
});
