// The agent console's state, without a view: the /agent socket's events routed
// to one conversation model per conversation (client/lib/conversation-set.ts),
// the waiting queue in order, the agent's own conversations, the selection and
// the actions (claim, release, transfer, close). Views read its signals.

import { batch, computed, effect, type ReadonlySignal, type Signal, signal } from '@preact/signals';
import type { Socket } from 'socket.io-client';
import type { AgentClientEvents, AgentServerEvents, VisitorContext } from '../../server/protocol/events.ts';
import type { Agent, Conversation } from '../../server/protocol/shapes.ts';
import { AckFailure, call, emitAck } from '../lib/ack.ts';
import { type ConversationModel, type ConversationState, createConversationModel } from '../lib/conversation-model.ts';
import { createConversationSet } from '../lib/conversation-set.ts';
import { errorText } from '../lib/error-text.ts';
import type { ConsoleKey, I18n } from '../lib/translator.ts';
import type { PendingStore } from '../lib/pending-store.ts';
import { queueWithPositions } from './queue-order.ts';
import { createPrivateNotes } from './private-notes.ts';

export type AgentSocket = Socket<AgentServerEvents, AgentClientEvents>;

/**
 * What the state asks of notifications (notifier.ts implements it with the DOM). Declared here so
 * that the state stays DOM-free and runs in Node too (the fault suite drives consoles with it).
 */
export interface Alerts {
  alert(title: string, body: string, tag: string): void;
}
export type Connection = { state: 'connecting' | 'online' | 'reconnecting' | 'failed'; text?: string };

export interface ConsoleDeps {
  me: Agent;
  /** The page's translator: toasts, notes and notifications are written in the agent's language. */
  t: I18n<ConsoleKey>['t'];
  /** Visitors' default names in the agent's language. */
  name: I18n<ConsoleKey>['name'];
  socket: AgentSocket;
  notifier: Alerts;
  toast(text: string, kind?: 'info' | 'error'): void;
  /** Where an expired session goes. */
  signIn(): void;
  /** The agent's status from their last visit (told to the server on every connect). */
  status: 'online' | 'away';
  /** Where a conversation's unsent replies are kept across reloads of the tab (in memory only without it). */
  pendingStore?(conversationId: string): PendingStore;
}

/** Queued conversations whose latest messages are fetched for their preview at once (the rest on sight). */
const PREVIEWED = 20;
/**
 * Catch-ups after a reconnect or a resync run this many at a time: the server answers a
 * connection's reads one after another and refuses more than 32 waiting (MAX_HEAVY_WAITING),
 * so a long queue's catch-ups all at once would crowd out the agent's own conversations.
 */
const CATCH_UP_AT_ONCE = 4;
const noop = () => {};

export type ConsoleState = ReturnType<typeof createConsoleState>;

