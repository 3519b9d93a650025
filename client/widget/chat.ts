// The visitor chat (/chat, and the widget's panel at /chat?embed=1): session,
// /visitor socket, delivery (pending → confirmed, retries, catch-up by seq),
// presence, typing, read receipts and availability.

import { io, type Socket } from 'socket.io-client';
import type { VisitorClientEvents, VisitorServerEvents } from '../../server/protocol/events.ts';
import type { Conversation, HistoryQuery, Message, Visitor } from '../../server/protocol/shapes.ts';
import { call, emitAck } from '../lib/ack.ts';
import { api, ApiError } from '../lib/api.ts';
import { fetchAfter } from '../lib/history.ts';
import { createOutbox } from '../lib/outbox.ts';
import { socketOptions, transportFrom } from '../lib/socket-options.ts';
import { remember, remembered } from '../lib/storage.ts';
import { createTypingSender } from '../lib/typing.ts';
import { createChatView } from './chat-view.ts';
import { connectBridge, framedCrossOrigin, type HostPage } from './embed-bridge.ts';

type VisitorSocket = Socket<VisitorServerEvents, VisitorClientEvents>;

const PROFILE_DISMISSED = 'parley:profile-dismissed';

function start(mount: HTMLElement) {
  const embedded = new URLSearchParams(location.search).get('embed') === '1';
  let visitor: Visitor | null = null;
  let conversation: Conversation | null = null;
  let agentOnline = false;
  let agentsAvailable: number | null = null;
  /** Agents already announced in this conversation (a reconnect or reload does not announce again). */
  const announced = new Set<string>();
  let loaded = false;
  let isOpen = !embedded;
  let lastReadSent = 0;
  let unread = 0;
  // Framed: the host page tells us where the visitor is (the frame's own address says nothing).
  let page: HostPage | null = embedded ? null : { url: location.href, title: document.title };
  const bodies = new Map<string, string>();

  const view = createChatView({
    embedded,
    onClose: () => bridge?.close(),
    onSend: (body) => {
      typingSender.stop();
      const clientId = outbox.send(body);
      bodies.set(clientId, body);
      view.list.addPending(clientId, body);
      view.list.scrollToEnd();
    },
    onInput: () => typingSender.input(),
    onRetry: (clientId) => {
      view.list.setPending(clientId, 'pending');
      outbox.retry(clientId, bodies.get(clientId) ?? '');
    },
    onSaveProfile: (p) => void saveProfile(p),
    onDismissProfile: () => {
      remember(PROFILE_DISMISSED);
      view.showProfile(false);
    },
  });
  mount.replaceChildren(view.root);
  view.setConnection('connecting');

  const bridge = connectBridge({
    onOpen(open) {
      isOpen = open;
      if (open) {
        view.composer.focus();
        view.list.scrollToEnd();
        markRead();
      }
    },
    onPage(p) {
      page = p;
      sendPageView();
    },
  });

  const socket: VisitorSocket = io('/visitor', { ...socketOptions(transportFrom(location.search)), autoConnect: false });
  const history = (q: HistoryQuery) => call(socket, 'history:get', q);
  const typingSender = createTypingSender((typing) => socket.connected && socket.emit('typing', { typing }));
  const outbox = createOutbox({
    send: (item) => emitAck(socket, 'message:send', { clientId: item.clientId, body: item.body }),
    connected: () => socket.connected,
    onSent: (item, message) => {
      view.list.confirm(item.clientId, message);
      bodies.delete(item.clientId);
      askProfile();
    },
    onFailed: (item, reason) => view.list.setPending(item.clientId, 'failed', reason),
  });

  const visible = () => isOpen && document.visibilityState === 'visible';

  /** After the visitor has written, offer (once) to leave a name and email. */
  function askProfile() {
    if (visitor && !remembered(PROFILE_DISMISSED) && /^Visitor [0-9a-z]{4}$/i.test(visitor.name) && !visitor.email) view.showProfile(true, visitor);
  }

  function markRead() {
    if (!visible()) return;
    unread = 0;
    bridge?.setUnread(0);
    const seq = view.list.lastSeq();
    if (seq > lastReadSent && socket.connected && conversation) {
      lastReadSent = seq;
      socket.emit('read', { seq });
    }
  }

  function sendPageView() {
    if (socket.connected && page?.url) socket.emit('page:view', { url: page.url, title: page.title || undefined });
  }

  function refreshHeader() {
    const c = conversation;
    if (c?.status === 'active' && c.agent) {
      view.setHeader(c.agent.name, agentOnline ? 'Online · here to help' : 'Away for a moment — they will be back', { name: c.agent.name, online: agentOnline });
    } else if (c?.status === 'queued') {
      const pos = c.queuePosition;
      view.setHeader('Chat with us', pos ? `You are #${pos} in the queue — someone will be with you shortly` : 'Waiting for the next agent…', { name: null, online: null });
    } else if (c?.status === 'closed') {
      view.setHeader('Chat with us', 'This conversation has ended', { name: null, online: null });
    } else {
      view.setHeader('Chat with us', agentsAvailable === 0 ? 'We are away right now' : 'We typically reply in a few minutes', { name: null, online: null });
    }
    const waiting = !c || c.status !== 'active';
    view.setNote(
      agentsAvailable === 0 && waiting
        ? 'No agent is online right now. Leave a message and we will answer as soon as someone is back.'
        : null,
    );
  }

  /** A conversation snapshot or change; a different id means a new conversation replaces the transcript. */
  function applyConversation(c: Conversation, initial: boolean) {
    const previous = conversation;
    if (!previous || previous.id !== c.id) {
      if (previous) view.list.clear();
      announced.clear();
      lastReadSent = 0;
      agentOnline = false;
      view.typing.hide();
      if (c.agent && (initial || !loaded)) announced.add(c.agent.id);
    }
    conversation = c;
    if (c.status === 'closed' && previous?.id === c.id && previous.status !== 'closed') {
      view.list.system(`${previous.agent?.name ?? 'The agent'} closed the conversation. Write again any time to start a new one.`);
      view.typing.hide();
      agentOnline = false;
    } else if (c.status === 'closed' && initial && previous?.id !== c.id) {
      view.list.system('This conversation has ended. Write again any time to start a new one.');
    }
    refreshHeader();
  }

  function receive(messages: Message[]) {
    const atEnd = view.list.nearBottom();
    const fresh = view.list.add(messages.filter((m) => !conversation || m.conversationId === conversation.id));
    const fromAgent = fresh.filter((m) => m.author.kind !== 'visitor');
    if (fromAgent.length) view.typing.hide();
    if (atEnd || fresh.some((m) => m.author.kind === 'visitor')) view.list.scrollToEnd();
    if (fromAgent.length && !visible()) {
      unread += fromAgent.length;
      bridge?.setUnread(unread);
    }
    markRead();
    // A seq beyond the watermark means something was missed: fetch the gap.
    if (view.list.contiguousSeq() < view.list.lastSeq()) void catchUp();
  }

  async function loadLatest() {
    const result = await history({});
    if (result.conversation) applyConversation(result.conversation, true);
    receive(result.messages);
    loaded = true;
    view.list.scrollToEnd();
    if (result.messages.some((m) => m.author.kind === 'visitor')) askProfile();
  }

  let catching: Promise<void> | null = null;
  function catchUp(): Promise<void> {
    catching ??= (async () => {
      try {
        const result = await fetchAfter(history, view.list.contiguousSeq());
        if (result.conversation && result.conversation.id !== conversation?.id) {
          // The conversation changed while we were away: start over from its latest page.
          return await loadLatest();
        }
        if (result.conversation) applyConversation(result.conversation, false);
        receive(result.messages);
      } finally {
        catching = null;
      }
    })();
    return catching;
  }

  async function saveProfile(p: { name: string; email: string }) {
    const patch: { name?: string; email?: string } = {};
    if (p.name) patch.name = p.name;
    if (p.email) patch.email = p.email;
    if (!patch.name && !patch.email) return view.setProfileError('Add a name or an email address, or choose “Not now”.');
    try {
      visitor = (await call(socket, 'profile:update', patch)).visitor;
      remember(PROFILE_DISMISSED);
      view.setProfileError(null);
      view.showProfile(false);
      view.list.system(`Thanks${visitor.name ? `, ${visitor.name}` : ''}! We will reply here${visitor.email ? ` or at ${visitor.email}` : ''}.`);
    } catch (err) {
      const message = err instanceof Error ? err.message : '';
      view.setProfileError(/email/i.test(message) ? 'That email address does not look right.' : 'Could not save, try again.');
    }
  }

  let refusals = 0;
  socket.on('connect', () => {
    refusals = 0;
    view.setConnection('online');
    outbox.flush();
    sendPageView();
    (loaded ? catchUp() : loadLatest()).catch(() => {
      /* the next connect or resync retries */
    });
  });
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') view.setConnection('reconnecting');
    view.typing.hide();
  });
  socket.on('connect_error', (err) => {
    if (err.message === 'unauthorized') {
      // The session is gone (expired, cleared): get a new one and connect again. Refused twice in a row,
      // the browser is not keeping our cookie in this frame: offer the chat as a page of its own.
      if (++refusals > 1) return view.setConnection('failed', 'Your browser blocks the cookie this chat needs here.', '/chat');
      void openSession().then(() => socket.connect());
    } else if (err.message === 'forbidden' || err.message === 'origin not allowed') {
      view.setConnection('failed', 'This site is not allowed to use the chat.');
    } else {
      view.setConnection('reconnecting');
    }
  });
  socket.on('conversation', (c) => applyConversation(c, !loaded));
  socket.on('message', (m) => receive([m]));
  socket.on('resync', () => void catchUp().catch(() => {}));
  socket.on('availability', ({ agentsOnline }) => {
    agentsAvailable = agentsOnline;
    refreshHeader();
  });
  socket.on('typing', (e) => {
    if (e.participant.kind !== 'agent' || e.conversationId !== conversation?.id) return;
    if (e.typing) view.typing.show(e.participant.name);
    else view.typing.hide();
  });
  socket.on('read', (e) => {
    if (e.participant.kind === 'agent' && e.conversationId === conversation?.id) view.list.setPeerRead(e.seq);
  });
  socket.on('presence', (e) => {
    if (e.participant.kind !== 'agent' || e.conversationId !== conversation?.id) return;
    const current = conversation.agent?.id === e.participant.id;
    if (e.action === 'join') {
      if (current) agentOnline = true;
      if (!announced.has(e.participant.id) && loaded) view.list.system(`${e.participant.name} joined the conversation`);
      announced.add(e.participant.id);
    } else {
      if (current) agentOnline = false;
      // Released or transferred (not just offline): say so.
      if (!current && conversation.status !== 'closed') {
        view.list.system(`${e.participant.name} left the conversation`);
        announced.delete(e.participant.id);
      }
    }
    refreshHeader();
  });

  document.addEventListener('visibilitychange', markRead);

  async function openSession(): Promise<void> {
    const path = framedCrossOrigin() ? '/api/visitor/session?embed=cross-site' : '/api/visitor/session';
    for (let attempt = 0; ; attempt++) {
      try {
        visitor = (await api<{ visitor: Visitor }>('POST', path, {})).visitor;
        return;
      } catch (err) {
        if (err instanceof ApiError && err.status === 403) {
          view.setConnection('failed', 'This site is not allowed to use the chat.');
          throw err;
        }
        view.setConnection('reconnecting');
        await new Promise((r) => setTimeout(r, Math.min(10_000, 1000 * 2 ** attempt)));
      }
    }
  }

  void openSession().then(() => {
    refreshHeader();
    socket.connect();
  });
}

start(document.getElementById('app')!);
