// [E2E-RESTART] The server restarts mid-conversation: the visitor (/chat) and
// the agent (console) show "reconnecting", then carry on from the same
// database and address with no message lost or shown twice.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { poll, signIn, transcript, useBrowser, watch } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();

describe('[E2E-RESTART] server restart', () => {
  it('[E2E-RESTART1] both sides reconnect and continue without loss or duplicates', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-restart-'));
    const dbPath = join(dir, 'parley.db');
    let app = await startApp({ dbPath });
    const port = Number(new URL(app.url).port);
    const visitorContext = await browser().newContext();
    const agentContext = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const visitor = await visitorContext.newPage();
      const visitorWatch = watch(visitor);
      await visitor.goto(`${app.url}/chat`);
      const input = visitor.getByRole('textbox', { name: 'Message' });
      await input.fill('My order #1042 never arrived');
      await input.press('Enter');
      await poll(() => visitor.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');

      const agent = await signIn(agentContext, app, { email: 'linus@example.com', name: 'Linus' });
      const agentWatch = watch(agent);
      await agent.locator('.queue-item').first().getByRole('button', { name: /claim/i }).click();
      const reply = agent.getByRole('textbox', { name: /reply to/i });
      await reply.fill('Sorry about that, let me check.');
      await reply.press('Enter');
      await poll(() => transcript(visitor)).toEqual(['My order #1042 never arrived', 'Sorry about that, let me check.']);

      await app.close();
      await poll(() => visitor.locator('.chat-banner').textContent()).toContain('Reconnecting');
      await poll(() => agent.locator('.app-banner').textContent()).toContain('Reconnecting');

      // Written while the server is down: shown at once as pending, delivered after the restart.
      await input.fill('Are you still there?');
      await input.press('Enter');
      await poll(() => visitor.locator('.msg-mine').last().getAttribute('data-status')).toBe('pending');
      await reply.fill('Found it: it ships today.');
      await reply.press('Enter');

      app = await startApp({ dbPath, port });
      // Sent before the browsers are back (they retry every 0.5–4 s): it reaches them by catch-up (afterSeq).
      const [conversation] = await app.store.listConversations({ status: 'active' });
      const linus = (await app.store.getAgentByEmail('linus@example.com'))!;
      await app.app.conversations.sendAgentMessage(linus, { conversationId: conversation.id, clientId: 'after-restart', body: 'Tracking number: 7781.' }, null);
      await poll(() => visitor.locator('.chat-banner').isVisible(), { timeout: 20_000 }).toBe(false);
      await poll(() => agent.locator('.app-banner').isVisible(), { timeout: 20_000 }).toBe(false);

      const expectedSet = ['My order #1042 never arrived', 'Sorry about that, let me check.', 'Are you still there?', 'Found it: it ships today.', 'Tracking number: 7781.'];
      for (const page of [visitor, agent]) {
        await poll(() => transcript(page).then((t) => [...t].sort()), { timeout: 20_000 }).toEqual([...expectedSet].sort());
      }
      // Once each, and both sides agree on the order (by seq).
      const stored = (await app.store.getMessages(conversation.id, { limit: 50 })).map((m) => m.body);
      expect([...stored].sort()).toEqual([...expectedSet].sort());
      expect(await transcript(visitor)).toEqual(stored);
      expect(await transcript(agent)).toEqual(stored);
      await poll(() => visitor.locator('.msg[data-status="pending"], .msg[data-status="failed"]').count()).toBe(0);
      await poll(() => agent.locator('.msg[data-status="pending"], .msg[data-status="failed"]').count()).toBe(0);

      // And the conversation simply goes on.
      await input.fill('Thanks!');
      await input.press('Enter');
      await poll(() => transcript(agent)).toEqual([...stored, 'Thanks!']);
      expect([...visitorWatch.errors, ...agentWatch.errors, ...visitorWatch.dialogs, ...agentWatch.dialogs]).toEqual([]);
    } finally {
      await visitorContext.close();
      await agentContext.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