export function createConsoleState({ me, t, name: shownName, socket, notifier, toast, signIn, status: initialStatus, pendingStore }: ConsoleDeps) {
  const status = signal(initialStatus);
  const connection = signal<Connection>({ state: 'connecting' });
  const waiting = signal<ReadonlyMap<string, Conversation>>(new Map());
  const mineIds = signal<readonly string[]>([]);
  const selected = signal<string | null>(null);
  /** A line above a conversation that changed hands while it was on screen. */
  const notes = signal<Readonly<Record<string, string>>>({});
  /** Set by the view: the tab is visible, and the conversation (not the list) is on screen. */
  const pageVisible = signal(true);
  const paneOnScreen = signal(true);
  const visitor = signal<{ conversationId: string; visitor: VisitorContext | null } | null>(null);
  const states = new Map<string, Signal<ConversationState>>();
  /** Claims in flight from this tab: their `queue:remove` and `conversation` are no news here. */
  const claiming = new Set<string>();
  /** Per own conversation, the newest seq already announced (a notification per new visitor message). */
  const announced = new Map<string, number>();
  let connectedOnce = false;
  const privateNotes = createPrivateNotes({ socket, t, notifier, toast });

  const set = createConversationSet((c) => {
    const model = createConversationModel({
      side: 'agent',
      conversation: c,
      history: privateNotes.withNotes((q) => call(socket, 'history:get', { conversationId: c.id, ...q })),
      send: (input) => emitAck(socket, 'message:send', { conversationId: c.id, ...input }),
      sendRead: (seq) => socket.emit('read', { conversationId: c.id, seq }),
      connected: () => socket.connected,
      persist: pendingStore?.(c.id),
    });
    const state = signal<ConversationState>(model.getState());
    states.set(c.id, state);
    model.subscribe(() => {
      if (set.get(c.id) !== model) return; // dropped while a page was on its way
      state.value = model.getState();
      announce(c.id, state.value);
    });
    return model;
  });

  const isMine = (c: Conversation | null | undefined) => c?.status === 'active' && c.agent?.id === me.id;
  const stateOf = (id: string): ReadonlySignal<ConversationState> | undefined => states.get(id);
  const model = (id: string): ConversationModel | undefined => set.get(id);

  const queue = computed(() => queueWithPositions(waiting.value.values()));
  /** Own conversations, newest first (a closed or handed-over one stays while it is on screen). */
  const mine = computed(() =>
    mineIds.value
      .map((id) => states.get(id)?.value.conversation)
      .filter((c): c is Conversation => !!c)
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)),
  );
  const unread = computed(() => mineIds.value.reduce((n, id) => n + (isMine(states.get(id)?.value.conversation) ? (states.get(id)?.value.unread ?? 0) : 0), 0));
  /** The conversation the agent is looking at right now, if any. */
  const onScreen = computed(() => (pageVisible.value && paneOnScreen.value ? selected.value : null));

  // Read receipts only for what the assigned agent has on screen: a preview or a hidden tab reads nothing.
  effect(() => {
    const id = onScreen.value;
    if (id && isMine(states.get(id)?.value.conversation)) set.get(id)?.markRead();
  });

  function announce(id: string, state: ConversationState) {
    if (!state.loaded || !mineIds.peek().includes(id) || !isMine(state.conversation)) return;
    const last = state.messages.at(-1)?.seq ?? 0;
    const seen = announced.get(id);
    announced.set(id, Math.max(seen ?? 0, last));
    if (seen === undefined || onScreen.peek() === id) return;
    const fresh = state.messages.filter((m) => m.seq > seen && m.author.kind === 'visitor');
    if (fresh.length) {
      const newest = fresh[fresh.length - 1];
      // A file sent without words is announced by its name.
      notifier.alert(shownName(state.conversation!.visitor.name), newest.body || newest.attachment?.name || '', id);
    }
  }

  function setNote(id: string, text: string | null) {
    const next = { ...notes.peek() };
    if (text === null) delete next[id];
    else next[id] = text;
    notes.value = next;
  }

  function setWaiting(update: (map: Map<string, Conversation>) => void) {
    const next = new Map(waiting.peek());
    update(next);
    waiting.value = next;
  }

  /** Drops a conversation's model once nothing shows it (not waiting, not own, not selected). */
  function forgetIfUnused(id: string) {
    if (waiting.peek().has(id) || mineIds.peek().includes(id) || selected.peek() === id) return;
    set.remove(id);
    states.delete(id);
    announced.delete(id);
    setNote(id, null);
  }

  function ensureLoaded(id: string) {
    const m = set.get(id);
    if (m && !m.getState().loaded) m.load().catch(() => toast(t('console.error.load'), 'error'));
  }

  function addMine(c: Conversation) {
    set.upsert(c);
    setNote(c.id, null);
    if (!mineIds.peek().includes(c.id)) mineIds.value = [...mineIds.peek(), c.id];
    const m = set.get(c.id)!;
    (m.getState().loaded ? m.catchUp() : m.load()).catch(noop); // the next resync or reconnect retries
  }

  function dismiss(id: string) {
    batch(() => {
      mineIds.value = mineIds.peek().filter((x) => x !== id);
      if (selected.peek() === id) selected.value = null;
    });
    forgetIfUnused(id);
  }

  function select(id: string | null) {
    const prev = selected.peek();
    if (prev === id) return;
    selected.value = id;
    if (prev) {
      if (mineIds.peek().includes(prev) && !isMine(set.get(prev)?.getState().conversation)) dismiss(prev);
      else forgetIfUnused(prev);
    }
    if (id) {
      ensureLoaded(id);
      void refreshVisitor();
    } else visitor.value = null;
  }

  async function refreshVisitor() {
    const id = selected.peek();
    if (!id) return;
    if (visitor.peek()?.conversationId !== id) visitor.value = { conversationId: id, visitor: null };
    try {
      const { visitor: v } = await call(socket, 'visitor:get', { conversationId: id });
      if (selected.peek() === id) visitor.value = { conversationId: id, visitor: v };
    } catch {
      /* shown without the live details */
    }
  }

  /** The server's reason in the agent's language (`common.error.<code>`), never its English message. */
  const reason = (err: unknown): string => errorText({ t }, err instanceof AckFailure ? err.code : 'network');
  type Action = 'console.error.claim' | 'console.error.release' | 'console.error.transfer' | 'console.error.close';
  const fail = (err: unknown, what: Action) => {
    const code = err instanceof AckFailure ? err.code : 'timeout';
    if (code === 'already_claimed') toast(t('console.toast.alreadyClaimed'));
    else if (code === 'conversation_closed') toast(t('console.toast.alreadyClosed'));
    else toast(`${t(what)} ${reason(err)}`, 'error');
  };

  async function claim(id: string) {
    claiming.add(id);
    try {
      const { conversation } = await call(socket, 'conversation:claim', { conversationId: id });
      batch(() => {
        setWaiting((q) => q.delete(id));
        addMine(conversation);
        select(id);
      });
    } catch (err) {
      fail(err, 'console.error.claim');
      if (err instanceof AckFailure && (err.code === 'already_claimed' || err.code === 'conversation_closed')) {
        setWaiting((q) => q.delete(id));
        if (selected.peek() === id) setNote(id, t('console.note.noLongerWaiting'));
        else forgetIfUnused(id);
      }
    } finally {
      claiming.delete(id);
    }
  }

  async function release(id: string) {
    try {
      await call(socket, 'conversation:release', { conversationId: id });
      dismiss(id);
      toast(t('console.toast.released'));
    } catch (err) {
      fail(err, 'console.error.release');
    }
  }

  async function transfer(id: string, agentId: string, name: string) {
    try {
      await call(socket, 'conversation:transfer', { conversationId: id, agentId });
      dismiss(id);
      toast(t('console.toast.transferred', { name }));
    } catch (err) {
      fail(err, 'console.error.transfer');
    }
  }

  async function close(id: string) {
    try {
      const { conversation } = await call(socket, 'conversation:close', { conversationId: id });
      onConversation(conversation);
    } catch (err) {
      fail(err, 'console.error.close');
    }
  }

  function onConversation(c: Conversation) {
    // Snapshots can arrive out of order (docs/protocol.md, `revision`): an older one changes nothing
    // but the read positions its model merges.
    const known = set.get(c.id)?.getState().conversation ?? waiting.peek().get(c.id);
    if (known?.id === c.id && c.revision < known.revision) {
      set.get(c.id)?.conversation(c);
      return;
    }
    // A new name or email shows in the details too.
    if (selected.peek() === c.id) void refreshVisitor();
    batch(() => {
      const held = set.get(c.id);
      const wasMine = mineIds.peek().includes(c.id);
      if (c.status === 'queued') setWaiting((q) => q.set(c.id, c));
      else if (waiting.peek().has(c.id)) setWaiting((q) => q.delete(c.id));
      if (isMine(c)) {
        if (!wasMine && connectedOnce && !claiming.has(c.id)) {
          toast(t('console.toast.assigned', { name: shownName(c.visitor.name) }));
          notifier.alert(t('console.notify.assigned'), shownName(c.visitor.name), c.id);
        }
        addMine(c);
        return;
      }
      if (held || c.status === 'queued') set.upsert(c);
      if (!wasMine) return;
      if (c.status !== 'closed') {
        setNote(c.id, c.status === 'queued' ? t('console.note.backInQueue') : c.agent ? t('console.note.nowWith', { name: c.agent.name }) : t('console.note.nowWithAnother'));
      }
      if (selected.peek() !== c.id) dismiss(c.id);
    });
  }

  socket.on('connect', () => {
    connection.value = { state: 'online' };
    // The server keeps a status through a reload (within the presence grace): say this tab's, whichever it is.
    socket.emit('status:set', { status: status.peek() }, noop);
    if (connectedOnce) void catchUpAll((m) => m.resume());
    connectedOnce = true;
  });
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') connection.value = { state: 'reconnecting' };
    for (const id of set.ids()) set.get(id)?.disconnected();
  });
  socket.on('connect_error', (err) => {
    if (err.message === 'unauthorized') signIn();
    else if (err.message === 'forbidden') connection.value = { state: 'failed', text: t('console.connection.forbidden') };
    else connection.value = { state: 'reconnecting' };
  });
  socket.on('queue', ({ conversations }) => {
    batch(() => {
      const before = [...waiting.peek().keys()];
      waiting.value = new Map(conversations.map((c) => [c.id, c]));
      for (const c of conversations) set.upsert(c);
      for (const id of before) forgetIfUnused(id);
    });
    for (const c of queue.peek().slice(0, PREVIEWED)) ensureLoaded(c.id);
  });
  socket.on('queue:add', (c) => {
    const isNew = !waiting.peek().has(c.id);
    batch(() => {
      setWaiting((q) => q.set(c.id, c));
      set.upsert(c);
    });
    if (isNew) notifier.alert(t('console.notify.waiting'), shownName(c.visitor.name), c.id);
    ensureLoaded(c.id);
  });
  socket.on('queue:remove', ({ conversationId: id, reason }) => {
    batch(() => {
      setWaiting((q) => q.delete(id));
      // Our own claim (this tab's, or another tab's whose `conversation` follows) is no teammate's.
      if (claiming.has(id) || mineIds.peek().includes(id)) return;
      if (selected.peek() === id) setNote(id, reason === 'closed' ? t('console.note.closed') : t('console.note.teammateClaimed'));
      else forgetIfUnused(id);
    });
  });
  socket.on('conversation', onConversation);
  socket.on('message', (m) => set.message(m));
  socket.on('typing', (e) => set.typing(e));
  socket.on('read', (e) => set.read(e));
  socket.on('presence', (e) => {
    set.presence(e);
    if (selected.peek() === e.conversationId && e.participant.kind === 'visitor') void refreshVisitor();
  });
  socket.on('resync', () => void catchUpAll((m) => m.catchUp()));

  /**
   * After a reconnect or a resync: the agent's own conversations first, then every other one this
   * tab has loaded, a few at a time. A queued conversation never loaded has nothing to catch up
   * (the queue's snapshot on connect loads the previews again).
   */
  async function catchUpAll(step: (m: ConversationModel) => Promise<void>): Promise<void> {
    const own = mineIds.peek().filter((id) => set.get(id));
    const others = set.ids().filter((id) => !own.includes(id) && set.get(id)?.getState().loaded);
    const ids = [...own, ...others];
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const m = set.get(ids[next++]);
        // A failed catch-up is retried by the next gap, resync or reconnect.
        if (m) await step(m).catch(noop);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CATCH_UP_AT_ONCE, ids.length) }, worker));
  }

  return {
    me,
    connection,
    queue,
    mine,
    unread,
    selected: selected as ReadonlySignal<string | null>,
    notes: notes as ReadonlySignal<Readonly<Record<string, string>>>,
    privateNotes,
    visitor: visitor as ReadonlySignal<{ conversationId: string; visitor: VisitorContext | null } | null>,
    pageVisible,
    paneOnScreen,
    stateOf,
    model,
    isMine,
    select,
    claim: (id: string) => void claim(id),
    release: (id: string) => void release(id),
    transfer: (id: string, agentId: string, name: string) => void transfer(id, agentId, name),
    close: (id: string) => void close(id),
    dismiss,
    /** Opens a conversation that is in no list (a search result, read-only unless it is the agent's). */
    show(c: Conversation) {
      if (!set.get(c.id)) set.upsert(c);
      select(c.id);
    },
    refreshVisitor: () => void refreshVisitor(),
    typing: (id: string, typing: boolean) => void (socket.connected && socket.emit('typing', { conversationId: id, typing })),
    status: status as ReadonlySignal<'online' | 'away'>,
    async setStatus(next: 'online' | 'away') {
      status.value = next;
      try {
        await call(socket, 'status:set', { status: next });
      } catch {
        toast(t('console.error.status'), 'error');
      }
    },
  };
}
