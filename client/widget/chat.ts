// The visitor chat (/chat, and the widget's panel at /chat?embed=1): session,
// /visitor socket, header, notes and the unread badge. The conversation itself
// (delivery, catch-up, reads, typing, presence) is client/lib/conversation-model.ts.

import { io, type Socket } from 'socket.io-client';
import type { Availability, VisitorClientEvents, VisitorServerEvents } from '../../server/protocol/events.ts';
import { defaultNameTag } from '../../server/protocol/names.ts';
import type { Visitor } from '../../server/protocol/shapes.ts';
import { AckFailure, call, emitAck } from '../lib/ack.ts';
import { api, ApiError } from '../lib/api.ts';
import { type ConversationState, createConversationModel } from '../lib/conversation-model.ts';
import { browserChannel, createPendingClaims } from '../lib/pending-claims.ts';
import { createPendingStore } from '../lib/pending-store.ts';
import { errorText } from '../lib/error-text.ts';
import { type I18n, loadPageI18n, type WidgetKey } from '../lib/i18n.ts';
import { socketOptions, transportFrom } from '../lib/socket-options.ts';
import { remember, remembered, tabStorage } from '../lib/storage.ts';
import { createTypingSender } from '../lib/typing.ts';
import { createChatView } from './chat-view.ts';
import { type Bridge, connectBridge, framedCrossOrigin, type HostPage } from './embed-bridge.ts';
import type { Identity } from './embed-protocol.ts';
import { createCsatCard } from './csat-card.ts';
import { createTranscriptOffer } from './transcript-offer.ts';
import type { Csat } from '../../server/protocol/agent-tools.ts';

type VisitorSocket = Socket<VisitorServerEvents, VisitorClientEvents>;

const PROFILE_DISMISSED = 'parley:profile-dismissed';
/** The visitor chose "Not now" for the away email field. */
const EMAIL_DISMISSED = 'parley:email-dismissed';
/** The visitor's unsent messages in this tab (docs/protocol.md, "Unsent messages"). */
const OUTBOX_KEY = 'parley:outbox:visitor';
/** The frame address's count of reloads after an identify (reloadCounted). */
const RELOADS = 'reloads';
const noop = () => {};

