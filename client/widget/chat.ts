// The visitor chat (/chat, and the widget's panel at /chat?embed=1): session,
// /visitor socket, header, notes and the unread badge. The conversation itself
// (delivery, catch-up, reads, typing, presence) is client/lib/conversation-model.ts.

import { io, type Socket } from 'socket.io-client';
import type { VisitorClientEvents, VisitorServerEvents } from '../../server/protocol/events.ts';
import type { Visitor } from '../../server/protocol/shapes.ts';
import { call, emitAck } from '../lib/ack.ts';
import { api, ApiError } from '../lib/api.ts';
import { type ConversationState, createConversationModel } from '../lib/conversation-model.ts';
import { browserChannel, createPendingClaims } from '../lib/pending-claims.ts';
import { createPendingStore } from '../lib/pending-store.ts';
import { socketOptions, transportFrom } from '../lib/socket-options.ts';
import { remember, remembered, tabStorage } from '../lib/storage.ts';
import { createTypingSender } from '../lib/typing.ts';
import { createChatView } from './chat-view.ts';
import { connectBridge, framedCrossOrigin, type HostPage } from './embed-bridge.ts';

type VisitorSocket = Socket<VisitorServerEvents, VisitorClientEvents>;

const PROFILE_DISMISSED = 'parley:profile-dismissed';
/** The visitor's unsent messages in this tab (docs/protocol.md, "Unsent messages"). */
const OUTBOX_KEY = 'parley:outbox:visitor';
const noop = () => {};

