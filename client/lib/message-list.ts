// The visitor chat's transcript on screen: `sync` draws a conversation model's
// snapshot (stored messages by `seq`, keyed by `id`; one's own pending ones
// below them; the read receipt), plus the product's notes (joined, left,
// closed). The console draws the same snapshot with Preact (client/agent/transcript.tsx).

import type { Message } from '../../server/protocol/shapes.ts';
import type { ConversationState, ShownMessage } from './conversation-model.ts';
import { h, setContent } from './dom.ts';
import { notSentText } from './error-text.ts';
import type { CommonKey, I18n } from './i18n.ts';
import { renderRichText } from './rich-text-dom.ts';
import { attachmentNode } from './attachment-view.ts';
import type { AttachmentInfo } from './outbox.ts';

/** 'refused': failed in a way sending again cannot fix (too long, conversation ended): edit it instead. */
export type MessageStatus = 'pending' | 'failed' | 'refused' | 'sent' | 'seen' | 'none';

export interface MessageListOptions {
  /** The page's language: statuses, buttons and times. */
  i18n: I18n<CommonKey>;
  /** Whose messages are drawn on the right. */
  mine: 'visitor' | 'agent';
  label: string;
  /** Shown above the first message, kept when the list is cleared. */
  intro?: HTMLElement;
  onRetry(clientId: string): void;
  /** A refused message back into the composer; without it, refused messages offer nothing to click. */
  onEdit?(clientId: string): void;
}

export interface MessageList {
  /** The scrolling live region. */
  element: HTMLElement;
  /** Shows a model's snapshot, keyed by id and clientId; returns the messages new on screen. */
  sync(content: Pick<ConversationState, 'messages' | 'pending' | 'receipt'>): ShownMessage[];
  /** A note from the product (joined, left, closed) after the newest message; kept in view from the end. */
  system(text: string): void;
  scrollToEnd(): void;
  nearBottom(): boolean;
  clear(): void;
}

const GROUP_GAP_MS = 5 * 60_000;
/** Messages further than this from the newest are marked far (messages.css: laid out only near the screen). */
export const NEAR_END = 40;

