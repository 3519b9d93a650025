// [E2E-NOTE] Private notes and message formatting in real Chromium: a note is in the console, marked
// private, and nowhere in the widget (also after it reloads); a mention reaches the teammate; hostile
// notes and messages are text; *bold*, _italic_, `code` and links render as elements built from text;
// the emoji pickers work from the keyboard.

import { describe, expect, it } from 'vitest';
import { ok } from '../helpers/clients.ts';
import { openWidget, poll, screenshot, signIn, startHostSite, useBrowser, watch } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

const HOSTILE_NOTE = 'SECRET <img src=x onerror=alert(1)> *careful* here, @Bob: `refund`';
const HOSTILE_MESSAGES = ['<img src=x onerror=alert(2)>', '[x](javascript:alert(3))', 'javascript:alert(4)', '<a href="javascript:alert(5)">y</a>'];
const FORMATTED = 'Hi *there*, _please_ read https://example.com/docs and run `npm start`\nsecond line';

describe('[E2E-NOTE] private notes and formatting', () => {
  it('[E2E-NOTE1] a note shows in the console, marked private, and never in the widget; formatting is safe on both sides', { timeout: 90_000 }, async () => {
    const host = await startHostSite();
    const app = await startApp({ env: { ALLOWED_ORIGINS: host.url } });
    host.widgetSrc = `${app.url}/widget.js`;
    const visitorContext = await browser().newContext({ viewport: { width: 1280, height: 860 } });
    const aliceContext = await browser().newContext({ viewport: { width: 1280, height: 860 } });
    const bobContext = await browser().newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const visitor = await visitorContext.newPage();
      const visitorWatch = watch(visitor);
      await visitor.goto(host.url);
      let chat = await openWidget(visitor);
      const input = chat.getByRole('textbox', { name: 'Message' });
      await input.fill(FORMATTED);
      await input.press('Enter');
      for (const body of HOSTILE_MESSAGES) {
        await input.fill(body);
        await input.press('Enter');
      }
      // The widget's emoji picker, keyboard only: open, move one right, insert; focus back in the box.
      await chat.getByRole('button', { name: 'Insert emoji' }).focus();
      await chat.getByRole('button', { name: 'Insert emoji' }).press('Enter');
      await chat.getByRole('group', { name: 'Emoji' }).locator('.emoji-cell').first().press('ArrowRight');
      await chat.getByRole('group', { name: 'Emoji' }).locator('.emoji-cell').nth(1).press('Enter');
      await poll(() => input.inputValue()).toBe('😊');
      await input.press('Enter');

      const bob = await signIn(bobContext, app, { email: 'bob@example.com', name: 'Bob' });
      const alice = await signIn(aliceContext, app, { email: 'alice@example.com', name: 'Alice' });
      const watches = [visitorWatch, watch(alice), watch(bob)];
      await alice.locator('.queue-item').first().getByRole('button', { name: /claim/i }).click();
      const pane = alice.locator('.pane');
      await poll(() => pane.locator('.msg-body').count()).toBe(6);

      // The visitor's formatting, drawn in the console from text: elements of a fixed set, safe links.
      const formatted = pane.locator('.msg-body').first();
      expect(await formatted.locator('strong').textContent()).toBe('there');
      expect(await formatted.locator('em').textContent()).toBe('please');
      expect(await formatted.locator('code').textContent()).toBe('npm start');
      const link = formatted.locator('a');
      expect(await link.getAttribute('href')).toBe('https://example.com/docs');
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
      expect(await formatted.textContent()).toContain('\nsecond line');

      // Reply, then a private note: the toggle from the keyboard, Enter saves it.
      const box = pane.getByRole('textbox', { name: /Reply to/ });
      await box.fill('Sure, see *step 2* at https://example.com/help');
      await box.press('Enter');
      await poll(() => pane.locator('.msg-mine .msg-body').count()).toBe(1);
      const noteToggle = pane.getByRole('button', { name: 'Private note', exact: true });
      await noteToggle.focus();
      await noteToggle.press('Space');
      expect(await noteToggle.getAttribute('aria-pressed')).toBe('true');
      const noteBox = pane.getByRole('textbox', { name: /Private note in the conversation with/ });
      await noteBox.fill(HOSTILE_NOTE);
      await noteBox.press('Enter');
      const note = pane.locator('.msg-note');
      await poll(() => note.count()).toBe(1);
      // The body's text is the note exactly; the marks are hidden, the formatting shows.
      expect(await note.locator('.msg-body').textContent()).toBe(HOSTILE_NOTE);
      expect(await note.locator('.msg-body').evaluate((el) => (el as unknown as { innerText: string }).innerText)).toBe('SECRET <img src=x onerror=alert(1)> careful here, @Bob: refund');
      expect(await note.getByText('Private note', { exact: true }).isVisible()).toBe(true);
      expect(await note.locator('.msg-body strong').textContent()).toBe('careful');
      expect(await note.locator('.msg-body code').textContent()).toBe('refund');
      // The note sits after the reply it followed, not among the visitor's messages.
      expect(await pane.locator('.msg-list > .msg').last().getAttribute('class')).toContain('msg-note');
      await screenshot(alice, 'notes-console-1280');
      // The mention reached Bob as a toast.
      await poll(() => bob.getByText('Alice mentioned you in a private note').isVisible()).toBe(true);
      // Back to replies: the box is a reply box again.
      await pane.getByRole('button', { name: 'Reply', exact: true }).press('Enter');
      await poll(() => pane.getByRole('textbox', { name: /Reply to/ }).isVisible()).toBe(true);
      // The console's emoji picker: Escape closes it and gives focus back to its button.
      await pane.getByRole('button', { name: 'Insert emoji' }).press('Enter');
      await poll(() => pane.getByRole('group', { name: 'Emoji' }).isVisible()).toBe(true);
      await screenshot(alice, 'notes-console-emoji');
      await alice.keyboard.press('Escape');
      await poll(() => pane.getByRole('group', { name: 'Emoji' }).isVisible()).toBe(false);
      expect(await pane.getByRole('button', { name: 'Insert emoji' }).evaluate((b) => b === (b.ownerDocument as { activeElement: unknown }).activeElement)).toBe(true);
      await alice.setViewportSize({ width: 375, height: 760 });
      await poll(() => pane.locator('.msg-note').isVisible()).toBe(true);
      await screenshot(alice, 'notes-console-375');

      // The widget: the reply, formatted; no note, and none after a reload either.
      await poll(() => chat.locator('.msg-body').count()).toBe(7);
      const reply = chat.locator('.msg-theirs .msg-body').last();
      expect(await reply.locator('strong').textContent()).toBe('step 2');
      expect(await reply.locator('a').getAttribute('rel')).toBe('noopener noreferrer nofollow');
      // A round trip after the note: the agent's next reply arrives, so the note (sent before it) would have too.
      await ok((await app.agent('websocket', 'alice@example.com')).socket, 'message:send', { conversationId: (await app.store.listConversations({ status: 'active' }))[0].id, clientId: 'after-note', body: 'one more' });
      await poll(() => chat.locator('.msg-body').count()).toBe(8);
      const widgetText = async () => (await chat.locator('body').textContent()) ?? '';
      expect(await widgetText()).not.toContain('SECRET');
      expect(await chat.locator('.msg-note').count()).toBe(0);
      await visitor.reload();
      chat = await openWidget(visitor);
      await poll(() => chat.locator('.msg-body').count()).toBe(8);
      expect(await widgetText()).not.toContain('SECRET');
      await screenshot(visitor, 'notes-widget-after-reload');

      // Hostile text stayed text everywhere: no injected element, no javascript: link, no dialog.
      for (const scope of [chat.locator('.msg-list'), pane.locator('.msg-list')]) {
        expect(await scope.locator('img, script, iframe').count()).toBe(0);
        expect(await scope.locator('a[href^="javascript" i]').count()).toBe(0);
        const texts = await scope.locator('.msg-body').allTextContents();
        for (const body of HOSTILE_MESSAGES) expect(texts).toContain(body);
      }
      for (const w of watches) {
        expect(w.dialogs).toEqual([]);
        expect(w.errors).toEqual([]);
      }
    } finally {
      await visitorContext.close();
      await aliceContext.close();
      await bobContext.close();
      await app.close();
      await host.close();
    }
  });
});