function start(mount: HTMLElement, i18n: I18n<WidgetKey>, bridge: Bridge | null) {
  const { t } = i18n;
  document.title = t('widget.pageTitle');
  bridge?.ready(i18n.locale, i18n.dir);
  const embedded = new URLSearchParams(location.search).get('embed') === '1';
  let visitor: Visitor | null = null;
  /** What the server last said of who can answer now (null until it says). */
  let availability: Availability | null = null;
  /** The next opening in the visitor's own time and language: "Tuesday, 13 January, 09:00". */
  const openingTime = new Intl.DateTimeFormat(i18n.locale, { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' });
  /** Agents already announced in this conversation (a reconnect or reload does not announce again). */
  const announced = new Set<string>();
  let isOpen = !embedded;
  // Framed: the host page tells us where the visitor is (the frame's own address says nothing).
  let page: HostPage | null = embedded ? null : { url: location.href, title: document.title };

  const view = createChatView({
    i18n,
    embedded,
    onClose: () => bridge?.close(),
    onSend: (body) => {
      typingSender.stop();
      model.send(body);
    },
    onUploaded: (attachment) => model.send('', attachment),
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
    onSaveEmail: (email) => void saveEmail(email),
    onDismissEmail: () => {
      remember(EMAIL_DISMISSED);
      refreshEmail();
    },
  });
  // The satisfaction question once the conversation has closed (docs/protocol.md, "Satisfaction ratings").
  const csat = createCsatCard({
    i18n,
    onRate: (input) =>
      void call(socket, 'csat:rate', input)
        .then((r) => csat.rated(r.csat))
        .catch((err: unknown) => csat.failed(errorText(i18n, err instanceof AckFailure ? err.code : 'network'))),
  });
  /** The rating the last history answer carried for its conversation. */
  let knownCsat: Csat | null = null;
  view.root.insertBefore(csat.element, view.composer.element);
  // "Email me the transcript" under a closed conversation (docs/protocol.md, "Email").
  const transcript = createTranscriptOffer({
    i18n,
    onRequest: (input) =>
      void call(socket, 'transcript:request', { ...input, language: i18n.locale })
        .then((r) => {
          if (input.email && visitor) visitor = { ...visitor, email: input.email };
          transcript.sent(r.to);
        })
        .catch((err: unknown) => {
          const code = err instanceof AckFailure ? err.code : 'network';
          transcript.failed(code === 'invalid_payload' ? t('widget.profile.badEmail') : code === 'network' ? t('widget.transcript.failed') : errorText(i18n, code));
        }),
  });
  view.root.insertBefore(transcript.element, view.composer.element);
  mount.replaceChildren(view.root);
  view.setConnection('connecting');

  bridge?.listen({
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
    onIdentify: (identity) => void serially(() => identify(identity)),
    onAttributes: (attributes) => void serially(() => api('PUT', withEmbed('/api/visitor/attributes'), { attributes }).then(noop, noop)),
    onReset: () => void serially(reset),
  });

  const socket: VisitorSocket = io('/visitor', { ...socketOptions(transportFrom(location.search)), autoConnect: false });
  const typingSender = createTypingSender((typing) => socket.connected && socket.emit('typing', { typing }));
  const model = createConversationModel({
    side: 'visitor',
    history: (q) =>
      call(socket, 'history:get', q).then((r) => {
        if (r.csat !== undefined) knownCsat = r.csat;
        return r;
      }),
    send: (input) => emitAck(socket, 'message:send', input),
    sendRead: (seq) => socket.emit('read', { seq }),
    connected: () => socket.connected,
    persist: createPendingStore({ storage: tabStorage(), key: OUTBOX_KEY, claims: createPendingClaims({ channel: browserChannel('parley:pending') }) }),
  });
  let shown: ConversationState = model.getState();

  const visible = () => isOpen && document.visibilityState === 'visible';

  /** After the visitor has written, offer (once) to leave a name and email (not while the away email field asks). */
  function askProfile() {
    if (visitor && !emailAsked() && !remembered(PROFILE_DISMISSED) && defaultNameTag(visitor.name) !== null && !visitor.email) view.showProfile(true, visitor);
  }

  /** Open and on screen: everything shown is read (the model tells the server and the other tabs). */
  function markRead() {
    if (visible()) model.markRead();
  }

  function sendPageView() {
    if (!socket.connected || !page?.url) return;
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // The chat's language goes along: the visitor's emails (follow-ups) speak it.
    socket.emit('page:view', { url: page.url, title: page.title || undefined, ...(timeZone ? { timeZone } : {}), language: i18n.locale });
  }

  /** Outside business hours, or no agent available. Until the server says, assume someone may be there (no false alarm). */
  const isAway = () => availability !== null && (!availability.open || availability.agentsOnline === 0);
  /** Away, and the service can email: only then is an email asked for or a reply by email promised. */
  const offersEmail = () => isAway() && availability?.email === true;
  const emailAsked = () => offersEmail() && !visitor?.email && !remembered(EMAIL_DISMISSED);

  /** The away email field: asked before or after the first message; once given, where the reply goes. */
  function refreshEmail() {
    if (!offersEmail()) view.showEmail(null);
    else if (visitor?.email) view.showEmail({ given: visitor.email });
    else view.showEmail(remembered(EMAIL_DISMISSED) ? null : { ask: true });
  }

  /** "We open again …" in the visitor's time, when the team is outside its hours and says when it opens. */
  function opensText(): string | null {
    if (!availability || availability.open || !availability.nextOpening) return null;
    const when = new Date(availability.nextOpening);
    return Number.isNaN(when.getTime()) ? null : t('widget.hours.opens', { when: openingTime.format(when) });
  }

  /**
   * The header, the welcome and the note say one thing, from the conversation, the business hours
   * and whether any agent is available: never "someone will be with you shortly" while nobody is.
   */
  function refreshHeader() {
    const c = shown.conversation;
    const agentOnline = shown.peerOnline;
    const away = isAway();
    const closed = availability?.open === false;
    const opens = opensText();
    if (c?.status === 'active' && c.agent) {
      view.setHeader(c.agent.name, t(agentOnline ? 'widget.status.agentOnline' : 'widget.status.agentAway'), { name: c.agent.name, online: agentOnline });
    } else if (c?.status === 'queued') {
      const position = c.queuePosition;
      const status = position
        ? t(away ? 'widget.queue.placeAway' : 'widget.queue.place', { position })
        : t(away ? 'widget.queue.waitingAway' : 'widget.queue.waiting');
      view.setHeader(t('widget.heading'), status, { name: null, online: null });
    } else if (c?.status === 'closed') {
      view.setHeader(t('widget.heading'), t('widget.status.ended'), { name: null, online: null });
    } else {
      view.setHeader(t('widget.heading'), t(closed ? 'widget.status.closed' : away ? 'widget.status.away' : 'widget.status.available'), { name: null, online: null });
    }
    view.setWelcome(t(offersEmail() && !visitor?.email ? 'widget.welcome.awayEmail' : away ? 'widget.welcome.away' : 'widget.welcome.available'), opens);
    view.setNote(away && c?.status === 'queued' ? [t('widget.note.away'), opens].filter(Boolean).join(' ') : null);
    refreshEmail();
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
      if (c.status === 'closed') view.list.system(t('widget.system.ended'));
    } else if (c?.status === 'closed' && was?.status !== 'closed') {
      view.list.system(was?.agent ? t('widget.system.closedBy', { name: was.agent.name }) : t('widget.system.closed'));
    }
    const wrote = fresh.some((m) => m.mine) || next.pending.length > prev.pending.length;
    if (atEnd || wrote) view.list.scrollToEnd();
    if (fresh.some((m) => m.mine)) askProfile();
    if (next.typing !== prev.typing) {
      if (next.typing) view.typing.show(next.typing.participant.name);
      else view.typing.hide();
    }
    if (next.unread !== prev.unread) bridge?.setUnread(next.unread);
    csat.show(c?.status === 'closed' ? c.id : null, knownCsat);
    showTranscriptOffer();
    refreshHeader();
  }
  function showTranscriptOffer() {
    const c = shown.conversation;
    transcript.show(c?.status === 'closed' ? c.id : null, availability?.email === true, visitor?.email ?? null);
  }
  model.subscribe(() => {
    markRead(); // open and on screen: what arrives is read before it could count as unread
    render(model.getState());
  });

  async function saveProfile(p: { name: string; email: string }) {
    const patch: { name?: string; email?: string } = {};
    if (p.name) patch.name = p.name;
    if (p.email) patch.email = p.email;
    if (!patch.name && !patch.email) return view.setProfileError(t('widget.profile.empty'));
    try {
      visitor = (await call(socket, 'profile:update', patch)).visitor;
      remember(PROFILE_DISMISSED);
      view.setProfileError(null);
      view.showProfile(false);
      refreshEmail();
      // No promise of an email reply: nothing sends one (yet).
      view.list.system(visitor.name ? t('widget.system.thanksName', { name: visitor.name }) : t('widget.system.thanks'));
    } catch (err) {
      // The only field the server can refuse here is the email (the name's length is bounded by the input).
      const code = err instanceof AckFailure ? err.code : null;
      view.setProfileError(code === 'invalid_payload' ? t('widget.profile.badEmail') : code ? errorText(i18n, code) : t('widget.profile.failed'));
    }
  }

  async function saveEmail(email: string) {
    try {
      visitor = (await call(socket, 'profile:update', { email })).visitor;
      view.showProfile(false);
      refreshEmail();
    } catch (err) {
      const code = err instanceof AckFailure ? err.code : null;
      view.setEmailError(code === 'invalid_payload' ? t('widget.profile.badEmail') : code ? errorText(i18n, code) : t('widget.profile.failed'));
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
      if (++refusals > 1) return view.setConnection('failed', t('widget.connection.cookieBlocked'), chatPageHref(i18n));
      void openSession().then(() => socket.connect());
    } else if (err.message === 'identity_required') {
      view.setConnection('failed', errorText(i18n, 'identity_required'));
    } else if (err.message === 'forbidden' || err.message === 'origin not allowed') {
      view.setConnection('failed', t('widget.connection.notAllowed'));
    } else {
      view.setConnection('reconnecting');
    }
  });
  socket.on('conversation', (c) => model.conversation(c));
  socket.on('message', (m) => {
    model.messages([m]);
    bridge?.message(m.author.kind, m.body);
  });
  socket.on('resync', () => model.catchUp().catch(noop));
  socket.on('csat', (c) => {
    knownCsat = c;
    csat.rated(c);
  });
  socket.on('availability', (a) => {
    availability = a;
    // The server sends email (availability.email): only then is a transcript offered.
    showTranscriptOffer();
    refreshHeader();
  });
  socket.on('typing', (e) => model.typing(e));
  socket.on('read', (e) => model.read(e));
  socket.on('presence', (e) => {
    const c = model.getState().conversation;
    model.presence(e);
    if (e.participant.kind !== 'agent' || e.conversationId !== c?.id) return;
    if (e.action === 'join') {
      if (!announced.has(e.participant.id) && shown.loaded) view.list.system(t('widget.system.joined', { name: e.participant.name }));
      announced.add(e.participant.id);
    } else if (c.agent?.id !== e.participant.id && c.status !== 'closed') {
      // Released or transferred (not just offline): say so.
      view.list.system(t('widget.system.left', { name: e.participant.name }));
      announced.delete(e.participant.id);
    }
  });

  document.addEventListener('visibilitychange', markRead);

  /** Session calls one at a time: the first session, the host page's identify, attributes and reset. */
  let queue: Promise<unknown> = Promise.resolve();
  const serially = (task: () => Promise<unknown>) => (queue = queue.then(task, task).catch(noop));
  /** Set once the frame is on its way to a reload: nothing else is sent from this page. */
  let leaving = false;

  async function openSession(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        visitor = (await api<{ visitor: Visitor }>('POST', withEmbed('/api/visitor/session'), {})).visitor;
        return;
      } catch (err) {
        if (err instanceof ApiError && err.status === 403) {
          // IDENTITY_REQUIRED: this visitor waits for the host page's identify (onIdentify).
          view.setConnection('failed', err.code === 'identity_required' ? errorText(i18n, err.code) : t('widget.connection.notAllowed'));
          throw err;
        }
        view.setConnection('reconnecting');
        await new Promise((r) => setTimeout(r, Math.min(10_000, 1000 * 2 ** attempt)));
      }
    }
  }

  /** Parley.identify: a verified identity (or a new name/email); another visitor than this one means a reload. */
  async function identify(identity: Identity): Promise<void> {
    if (leaving) return;
    try {
      const next = (await api<{ visitor: Visitor }>('POST', withEmbed('/api/visitor/session'), identity)).visitor;
      // A new session id and maybe another visitor: start over as them (the loader tells us again, idempotent).
      if ((next.id !== visitor?.id || next.verified !== visitor?.verified) && reloadCounted()) {
        leaving = true;
      } else {
        visitor = next;
        refreshHeader();
      }
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'network';
      if (!visitor) view.setConnection('failed', errorText(i18n, code));
    }
  }

  /** Parley.reset: the host site's user logged out. Forget this visitor here, then start over. */
  async function reset(): Promise<void> {
    if (leaving) return;
    leaving = true;
    await api('DELETE', withEmbed('/api/visitor/session')).catch(noop);
    for (const key of [OUTBOX_KEY, PROFILE_DISMISSED, EMAIL_DISMISSED]) forget(key);
    location.reload();
  }

  void serially(() =>
    openSession().then(() => {
      refreshHeader();
      socket.connect();
    }),
  );
}

