// The console's right column: who the visitor is and where they are now.
// Page addresses are shown as text; only http(s) ones become links.

import type { VisitorContext } from '../../server/protocol/events.ts';
import type { Conversation } from '../../server/protocol/shapes.ts';
import { h, isSafeHref, setContent } from '../lib/dom.ts';
import { fullTime, initials } from '../lib/format.ts';

export interface ContextPanel {
  element: HTMLElement;
  show(conversation: Conversation | null, visitor: VisitorContext | null): void;
}

export function createContextPanel(): ContextPanel {
  const body = h('div', { class: 'context-body' });
  const element = h('aside', { class: 'context', 'aria-label': 'Visitor details' }, h('h2', null, 'Visitor'), body);

  const row = (label: string, value: Node | string) => h('div', { class: 'context-row' }, h('dt', null, label), h('dd', null, value));

  return {
    element,
    show(conversation, visitor) {
      if (!conversation) return setContent(body, h('p', { class: 'empty' }, 'Select a conversation to see who you are talking to.'));
      const name = visitor?.name ?? conversation.visitor.name;
      const page = visitor?.page;
      const pageNode = page
        ? h(
            'span',
            { class: 'context-page' },
            page.title ? h('span', { class: 'context-page-title' }, page.title) : null,
            isSafeHref(page.url) && /^https?:/i.test(page.url)
              ? h('a', { href: page.url, target: '_blank', rel: 'noopener noreferrer nofollow', class: 'context-url' }, page.url)
              : h('span', { class: 'context-url' }, page.url),
          )
        : h('span', { class: 'muted' }, visitor?.online ? 'Unknown' : 'Not on the site now');
      setContent(
        body,
        h(
          'div',
          { class: 'context-card' },
          h('span', { class: 'avatar avatar-large', 'aria-hidden': 'true' }, initials(name)),
          h('p', { class: 'context-name' }, name),
          h('p', { class: `presence ${visitor?.online ? 'online' : ''}` }, visitor ? (visitor.online ? 'Online now' : 'Offline') : '…'),
        ),
        h(
          'dl',
          { class: 'context-list' },
          row('Email', visitor?.email ? h('a', { href: `mailto:${visitor.email}` }, visitor.email) : h('span', { class: 'muted' }, 'Not given')),
          row('Current page', pageNode),
          row('Conversation started', fullTime(conversation.createdAt)),
        ),
      );
    },
  };
}