export function createMessageList(opts: MessageListOptions): MessageList {
  const { i18n } = opts;
  const element = h('div', { class: 'msg-list', role: 'log', 'aria-live': 'polite', 'aria-label': opts.label, tabindex: '0' });
  if (opts.intro) {
    opts.intro.dataset.key = '-1';
    element.appendChild(opts.intro);
  }
  const nodes = new Map<string, HTMLElement>();
  /** The snapshot object each node was last drawn from. */
  const drawn = new Map<string, ShownMessage>();
  const pending = new Map<string, HTMLElement>();
  let maxSeq = 0;

  const keyOf = (el: Element) => Number((el as HTMLElement).dataset.key);

  /** Inserts by key (seq; system notes between seqs; pending last), scanning from the end. */
  function place(el: HTMLElement) {
    const key = keyOf(el);
    let after = element.lastElementChild;
    while (after && keyOf(after) > key) after = after.previousElementSibling;
    element.insertBefore(el, after ? after.nextSibling : element.firstChild);
    regroup(el);
    const next = el.nextElementSibling as HTMLElement | null;
    if (next) regroup(next);
  }

  /** The author's name shows once per run of messages from the same person. */
  function regroup(el: HTMLElement) {
    if (!el.classList.contains('msg')) return;
    const prev = el.previousElementSibling as HTMLElement | null;
    const continued =
      prev !== null &&
      prev.classList.contains('msg') &&
      prev.dataset.author === el.dataset.author &&
      Math.abs(Number(el.dataset.at) - Number(prev.dataset.at)) < GROUP_GAP_MS;
    el.classList.toggle('msg-continued', continued);
  }

  function bubble(m: { author: Message['author']; body: string; createdAt: string; attachment?: Message['attachment'] | AttachmentInfo }, mine: boolean): HTMLElement {
    const time = h('time', { datetime: m.createdAt, title: i18n.fullTime(m.createdAt) }, i18n.clockTime(m.createdAt));
    return h(
      'div',
      {
        class: `msg ${mine ? 'msg-mine' : 'msg-theirs'} msg-${m.author.kind}`,
        'data-author': `${m.author.kind}:${m.author.id}`,
        'data-at': String(Date.parse(m.createdAt) || Date.now()),
      },
      h('div', { class: 'msg-author' }, m.author.name),
      h(
        'div',
        { class: 'msg-bubble' },
        m.attachment && attachmentNode(m.attachment, i18n),
        (m.body !== '' || !m.attachment) && h('p', { class: 'msg-body' }, renderRichText(m.body)),
      ),
      h('div', { class: 'msg-meta' }, time, h('span', { class: 'msg-status' })),
    );
  }

  /** `error`: the code a failed message failed with (error-text.ts says it in words). */
  function setStatus(el: HTMLElement, status: MessageStatus, error?: string | null) {
    el.dataset.status = status;
    const slot = el.querySelector('.msg-status')!;
    if (status === 'pending') setContent(slot, ' · ', i18n.t('common.message.sending'));
    else if (status === 'sent') setContent(slot, ' · ', i18n.t('common.message.sent'));
    else if (status === 'seen') setContent(slot, ' · ', i18n.t('common.message.seen'));
    else if (status === 'failed' || status === 'refused') {
      const clientId = el.dataset.clientId!;
      const onEdit = opts.onEdit;
      setContent(
        slot,
        h('span', { class: 'msg-failed' }, ` · ${notSentText(i18n, error ?? null)} `),
        status === 'failed'
          ? h('button', { type: 'button', class: 'link-button', onclick: () => opts.onRetry(clientId) }, i18n.t('common.message.retry'))
          : onEdit
            ? h('button', { type: 'button', class: 'link-button', onclick: () => onEdit(clientId) }, i18n.t('common.message.edit'))
            : null,
      );
    } else setContent(slot);
  }

  function messageNode(m: Message): HTMLElement {
    const mine = m.author.kind === opts.mine;
    const el = bubble(m, mine);
    el.dataset.id = m.id;
    el.dataset.seq = String(m.seq);
    el.dataset.key = String(m.seq);
    el.dataset.clientId = m.clientId;
    return el;
  }

  let receipt: ConversationState['receipt'] = null;
  const nearBottom = () => element.scrollHeight - element.scrollTop - element.clientHeight < 80;
  const scrollToEnd = () => {
    element.scrollTop = element.scrollHeight;
  };

  function sync(content: Pick<ConversationState, 'messages' | 'pending' | 'receipt'>): ShownMessage[] {
    const fresh: ShownMessage[] = [];
    const ids = new Set<string>();
    for (const m of content.messages) {
      ids.add(m.id);
      const el = nodes.get(m.id);
      if (el) {
        // The model hands out a new object only when the author's name changed: the rest cost nothing here.
        if (drawn.get(m.id) === m) continue;
        drawn.set(m.id, m);
        // Renamed since (the visitor gave their name): the new name on the old message too.
        const author = el.querySelector('.msg-author')!;
        if (author.textContent !== m.author.name) setContent(author, m.author.name);
        continue;
      }
      const node = messageNode(m);
      nodes.set(m.id, node);
      drawn.set(m.id, m);
      maxSeq = Math.max(maxSeq, m.seq);
      place(node);
      fresh.push(m);
    }
    for (const [id, el] of nodes) {
      if (ids.has(id)) continue;
      el.remove();
      nodes.delete(id);
      drawn.delete(id);
    }
    // Newly far, from the boundary up to the first one marked before.
    for (let i = content.messages.length - NEAR_END - 1; i >= 0; i--) {
      const el = nodes.get(content.messages[i].id)!;
      if (el.classList.contains('msg-far')) break;
      el.classList.add('msg-far');
    }
    const waiting = new Set(content.pending.map((p) => p.clientId));
    for (const [clientId, el] of pending) {
      if (waiting.has(clientId)) continue;
      el.remove();
      pending.delete(clientId);
    }
    for (const p of content.pending) {
      if (!pending.has(p.clientId)) addPending(p.clientId, p.body, p.createdAt, p.attachment);
      const el = pending.get(p.clientId)!;
      const status = p.state === 'sending' ? 'pending' : p.retryable ? 'failed' : 'refused';
      if (el.dataset.status !== status) setStatus(el, status, p.error);
    }
    const next = content.receipt;
    if (receipt && receipt.id !== next?.id) {
      const old = nodes.get(receipt.id);
      if (old) setStatus(old, 'none');
    }
    if (next) setStatus(nodes.get(next.id)!, next.status);
    receipt = next;
    return fresh;
  }

  function addPending(clientId: string, body: string, createdAt: string, attachment?: AttachmentInfo) {
    // Written at createdAt: before a reload, for one restored after it.
    const el = bubble({ author: { kind: opts.mine, id: 'me', name: i18n.t('common.message.you') }, body, createdAt, attachment }, true);
    el.dataset.clientId = clientId;
    el.dataset.key = String(Number.MAX_SAFE_INTEGER);
    pending.set(clientId, el);
    setStatus(el, 'pending');
    element.appendChild(el);
    regroup(el);
  }

  return {
    element,
    sync,
    system(text) {
      const atEnd = nearBottom();
      place(h('div', { class: 'msg-system', 'data-key': String(maxSeq + 0.5) }, text));
      if (atEnd) scrollToEnd();
    },
    scrollToEnd,
    nearBottom,
    clear() {
      // Pending messages survive: the first message of a new conversation is still on its way.
      element.replaceChildren(...(opts.intro ? [opts.intro] : []), ...pending.values());
      nodes.clear();
      drawn.clear();
      receipt = null;
      maxSeq = 0;
    },
  };
}
