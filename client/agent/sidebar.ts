// The console's left column: the live queue (wait times, claim buttons) and
// the agent's own conversations (unread counts, last message, visitor online).

import type { Conversation } from '../../server/protocol/shapes.ts';
import { h, setContent } from '../lib/dom.ts';
import { duration, initials } from '../lib/format.ts';

export interface MineItem {
  conversation: Conversation;
  unread: number;
  preview: string;
  visitorOnline: boolean;
}

export interface Sidebar {
  element: HTMLElement;
  render(queue: Conversation[], mine: MineItem[], selected: string | null, previews: Map<string, string>): void;
  /** Refreshes the wait times in place (every second). */
  tick(): void;
}

export function createSidebar(opts: { onSelect(id: string): void; onClaim(id: string): void }): Sidebar {
  const queueCount = h('span', { class: 'count' }, '0');
  const mineCount = h('span', { class: 'count' }, '0');
  const queueList = h('ul', { class: 'item-list', 'aria-labelledby': 'queue-heading' });
  const mineList = h('ul', { class: 'item-list', 'aria-labelledby': 'mine-heading' });
  const queueEmpty = h('p', { class: 'empty' }, 'Nobody is waiting. Nice work!');
  const mineEmpty = h('p', { class: 'empty' }, 'Claim a conversation from the queue to start.');
  const element = h(
    'nav',
    { class: 'sidebar', 'aria-label': 'Conversations' },
    h('section', { class: 'side-section', 'data-section': 'queue' }, h('h2', { id: 'queue-heading' }, 'Queue ', queueCount), queueEmpty, queueList),
    h('section', { class: 'side-section', 'data-section': 'mine' }, h('h2', { id: 'mine-heading' }, 'My conversations ', mineCount), mineEmpty, mineList),
  );

  function waitText(c: Conversation): string {
    return `waiting ${duration(Date.now() - Date.parse(c.createdAt))}`;
  }

  function queueItem(c: Conversation, selected: boolean, preview: string | undefined): HTMLElement {
    return h(
      'li',
      { class: `item queue-item${selected ? ' selected' : ''}`, 'data-id': c.id },
      h(
        'button',
        { type: 'button', class: 'item-main', 'data-role': 'open', 'aria-current': selected ? 'true' : null, onclick: () => opts.onSelect(c.id) },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(c.visitor.name)),
        h(
          'span',
          { class: 'item-text' },
          h('span', { class: 'item-name' }, c.visitor.name),
          h('span', { class: 'item-preview' }, preview ?? ' '),
          h('span', { class: 'item-wait', 'data-since': c.createdAt }, waitText(c)),
        ),
        c.queuePosition !== null && h('span', { class: 'position', title: 'Position in the queue' }, `#${c.queuePosition}`),
      ),
      h('button', { type: 'button', class: 'btn btn-primary btn-small claim-button', 'data-role': 'claim', 'aria-label': `Claim conversation with ${c.visitor.name}`, onclick: () => opts.onClaim(c.id) }, 'Claim'),
    );
  }

  function mineItem(item: MineItem, selected: boolean): HTMLElement {
    const c = item.conversation;
    const closed = c.status !== 'active';
    return h(
      'li',
      { class: `item mine-item${selected ? ' selected' : ''}${closed ? ' closed' : ''}`, 'data-id': c.id },
      h(
        'button',
        { type: 'button', class: 'item-main', 'data-role': 'open', 'aria-current': selected ? 'true' : null, onclick: () => opts.onSelect(c.id) },
        h('span', { class: 'avatar-wrap' }, h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(c.visitor.name)), h('span', { class: `dot${item.visitorOnline ? ' online' : ''}`, 'aria-hidden': 'true' })),
        h(
          'span',
          { class: 'item-text' },
          h('span', { class: 'item-name' }, c.visitor.name, h('span', { class: 'sr-only' }, item.visitorOnline ? ', online' : ', offline'), closed && h('span', { class: 'tag' }, 'closed')),
          h('span', { class: 'item-preview' }, item.preview || ' '),
        ),
        item.unread > 0 && h('span', { class: 'unread', 'aria-label': `${item.unread} unread` }, String(item.unread)),
      ),
    );
  }

  /** Re-rendering replaces the buttons: put focus back where the agent was. */
  function keepFocus(render: () => void) {
    const active = document.activeElement as HTMLElement | null;
    const li = active?.closest<HTMLElement>('li.item');
    const key = li && element.contains(li) ? { id: li.dataset.id ?? '', role: active!.dataset.role ?? '' } : null;
    render();
    if (key) {
      element.querySelector<HTMLElement>(`li.item[data-id="${CSS.escape(key.id)}"] [data-role="${CSS.escape(key.role)}"]`)?.focus();
    }
  }

  return {
    element,
    render(queue, mine, selected, previews) {
      keepFocus(() => {
        setContent(queueCount, String(queue.length));
        setContent(mineCount, String(mine.filter((m) => m.conversation.status === 'active').length));
        queueEmpty.hidden = queue.length > 0;
        mineEmpty.hidden = mine.length > 0;
        queueList.replaceChildren(...queue.map((c) => queueItem(c, c.id === selected, previews.get(c.id))));
        mineList.replaceChildren(...mine.map((m) => mineItem(m, m.conversation.id === selected)));
      });
    },
    tick() {
      for (const el of element.querySelectorAll<HTMLElement>('.item-wait')) {
        setContent(el, `waiting ${duration(Date.now() - Date.parse(el.dataset.since ?? ''))}`);
      }
    },
  };
}
