// [E2E-CATCHUP] Issue #15 "Bounded catch-up": a visitor offline while 5,000 messages arrived catches up
// gap-free, in `history:get` pages of at most 200 (HIST1), and the page stays responsive meanwhile: other
// tasks (a timer standing in for input) run between pages, and no main-thread task takes a second.
// Functional bounds, not a benchmark: on main the whole catch-up was one task of 6.7 s. Now each task
// draws 50 messages: 50–250 ms on a two-core machine running other suites, up to ~1 s near the end of the
// 5,000 when it ran 20 processes deep (layout still visits every message, windowed or not). A second is
// the bound: the old single task is far over it, and any wait under it is not a frozen page.

import { describe, expect, it } from 'vitest';
import type { HistoryQuery } from '../../server/protocol/shapes.ts';
import { arrived, ok } from '../helpers/clients.ts';
import { longTasks, poll, socketGate, useBrowser, watch, watchLongTasks } from '../helpers/browser.ts';
import { startApp } from '../helpers/start-app.ts';

const browser = useBrowser();
const MISSED = 5000;

describe('[E2E-CATCHUP] catching up after a long time offline', () => {
  it('[E2E-CATCHUP1] 5,000 messages while offline: every seq once, in order, in pages of ≤ 200, with the page responsive between pages', { timeout: 180_000 }, async () => {
    const app = await startApp({ env: { MESSAGE_RATE_LIMIT: '0' } });
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    await watchLongTasks(context);
    try {
      const page = await context.newPage();
      const errors = watch(page);
      const gate = await socketGate(page);
      await page.goto(`${app.url}/chat`);
      const box = page.getByRole('textbox', { name: 'Message' });
      await box.fill('Hello, anyone there?');
      await box.press('Enter');
      await poll(() => page.locator('.msg-mine').last().getAttribute('data-status')).toBe('sent');
      const agent = await app.agent('websocket', 'ada@example.com', { name: 'Ada' });
      const { conversations } = await arrived(agent.socket, 'queue', (q) => q.conversations.length === 1);
      const conversationId = conversations[0].id;
      await ok(agent.socket, 'conversation:claim', { conversationId });

      // Every history:get the visitor's sockets send from now on, as the server receives it.
      const requests: HistoryQuery[] = [];
      app.app.ns.visitor.on('connection', (socket) =>
        socket.onAny((event: string, query: HistoryQuery) => {
          if (event === 'history:get') requests.push(query);
        }),
      );

      // Offline: the network drops the visitor's connection and refuses new ones.
      gate.close();
      for (const socket of app.app.ns.visitor.sockets.values()) socket.conn.close();
      await poll(() => page.locator('.chat-banner').textContent()).toContain('Reconnecting');

      const ada = (await app.store.getAgentByEmail('ada@example.com'))!;
      for (let i = 0; i < MISSED; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, j) =>
            app.app.conversations.sendAgentMessage(ada, { conversationId, clientId: `m${i + j}`, body: `Update ${i + j + 1} of ${MISSED}` }, null),
          ),
        );
      }
      const stored = await app.store.getConversation(conversationId);
      expect(stored?.lastSeq).toBe(MISSED + 1);
      const before = (await longTasks(page)).length;

      // A task every turn of the event loop, as typing would be, noting by how much the transcript grew since the last one.
      await page.evaluate(`(() => {
        const list = document.querySelector('.msg-list');
        // The list holds the messages, the welcome, and no note here: its child count is cheap to read.
        const count = () => list.getElementsByClassName('msg').length;
        let last = count();
        window.__steps = [];
        const tick = () => {
          const n = count();
          if (n !== last) window.__steps.push(n - last);
          last = n;
          if (n < ${MISSED + 1}) setTimeout(tick, 0);
        };
        setTimeout(tick, 0);
      })()`);

      // Back online.
      gate.open();
      await poll(() => page.locator('.msg').count(), { timeout: 120_000 }).toBe(MISSED + 1);
      await poll(() => page.locator('.chat-banner').isVisible()).toBe(false);

      const seqs = await page.locator('.msg[data-seq]').evaluateAll((els) => els.map((el) => Number((el as { dataset: { seq?: string } }).dataset.seq)));
      expect(seqs).toEqual(Array.from({ length: MISSED + 1 }, (_, i) => i + 1));
      // The catch-up asked page by page after what it held, never for more than 200, and without gaps.
      const after = requests.filter((q) => q.afterSeq !== undefined);
      expect(after.length).toBeGreaterThanOrEqual(Math.ceil(MISSED / 200));
      expect(requests.filter((q) => q.limit === undefined || q.limit > 200), 'requests over 200').toEqual([]);
      // Each after the last seq of the one before: 1, 201, 401, …
      expect(after.map((q) => q.afterSeq)).toEqual(after.map((_, i) => 1 + 200 * i));
      // Between pages the page took other work: it never grew by more than a page from one task to the next.
      const steps = (await page.evaluate('window.__steps')) as number[];
      expect(steps.reduce((a, b) => a + b, 0)).toBe(MISSED);
      expect(Math.max(...steps), `growth seen between two timer tasks: ${steps.join(', ')}`).toBeLessThanOrEqual(200);
      const tasks = (await longTasks(page)).slice(before);
      expect(Math.max(0, ...tasks), `long tasks during the catch-up (ms): ${tasks.map(Math.round).join(', ')}`).toBeLessThan(1000);
      expect(errors.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
