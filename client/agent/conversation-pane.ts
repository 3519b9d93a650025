// One conversation in the console: header and actions, transcript with
// scroll-back, typing both ways, read receipts, and the agent's own sends
// (pending → confirmed, retried with the same clientId, caught up by seq).

import type { Socket } from 'socket.io-client';
import type { AgentClientEvents, AgentServerEvents } from '../../server/protocol/events.ts';
import type { Agent, Conversation, HistoryQuery, Message } from '../../server/protocol/shapes.ts';
import { call, emitAck } from '../lib/ack.ts';
import { createComposer } from '../lib/composer.ts';
import { debounce, h, setContent } from '../lib/dom.ts';
import { duration } from '../lib/format.ts';
import { fetchAfter } from '../lib/history.ts';
import { createMessageList } from '../lib/message-list.ts';
import { createOutbox } from '../lib/outbox.ts';
import { createTypingIndicator, createTypingSender } from '../lib/typing.ts';

export type AgentSocket = Socket<AgentServerEvents, AgentClientEvents>;

export interface PaneActions {
  claim(id: string): void;
  release(id: string): void;
  transfer(id: string): void;
  close(id: string): void;
  dismiss(id: string): void;
  /** The agent read up to here (the console decides whether the pane is on screen). */
  visible(id: string): boolean;
  /** New messages arrived (for unread counts and notifications). */
  received(id: string, messages: Message[]): void;
}

export interface ConversationPane {
  element: HTMLElement;
  conversation(): Conversation;
  update(c: Conversation): void;
  receive(messages: Message[]): void;
  load(): Promise<void>;
  catchUp(): Promise<void>;
  /** After a reconnect: send what waited, fetch what was missed. */
  resume(): Promise<void>;
  typing(name: string, on: boolean): void;
  setVisitorOnline(online: boolean): void;
  setPeerRead(seq: number): void;
  setNote(text: string | null): void;
  markRead(): void;
  onShow(): void;
}

