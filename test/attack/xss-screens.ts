// What Parley's screens show of visitor-supplied text, read from the DOM as text
// (textContent), keyed by conversation, visitor or message id, for the [ATK-XSS] case.

import type { Page } from 'playwright-core';
import type { PageDocument, PageElement } from './page-dom.ts';

// Used inside page.evaluate callbacks, which run in the page (see page-dom.ts).
declare const document: PageDocument;
declare const Node: { TEXT_NODE: number };
declare const CSS: { escape(value: string): string };
type HTMLElement = PageElement;
type Element = PageElement;

export interface ListItem {
  name: string | null;
  preview: string | null;
}

/** The console's queue: each waiting visitor's name and last message. */
export function readQueue(page: Page): Promise<Record<string, ListItem>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('li.queue-item')].map((li) => [
        li.dataset.id!,
        { name: li.querySelector('.item-name')!.textContent, preview: li.querySelector('.item-preview')!.textContent },
      ]),
    ),
  );
}

/** The console's "My conversations". */
export function readMine(page: Page): Promise<Record<string, ListItem>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('li.mine-item')].map((li) => {
        const name = li.querySelector('.item-name')!;
        // The name is the first child; a screen-reader note and a tag follow it.
        const first = name.firstChild?.nodeType === Node.TEXT_NODE ? name.firstChild.textContent : `not text: ${name.innerHTML}`;
        return [li.dataset.id!, { name: first, preview: li.querySelector('.item-preview')!.textContent }];
      }),
    ),
  );
}

/** The console's notes ("… was assigned to you."). */
export function readToasts(page: Page): Promise<Array<string | null>> {
  return page.evaluate(() => [...document.querySelectorAll('.toast')].map((t) => t.textContent));
}

export interface VisitorRow {
  name: string | null;
  title: string | null;
  url: string | null;
}

/** The dashboard's online visitors. */
export function readVisitorRows(page: Page): Promise<Record<string, VisitorRow>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('tr[data-visitor]')].map((tr) => [
        tr.dataset.visitor!,
        {
          name: tr.querySelector('td')!.textContent,
          title: tr.querySelector('.page-title-text')?.textContent ?? null,
          url: tr.querySelector('.page-url')?.textContent ?? null,
        },
      ]),
    ),
  );
}

/** The dashboard's activity feed, each line without its time: " Visitor <name> came online". */
export function readFeed(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('ol.feed > li')].map((li) => [...li.childNodes].slice(1).map((n) => n.textContent).join('')));
}

export interface ChatMessage {
  author: string | null;
  body: string | null;
  mine: boolean;
}

/** The visitor's chat: its confirmed messages. */
export function readChat(page: Page): Promise<Record<string, ChatMessage>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('.msg[data-id]')].map((el) => [
        el.dataset.id!,
        { author: el.querySelector('.msg-author')!.textContent, body: el.querySelector('.msg-body')!.textContent, mine: el.classList.contains('msg-mine') },
      ]),
    ),
  );
}

export interface PaneView {
  title: string | null;
  authors: Array<string | null>;
  bodies: Array<string | null>;
  name: string | null;
  email: string | null;
  pageTitle: string | null;
  url: string | null;
}

/**
 * Opens each conversation from the console's queue or "My conversations" in turn and reads, once its transcript and visitor panel are in, the pane's title
 * and messages and the panel's name, email, page title and address. Runs in the page: ~200 round
 * trips through Playwright would be slow.
 */
export function openEach(page: Page, list: 'queue' | 'mine', ids: string[]): Promise<Record<string, PaneView>> {
  return page.evaluate(
    async ({ list, ids }) => {
      const text = (el: Element | null | undefined) => (el ? el.textContent : null);
      const out: Record<string, PaneView> = {};
      // Nothing announces "rendered": the DOM is polled, for 5 s at most, then read as it is; after
      // three that never got there, the rest are read without waiting (a broken run ends soon).
      let patience = 3;
      for (const id of ids) {
        document.querySelector<HTMLElement>(`li.${list}-item[data-id="${CSS.escape(id)}"] [data-role="open"]`)!.click();
        const pane = () => document.querySelector<HTMLElement>(`main .pane[data-conversation="${CSS.escape(id)}"]`);
        // The transcript is in, and the panel shows this visitor (it is redrawn after a round trip).
        const ready = () =>
          !!pane()?.querySelector('.msg[data-id]') &&
          !!document.querySelector('.context-page') &&
          text(document.querySelector('.context-name')) === text(pane()!.querySelector('.pane-title'));
        const deadline = performance.now() + (patience > 0 ? 5000 : 0);
        while (!ready() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        if (!ready()) patience--;
        const p = pane();
        out[id] = {
          title: text(p?.querySelector('.pane-title')),
          authors: [...(p?.querySelectorAll('.msg-visitor .msg-author') ?? [])].map(text),
          bodies: [...(p?.querySelectorAll('.msg .msg-body') ?? [])].map(text),
          name: text(document.querySelector('.context-name')),
          email: text(document.querySelector('.context-list .context-row dd')),
          pageTitle: text(document.querySelector('.context-page-title')),
          url: text(document.querySelector('.context-url')),
        };
      }
      return out;
    },
    { list, ids },
  );
}