/** The session endpoints, with the cookie partitioned for the embedding site when framed by another one. */
function withEmbed(path: string): string {
  return framedCrossOrigin() ? `${path}?embed=cross-site` : path;
}

/**
 * A browser that keeps no cookie in this frame would get a new anonymous visitor on every load, and every
 * identify would reload again: a few reloads per frame (counted in its address: storage may be blocked in a
 * third-party frame too), then the chat stays as it is. Returns false when the budget is spent.
 */
function reloadCounted(): boolean {
  const url = new URL(location.href);
  const count = Number(url.searchParams.get(RELOADS)) || 0;
  if (count >= 5) return false;
  url.searchParams.set(RELOADS, String(count + 1));
  location.replace(url.href);
  return true;
}

function forget(key: string): void {
  try {
    localStorage.removeItem(key);
    sessionStorage.removeItem(key);
  } catch {
    // Storage blocked: nothing was kept.
  }
}

/** The full-page chat, in the language this one speaks (chosen by the embedding page or the admin: keep it). */
function chatPageHref(i18n: I18n<WidgetKey>): string {
  return `/chat?lang=${encodeURIComponent(i18n.locale)}`;
}

// The bridge listens before the language is known: the loader's init may come while a catalogue is fetched.
const bridge = connectBridge();
void loadPageI18n<WidgetKey>(['common', 'widget']).then((i18n) => start(document.getElementById('app')!, i18n, bridge));
