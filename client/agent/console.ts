// The agent console (/agent): the /agent socket and the console's state —
// queue, the agent's conversations, selection, unread counts, status,
// notifications, reconnect with catch-up. Views live in sibling files.

import { io } from 'socket.io-client';
import type { VisitorContext } from '../../server/protocol/events.ts';
import type { Agent, Conversation } from '../../server/protocol/shapes.ts';
import { AckFailure, call } from '../lib/ack.ts';
import { api } from '../lib/api.ts';
import { createAppHeader } from '../lib/app-header.ts';
import { h, icon, ICONS, setContent } from '../lib/dom.ts';
import { socketOptions, transportFrom } from '../lib/socket-options.ts';
import { createToasts } from '../lib/toast.ts';
import { createContextPanel } from './context-panel.ts';
import { type AgentSocket, type ConversationPane, createConversationPane, type PaneActions } from './conversation-pane.ts';
import { createNotifier } from './notifier.ts';
import { createSidebar, type MineItem } from './sidebar.ts';
import { openTransferDialog } from './transfer-dialog.ts';

const STATUS_KEY = 'parley:agent-status';

async function start(mount: HTMLElement) {
  const me = (await api<{ agent?: Agent }>('GET', '/api/me').catch(() => ({ agent: undefined }))).agent;
  if (!me) return location.assign('/login?next=/agent');

  const socket: AgentSocket = io('/agent', socketOptions(transportFrom(location.search)));
  const queue = new Map<string, Conversation>();
  const previews = new Map<string, string>();
  const mine = new Map<string, MineItem & { pane: ConversationPane }>();
  const peeks = new Map<string, ConversationPane>();
  let selected: string | null = null;
  let connectedOnce = false;
  /** Claims in flight from this tab: their `conversation` event is no news to this agent. */
  const claiming = new Set<string>();

  const toasts = createToasts();
  const notifier = createNotifier((id) => select(id));
  const statusSelect = h('select', { id: 'agent-status', 'aria-label': 'Your status', class: 'status-select' }, h('option', { value: 'online' }, '● Online'), h('option', { value: 'away' }, '◐ Away'));
  statusSelect.value = localStorage.getItem(STATUS_KEY) === 'away' ? 'away' : 'online';
  statusSelect.addEventListener('change', () => {
    const status = statusSelect.value === 'away' ? 'away' : 'online';
    localStorage.setItem(STATUS_KEY, status);
    void call(socket, 'status:set', { status }).catch(() => toasts.show('Could not change your status.', 'error'));
  });
  const notifyButton = h('button', { type: 'button', class: 'btn btn-small', hidden: notifier.state() !== 'default' }, icon(ICONS.bell, 16), 'Enable notifications');
  notifyButton.addEventListener('click', () => void notifier.enable().then(() => (notifyButton.hidden = notifier.state() !== 'default')));
  const header = createAppHeader(me, 'agent', [notifyButton, statusSelect]);
  const sidebar = createSidebar({ onSelect: select, onClaim: claim });
  const context = createContextPanel();
  const main = h('main', { class: 'main', id: 'main' });
  mount.replaceChildren(header.element, header.banner, h('div', { class: 'console' }, sidebar.element, main, context.element), toasts.element);

  const emptyState = h('div', { class: 'empty-state' }, h('p', { class: 'empty-title' }, 'No conversation selected'), h('p', null, 'Claim a waiting visitor from the queue, or pick one of your conversations.'));

  function render() {
    const list = [...mine.values()].sort((a, b) => Date.parse(b.conversation.createdAt) - Date.parse(a.conversation.createdAt));
    const waiting = [...queue.values()].sort((a, b) => (a.queuePosition ?? 1e9) - (b.queuePosition ?? 1e9));
    sidebar.render(waiting, list, selected, previews);
    const unread = list.reduce((n, m) => n + m.unread, 0);
    document.title = `${unread ? `(${unread}) ` : ''}Console — Parley`;
  }

  function paneOf(id: string): ConversationPane | null {
    return mine.get(id)?.pane ?? peeks.get(id) ?? null;
  }

  async function refreshContext() {
    const pane = selected ? paneOf(selected) : null;
    if (!pane) return context.show(null, null);
    const c = pane.conversation();
    let visitor: VisitorContext | null = null;
    try {
      visitor = (await call(socket, 'visitor:get', { conversationId: c.id })).visitor;
    } catch {
      /* shown without the live details */
    }
    if (selected === c.id) context.show(pane.conversation(), visitor);
  }

  function select(id: string | null) {
    if (selected && selected !== id && mine.get(selected)?.conversation.status !== 'active') dismiss(selected, false);
    selected = id;
    let pane = id ? paneOf(id) : null;
    if (id && !pane && queue.has(id)) {
      pane = createConversationPane(socket, me!, queue.get(id)!, actions);
      peeks.set(id, pane);
      void pane.load().catch(() => toasts.show('Could not load that conversation.', 'error'));
    }
    setContent(main, pane ? pane.element : emptyState);
    const item = id ? mine.get(id) : undefined;
    if (item) item.unread = 0;
    pane?.onShow();
    render();
    void refreshContext();
  }

  function addMine(c: Conversation) {
    if (mine.has(c.id)) return mine.get(c.id)!.pane.update(c);
    const pane = peeks.get(c.id) ?? createConversationPane(socket, me!, c, actions);
    const fresh = !peeks.has(c.id);
    peeks.delete(c.id);
    pane.update(c);
    mine.set(c.id, { conversation: c, unread: 0, preview: previews.get(c.id) ?? '', visitorOnline: false, pane });
    if (fresh) void pane.load().catch(() => {});
    else void pane.catchUp().catch(() => {});
  }

  function dismiss(id: string, reselect = true) {
    mine.delete(id);
    peeks.delete(id);
    if (reselect && selected === id) select(null);
    render();
  }

  const fail = (err: unknown, what: string) => {
    const code = err instanceof AckFailure ? err.code : 'timeout';
    if (code === 'already_claimed') toasts.show('Someone else just picked up this conversation — no worries, others may be waiting.');
    else if (code === 'conversation_closed') toasts.show('This conversation has already been closed.');
    else toasts.show(`Could not ${what}. ${err instanceof Error ? err.message : ''}`, 'error');
  };

  async function claim(id: string) {
    claiming.add(id);
    try {
      const { conversation } = await call(socket, 'conversation:claim', { conversationId: id });
      queue.delete(id);
      addMine(conversation);
      select(id);
    } catch (err) {
      fail(err, 'claim the conversation');
      if (err instanceof AckFailure && (err.code === 'already_claimed' || err.code === 'conversation_closed')) {
        queue.delete(id);
        peeks.get(id)?.setNote('This conversation is no longer waiting.');
        render();
      }
    } finally {
      claiming.delete(id);
    }
  }

  const actions: PaneActions = {
    claim: (id) => void claim(id),
    async release(id) {
      try {
        await call(socket, 'conversation:release', { conversationId: id });
        dismiss(id);
        toasts.show('Returned to the queue.');
      } catch (err) {
        fail(err, 'release the conversation');
      }
    },
    transfer(id) {
      openTransferDialog(me!, async (agentId, name) => {
        try {
          await call(socket, 'conversation:transfer', { conversationId: id, agentId });
          dismiss(id);
          toasts.show(`Transferred to ${name}.`);
        } catch (err) {
          fail(err, 'transfer the conversation');
        }
      });
    },
    async close(id) {
      try {
        const { conversation } = await call(socket, 'conversation:close', { conversationId: id });
        onConversation(conversation);
      } catch (err) {
        fail(err, 'close the conversation');
      }
    },
    dismiss: (id) => dismiss(id),
    visible: (id) => selected === id && document.visibilityState === 'visible',
    received(id, messages) {
      const item = mine.get(id);
      const last = messages[messages.length - 1];
      previews.set(id, last.body);
      if (!item) return;
      item.preview = last.body;
      const fromVisitor = messages.filter((m) => m.author.kind === 'visitor');
      if (fromVisitor.length && !actions.visible(id)) {
        item.unread += fromVisitor.length;
        notifier.alert(item.conversation.visitor.name, fromVisitor[fromVisitor.length - 1].body, id);
      }
      render();
    },
  };

  function onConversation(c: Conversation) {
    if (c.status === 'queued') queue.set(c.id, c);
    else queue.delete(c.id);
    peeks.get(c.id)?.update(c);
    const item = mine.get(c.id);
    if (c.status === 'active' && c.agent?.id === me!.id) {
      if (!item && connectedOnce && !claiming.has(c.id)) {
        toasts.show(`${c.visitor.name} was assigned to you.`);
        notifier.alert('Conversation assigned to you', c.visitor.name, c.id);
      }
      addMine(c);
    } else if (item) {
      item.conversation = c;
      item.pane.update(c);
      if (c.status !== 'closed') {
        item.pane.setNote(c.status === 'queued' ? 'This conversation is back in the queue.' : `This conversation is now with ${c.agent?.name ?? 'another agent'}.`);
      }
      if (selected !== c.id) dismiss(c.id);
    }
    if (mine.has(c.id)) mine.get(c.id)!.conversation = c;
    render();
    if (selected === c.id) void refreshContext();
  }

  async function fetchPreview(c: Conversation) {
    if (previews.has(c.id)) return;
    const page = await call(socket, 'history:get', { conversationId: c.id, limit: 1 });
    const last = page.messages[page.messages.length - 1];
    if (last) previews.set(c.id, last.body);
    render();
  }

  socket.on('connect', () => {
    header.setConnection('online');
    if (statusSelect.value === 'away') socket.emit('status:set', { status: 'away' }, () => {});
    if (connectedOnce) for (const { pane } of mine.values()) void pane.resume().catch(() => {});
    connectedOnce = true;
  });
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') header.setConnection('reconnecting');
  });
  socket.on('connect_error', (err) => {
    if (err.message === 'unauthorized') location.assign('/login?next=/agent');
    else if (err.message === 'forbidden') header.setConnection('failed', 'This session cannot open the console. Sign in again.');
    else header.setConnection('reconnecting');
  });
  socket.on('queue', ({ conversations }) => {
    queue.clear();
    for (const c of conversations) queue.set(c.id, c);
    conversations.slice(0, 20).forEach((c) => void fetchPreview(c).catch(() => {}));
    render();
  });
  socket.on('queue:add', (c) => {
    const isNew = !queue.has(c.id);
    queue.set(c.id, c);
    if (isNew) notifier.alert('A visitor is waiting', c.visitor.name, c.id);
    void fetchPreview(c).catch(() => {});
    render();
  });
  socket.on('queue:remove', ({ conversationId, reason }) => {
    queue.delete(conversationId);
    if (!mine.has(conversationId)) peeks.get(conversationId)?.setNote(reason === 'claimed' ? 'A teammate picked up this conversation.' : 'This conversation was closed.');
    render();
  });
  socket.on('conversation', onConversation);
  socket.on('message', (m) => mine.get(m.conversationId)?.pane.receive([m]));
  socket.on('typing', (e) => {
    if (e.participant.kind === 'visitor') mine.get(e.conversationId)?.pane.typing(e.participant.name, e.typing);
  });
  socket.on('read', (e) => {
    if (e.participant.kind === 'visitor') mine.get(e.conversationId)?.pane.setPeerRead(e.seq);
  });
  socket.on('presence', (e) => {
    const item = mine.get(e.conversationId);
    if (!item || e.participant.kind !== 'visitor') return;
    item.visitorOnline = e.action === 'join';
    item.pane.setVisitorOnline(item.visitorOnline);
    render();
    if (selected === e.conversationId) void refreshContext();
  });
  socket.on('resync', () => {
    for (const { pane } of mine.values()) void pane.catchUp().catch(() => {});
  });

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible' || !selected) return;
    const item = mine.get(selected);
    if (item) item.unread = 0;
    paneOf(selected)?.markRead();
    render();
  });
  // Wait times tick; the visitor's current page is refreshed while their conversation is open.
  setInterval(() => sidebar.tick(), 1000);
  setInterval(() => document.visibilityState === 'visible' && selected && void refreshContext(), 20_000);
  select(null);
}

void start(document.getElementById('app')!);