function start(mount: HTMLElement) {
  const embedded = new URLSearchParams(location.search).get('embed') === '1';
  let visitor: Visitor | null = null;
  let agentsAvailable: number | null = null;
  /** Agents already announced in this conversation (a reconnect or reload does not announce again). */
  const announced = new Set<string>();
  let isOpen = !embedded;
  // Framed: the host page tells us where the visitor is (the frame's own address says nothing).
  let page: HostPage | null = embedded ? null : { url: location.href, title: document.title };

  const view = createChatView({
    embedded,
    onClose: () => bridge?.close(),
    onSend: (body) => {
      typingSender.stop();
      model.send(body);
    },
    onInput: () => typingSender.input(),
    onRetry: (clientId) => model.retry(clientId),
    onEdit: (clientId) => {
      const body = model.discard(clientId);
      if (body !== null) view.composer.restore(body);
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
  const typingSender = createTypingSender((typing) => socket.connected && socket.emit('typing', { typing }));
  const model = createConversationModel({
    side: 'visitor',
    history: (q) => call(socket, 'history:get', q),
    send: (input) => emitAck(socket, 'message:send', input),
    sendRead: (seq) => socket.emit('read', { seq }),
    connected: () => socket.connected,
    persist: createPendingStore({ storage: tabStorage(), key: OUTBOX_KEY, claims: createPendingClaims({ channel: browserChannel('parley:pending') }) }),
  });
  let shown: ConversationState = model.getState();

  const visible = () => isOpen && document.visibilityState === 'visible';

  /** After the visitor has written, offer (once) to leave a name and email. */
  function askProfile() {
    if (visitor && !remembered(PROFILE_DISMISSED) && /^Visitor [0-9a-z]{4}$/i.test(visitor.name) && !visitor.email) view.showProfile(true, visitor);
  }

  /** Open and on screen: everything shown is read (the model tells the server and the other tabs). */
  function markRead() {
    if (visible()) model.markRead();
  }

  function sendPageView() {
    if (socket.connected && page?.url) socket.emit('page:view', { url: page.url, title: page.title || undefined });
  }

  /**
   * The header, the welcome and the note say one thing, from the conversation and whether any
   * agent is available: never "someone will be with you shortly" while nobody is.
   */
  function refreshHeader() {
    const c = shown.conversation;
    const agentOnline = shown.peerOnline;
    // Until the server says, assume someone may be there (the common case, and no false alarm).
    const away = agentsAvailable === 0;
    if (c?.status === 'active' && c.agent) {
      view.setHeader(c.agent.name, agentOnline ? 'Online · here to help' : 'Away for a moment — they will be back', { name: c.agent.name, online: agentOnline });
    } else if (c?.status === 'queued') {
      const pos = c.queuePosition;
      const place = pos ? `You are #${pos} in the queue` : 'You are in the queue';
      view.setHeader('Chat with us', away ? `${place} · nobody is available yet` : `${place} — someone will be with you shortly`, { name: null, online: null });
    } else if (c?.status === 'closed') {
      view.setHeader('Chat with us', 'This conversation has ended', { name: null, online: null });
    } else {
      view.setHeader('Chat with us', away ? 'We are away right now' : 'We typically reply in a few minutes', { name: null, online: null });
    }
    view.setWelcome(away ? 'Ask us anything — leave a message and we will answer here as soon as someone is back.' : 'Ask us anything — we usually answer within a few minutes.');
    view.setNote(
      away && c?.status === 'queued'
        ? 'Nobody is available right now. Your message is saved: we will answer here as soon as someone is back.'
        : null,
    );
  }

  /** Draws a new snapshot of the model; notes come from what changed since the last one. */
  function render(next: ConversationState) {
    if (next === shown) return;
    const prev = shown;
    shown = next;
    if (next.conversationId !== prev.conversationId) {
      if (prev.conversationId !== null) view.list.clear();
      announced.clear();
    }
    const atEnd = view.list.nearBottom();
    const fresh = view.list.sync(next);
    const c = next.conversation;
    const was = prev.conversation;
    if (c && c.id !== was?.id) {
      // A conversation found already going (a load, a reload, a catch-up): its agent is no news.
      if (c.agent) announced.add(c.agent.id);
      if (c.status === 'closed') view.list.system('This conversation has ended. Write again any time to start a new one.');
    } else if (c?.status === 'closed' && was?.status !== 'closed') {
      view.list.system(`${was?.agent?.name ?? 'The agent'} closed the conversation. Write again any time to start a new one.`);
    }
    const wrote = fresh.some((m) => m.mine) || next.pending.length > prev.pending.length;
    if (atEnd || wrote) view.list.scrollToEnd();
    if (fresh.some((m) => m.mine)) askProfile();
    if (next.typing !== prev.typing) {
      if (next.typing) view.typing.show(next.typing.participant.name);
      else view.typing.hide();
    }
    if (next.unread !== prev.unread) bridge?.setUnread(next.unread);
    refreshHeader();
  }
  model.subscribe(() => {
    markRead(); // open and on screen: what arrives is read before it could count as unread
    render(model.getState());
  });

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
      // No promise of an email reply: nothing sends one (yet).
      view.list.system(`Thanks${visitor.name ? `, ${visitor.name}` : ''}! We will reply right here.`);
    } catch (err) {
      const message = err instanceof Error ? err.message : '';
      view.setProfileError(/email/i.test(message) ? 'That email address does not look right.' : 'Could not save, try again.');
    }
  }

  let refusals = 0;
  socket.on('connect', () => {
    refusals = 0;
    view.setConnection('online');
    sendPageView();
    // Sends what waited, tells the read position, and loads (first time) or catches up (after a drop).
    model.resume().catch(noop); // the next connect or resync retries
  });
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') view.setConnection('reconnecting');
    model.disconnected();
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
  socket.on('conversation', (c) => model.conversation(c));
  socket.on('message', (m) => model.messages([m]));
  socket.on('resync', () => model.catchUp().catch(noop));
  socket.on('availability', ({ agentsOnline }) => {
    agentsAvailable = agentsOnline;
    refreshHeader();
  });
  socket.on('typing', (e) => model.typing(e));
  socket.on('read', (e) => model.read(e));
  socket.on('presence', (e) => {
    const c = model.getState().conversation;
    model.presence(e);
    if (e.participant.kind !== 'agent' || e.conversationId !== c?.id) return;
    if (e.action === 'join') {
      if (!announced.has(e.participant.id) && shown.loaded) view.list.system(`${e.participant.name} joined the conversation`);
      announced.add(e.participant.id);
    } else if (c.agent?.id !== e.participant.id && c.status !== 'closed') {
      // Released or transferred (not just offline): say so.
      view.list.system(`${e.participant.name} left the conversation`);
      announced.delete(e.participant.id);
    }
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
