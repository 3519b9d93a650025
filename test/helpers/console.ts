// What the console's browser tests share: a visitor waiting in the queue, and
// the way back to the list on a phone (where list and conversation take turns).

import type { Page } from 'playwright-core';
import { ok } from './clients.ts';
import type { TestApp } from './start-app.ts';

/** A visitor who wrote; returns their socket, name and conversation id. */
export async function waitingVisitor(app: TestApp, body: string) {
  const v = await app.visitor('websocket');
  const { message } = await ok(v.socket, 'message:send', { clientId: `c-${body}`, body });
  return { ...v, conversationId: message.conversationId };
}

/** On a phone the list and the conversation take turns: back to the list when it is not shown. */
export async function showList(page: Page) {
  const back = page.getByRole('button', { name: 'Back to conversations' });
  if (await back.isVisible()) await back.click();
}
