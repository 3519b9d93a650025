// [E2E-FLOW] A visitor on another site's page chats through the embedded widget
// with an agent in the console, over WebSocket and with WebSocket unavailable
// (long-polling only): queue, claim, messages, typing, read receipts, close.

import { afterEach, describe, expect, it } from 'vitest';
import { openWidget, poll, screenshot, signIn, startHostSite, transcript, type HostSite, useBrowser, watch } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();
let host: HostSite | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

describe.each(['websocket', 'polling'] as const)('[E2E-FLOW] cross-origin widget and console over %s', (mode) => {
  it('[E2E-FLOW1] embeds, queues, claims, exchanges messages with typing and read receipts, and closes', { timeout: 60_000 }, async () => {
    host = await startHostSite();
    const app = await startApp({ env: { ALLOWED_ORIGINS: host.url } });
    host.widgetSrc = `${app.url}/widget.js`;

    const visitorContext = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    const agentContext = await browser().newContext({ viewport: { width: 1366, height: 820 } });
    const sockets = { visitor: 0, agent: 0 };
    if (mode === 'polling') {
      // A network that breaks WebSocket: every attempt is cut. The widget must stay on long-polling.
      await visitorContext.routeWebSocket(/.*/, (ws) => {
        sockets.visitor++;
        void ws.close({ code: 1011, reason: 'blocked by the test' });
      });
    }
    try {
      const visitor = await visitorContext.newPage();
      const visitorWatch = watch(visitor);
      await visitor.goto(host.url);
      const chat = await openWidget(visitor);

      // The visitor's session cookie lives in the host site's partition (third-party cookies are blocked here).
      // (Polled: the widget asks for its session while the panel opens.)
      await poll(async () => (await visitorContext.cookies(app.url)).find((c) => c.name === 'parley.sid')).toMatchObject({
        sameSite: 'None',
        secure: true,
        httpOnly: true,
      });

      await poll(() => chat.locator('.chat-subtitle').textContent()).toBe('We are away right now');
      await chat.getByRole('textbox', { name: 'Message' }).fill('Hi! Do the Alpine tents fit three people?');
      await chat.getByRole('textbox', { name: 'Message' }).press('Enter');
      const first = chat.locator('.msg-mine').last();
      await poll(() => first.getAttribute('data-status')).toBe('sent');
      await poll(() => chat.locator('.chat-subtitle').textContent()).toContain('#1 in the queue');

      const agentEmail = `ada-${mode}@example.com`;
      let agent = await signIn(agentContext, app, { email: agentEmail, name: 'Ada Lovelace' });
      if (mode === 'polling') {
        // The console with `?transport=polling` must never even try a WebSocket.
        await agent.close();
        agent = await agentContext.newPage();
        agent.on('websocket', () => sockets.agent++);
        await agent.goto(`${app.url}/agent?transport=polling`);
      }
      const agentWatch = watch(agent);
      const queued = agent.locator('.queue-item').first();
      await poll(() => queued.locator('.item-preview').textContent()).toContain('Alpine tents');
      await poll(() => queued.locator('.item-wait').textContent()).toMatch(/^(new|waiting \d+ sec)$/);
      await poll(() => chat.locator('.chat-note').isVisible()).toBe(false);
      await queued.getByRole('button', { name: /claim/i }).click();

      await poll(() => chat.locator('.msg-system').allTextContents()).toContain('Ada Lovelace joined the conversation');
      await poll(() => chat.locator('.chat-title').textContent()).toBe('Ada Lovelace');
      await poll(() => transcript(agent)).toEqual(['Hi! Do the Alpine tents fit three people?']);

      const reply = agent.getByRole('textbox', { name: /reply to/i });
      await reply.pressSequentially('Yes, they do', { delay: 20 });
      await poll(() => chat.locator('.typing').textContent()).toContain('Ada Lovelace is typing');
      await reply.pressSequentially(' — with room for backpacks.');
      await reply.press('Enter');
      await poll(() => transcript(chat)).toEqual(['Hi! Do the Alpine tents fit three people?', 'Yes, they do — with room for backpacks.']);
      await poll(() => chat.locator('.typing').isVisible()).toBe(false);
      // The widget is open and visible, so the visitor has read it: the agent sees "Seen".
      await poll(() => agent.locator('.msg-mine').last().getAttribute('data-status')).toBe('seen');

      // The optional details card, offered after the first message as one line: the agent sees the new name and email.
      await chat.getByRole('button', { name: 'Tell us your name? (optional)' }).click();
      await chat.getByLabel('Name', { exact: true }).fill('Maya Chen');
      await chat.getByLabel('Email', { exact: true }).fill('maya@example.com');
      await chat.getByRole('button', { name: 'Save' }).click();
      await poll(() => chat.locator('.msg-system').last().textContent()).toBe('Thanks, Maya Chen! We will reply right here.');
      await poll(() => agent.locator('.pane-title').textContent()).toBe('Maya Chen');
      await poll(() => agent.locator('.context').textContent()).toContain('maya@example.com');

      const message = chat.getByRole('textbox', { name: 'Message' });
      await message.pressSequentially('Great, and delivery to Norway?', { delay: 20 });
      await poll(() => agent.locator('.typing').textContent()).toContain('is typing');
      await message.press('Enter');
      await poll(() => transcript(agent)).toHaveLength(3);
      await poll(() => chat.locator('.msg-mine').last().getAttribute('data-status')).toBe('seen');
      await poll(() => agent.locator('.context').textContent()).toContain('Acme Outdoor — Tents');

      await reply.fill('We ship to Norway in 3–5 days.');
      await reply.press('Enter');
      await poll(() => transcript(chat)).toHaveLength(4);
      if (mode === 'websocket') {
        await screenshot(visitor, 'widget-desktop');
        await screenshot(agent, 'console');
        await visitor.setViewportSize({ width: 375, height: 740 });
        await poll(() => visitor.locator('parley-widget iframe').boundingBox()).toMatchObject({ x: 0, y: 0, width: 375, height: 740 });
        await screenshot(visitor, 'widget-mobile');
        await visitor.setViewportSize({ width: 1280, height: 800 });
      }

      await agent.getByRole('button', { name: 'Close', exact: true }).click();
      await agent.getByRole('dialog', { name: 'Close this conversation?' }).getByRole('button', { name: 'Close conversation' }).click();
      await poll(() => chat.locator('.msg-system').last().textContent()).toContain('Ada Lovelace closed the conversation');
      await poll(() => chat.locator('.chat-subtitle').textContent()).toBe('This conversation has ended');
      await poll(() => agent.locator('.pane-status').textContent()).toBe('Closed');

      // Each message exactly once, in order, on both sides.
      const expected = ['Hi! Do the Alpine tents fit three people?', 'Yes, they do — with room for backpacks.', 'Great, and delivery to Norway?', 'We ship to Norway in 3–5 days.'];
      expect(await transcript(chat)).toEqual(expected);
      expect(await transcript(agent)).toEqual(expected);
      // The transports really used, as the server sees them.
      const transports = [...app.app.ns.visitor.sockets.values(), ...app.app.ns.agent.sockets.values()].map((s) => s.conn.transport.name);
      expect(new Set(transports)).toEqual(new Set([mode]));
      if (mode === 'polling') {
        expect(sockets.agent, 'the console was told to use polling only').toBe(0);
        expect(sockets.visitor, 'the widget tried to upgrade and was refused').toBeGreaterThan(0);
      }
      expect([...visitorWatch.errors, ...agentWatch.errors]).toEqual([]);
      expect([...visitorWatch.dialogs, ...agentWatch.dialogs]).toEqual([]);
    } finally {
      await visitorContext.close();
      await agentContext.close();
    }
  });
});