export function createConversationPane(socket: AgentSocket, me: Agent, initial: Conversation, actions: PaneActions): ConversationPane {
  let c = initial;
  let loaded = false;
  let visitorOnline = false;
  let lastReadSent = 0;
  let loadingOlder = false;
  const bodies = new Map<string, string>();
  const id = c.id;

  const title = h('h2', { class: 'pane-title' });
  const status = h('p', { class: 'pane-status' });
  const buttons = h('div', { class: 'pane-actions' });
  const note = h('div', { class: 'pane-note', role: 'status', hidden: true });
  const older = h('button', { type: 'button', class: 'btn btn-small btn-quiet older-button', hidden: true, onclick: () => void loadOlder() }, 'Load earlier messages');
  const list = createMessageList({ mine: 'agent', label: `Conversation with ${c.visitor.name}`, intro: older, onRetry: retry });
  const typingLine = createTypingIndicator();
  const history = (q: HistoryQuery) => call(socket, 'history:get', { conversationId: id, ...q });
  const typingSender = createTypingSender((typing) => socket.connected && socket.emit('typing', { conversationId: id, typing }));
  const composer = createComposer({
    label: `Reply to ${c.visitor.name}`,
    placeholder: 'Write a reply…  (Enter to send, Shift+Enter for a new line)',
    onSend: send,
    onInput: () => typingSender.input(),
  });
  const claimBar = h('div', { class: 'claim-bar' }, h('span', null, 'Waiting in the queue.'), h('button', { type: 'button', class: 'btn btn-primary', onclick: () => actions.claim(id) }, 'Claim conversation'));
  const element = h(
    'section',
    { class: 'pane', 'aria-label': `Conversation with ${c.visitor.name}`, 'data-conversation': id },
    h('header', { class: 'pane-header' }, h('div', { class: 'pane-heading' }, title, status), buttons),
    note,
    list.element,
    typingLine.element,
    claimBar,
    composer.element,
  );

  const outbox = createOutbox({
    send: (item) => emitAck(socket, 'message:send', { conversationId: id, clientId: item.clientId, body: item.body }),
    connected: () => socket.connected,
    onSent: (item, message) => {
      list.confirm(item.clientId, message);
      bodies.delete(item.clientId);
      actions.received(id, [message]);
    },
    onFailed: (item, failure) => list.setPending(item.clientId, 'failed', failure.reason),
  });

  function send(body: string) {
    typingSender.stop();
    const clientId = outbox.send(body);
    bodies.set(clientId, body);
    list.addPending(clientId, body);
    list.scrollToEnd();
  }

  function retry(clientId: string) {
    list.setPending(clientId, 'pending');
    outbox.retry(clientId, bodies.get(clientId) ?? '');
  }

  const mineActive = () => c.status === 'active' && c.agent?.id === me.id;

  function render() {
    setContent(title, c.visitor.name);
    const waited = duration(Date.now() - Date.parse(c.createdAt));
    setContent(
      status,
      c.status === 'queued'
        ? `Waiting in the queue${c.queuePosition ? ` (#${c.queuePosition})` : ''} · started ${waited} ago`
        : c.status === 'closed'
          ? 'Closed'
          : c.agent?.id === me.id
            ? h('span', { class: `presence ${visitorOnline ? 'online' : ''}` }, visitorOnline ? 'Online now' : 'Offline')
            : `With ${c.agent?.name ?? 'another agent'}`,
    );
    const btn = (label: string, run: () => void, cls = '') => h('button', { type: 'button', class: `btn btn-small ${cls}`, onclick: run }, label);
    setContent(
      buttons,
      mineActive() && btn('Release', () => actions.release(id)),
      mineActive() && btn('Transfer…', () => actions.transfer(id)),
      mineActive() && btn('Close', () => actions.close(id), 'btn-danger'),
      c.status === 'closed' && btn('Dismiss', () => actions.dismiss(id)),
    );
    claimBar.hidden = c.status !== 'queued';
    composer.element.hidden = c.status === 'queued';
    composer.setEnabled(mineActive(), c.status === 'closed' ? 'This conversation is closed' : mineActive() ? undefined : 'Only the assigned agent can reply');
    older.hidden = !(loaded && (list.firstSeq() ?? 1) > 1);
  }

  function receive(messages: Message[]) {
    const atEnd = list.nearBottom();
    const fresh = list.add(messages.filter((m) => m.conversationId === id));
    if (fresh.some((m) => m.author.kind === 'visitor')) typingLine.hide();
    if (atEnd || fresh.some((m) => m.author.kind === 'agent' && m.author.id === me.id)) list.scrollToEnd();
    if (fresh.length) actions.received(id, fresh);
    markRead();
    if (list.contiguousSeq() < list.lastSeq()) void catchUp().catch(() => {});
    render();
  }

  function markRead() {
    if (!mineActive() || !actions.visible(id)) return;
    const seq = list.lastSeq();
    if (seq > lastReadSent && socket.connected) {
      lastReadSent = seq;
      socket.emit('read', { conversationId: id, seq });
    }
  }

  async function loadOlder() {
    const first = list.firstSeq();
    if (loadingOlder || first === null || first <= 1) return;
    loadingOlder = true;
    try {
      const page = await history({ beforeSeq: first, limit: 50 });
      list.prepend(page.messages);
    } finally {
      loadingOlder = false;
      render();
    }
  }
  list.element.addEventListener(
    'scroll',
    debounce(() => {
      if (list.element.scrollTop < 60) void loadOlder();
    }, 100),
  );

  let catching: Promise<void> | null = null;
  async function catchUp(): Promise<void> {
    if (!loaded) return load();
    catching ??= fetchAfter(history, list.contiguousSeq())
      .then((result) => {
        if (result.conversation) update(result.conversation);
        receive(result.messages);
      })
      .finally(() => (catching = null));
    return catching;
  }

  async function load() {
    const result = await history({ limit: 50 });
    loaded = true;
    if (result.conversation) update(result.conversation);
    list.add(result.messages);
    if (result.messages.length === 0) list.setBaseline(c.lastSeq);
    list.scrollToEnd();
    markRead();
    render();
  }

  function update(next: Conversation) {
    c = next;
    if (c.status !== 'active') typingLine.hide();
    render();
  }

  render();
  return {
    element,
    conversation: () => c,
    update,
    receive,
    load,
    catchUp,
    resume() {
      outbox.flush();
      return catchUp();
    },
    typing(name, on) {
      if (on) typingLine.show(name);
      else typingLine.hide();
    },
    setVisitorOnline(online) {
      visitorOnline = online;
      render();
    },
    setPeerRead: (seq) => list.setPeerRead(seq),
    setNote(text) {
      note.hidden = text === null;
      setContent(note, text ?? '');
    },
    markRead,
    onShow() {
      list.scrollToEnd();
      markRead();
      if (mineActive()) composer.focus();
    },
  };
}
