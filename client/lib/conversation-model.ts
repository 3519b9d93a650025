// One conversation as one side (the visitor, or the agents) sees it, derived only
// from server data and the user's own actions. Owns ordering, de-duplication,
// own sends (kept across reloads of the tab when given a PendingStore), catch-up,
// read positions, unread, preview, typing and presence.
// Framework- and DOM-free: views render its immutable snapshots (getState + subscribe).

import type { Ack } from '../../server/protocol/errors.ts';
import type { HistoryResult } from '../../server/protocol/events.ts';
import type { Author, Conversation, HistoryQuery, Message, Participant, PresenceEvent, ReadEvent, TypingEvent } from '../../server/protocol/shapes.ts';
import { mayHaveMore, pageAfter, yieldToBrowser } from './history.ts';
import { type AttachmentInfo, createOutbox, sendFailure } from './outbox.ts';
import type { PendingStore, StoredPending } from './pending-store.ts';

export type Side = 'visitor' | 'agent';

/** A stored message as shown: the author carries their current name; `mine` is one's own side. */
export interface ShownMessage extends Message {
  mine: boolean;
}

/** One's own message not yet stored: sending (also while offline), or failed with the server's reason. */
export interface PendingMessage {
  clientId: string;
  body: string;
  createdAt: string;
  state: 'sending' | 'failed';
  /** Why it failed: the server's error code (`invalid_payload`, `conversation_closed`, …) or `timeout`; views translate it (error-text.ts). */
  error: string | null;
  /** Why it failed, in English words (the console's until it translates `error`). */
  reason: string | null;
  /** Failed but worth sending again as is (the server was busy or away); else edit it (discard()) or drop it. */
  retryable: boolean;
  /** The uploaded file it carries, if any. */
  attachment?: AttachmentInfo;
}

export interface ConversationState {
  /** Grows by one on every change: a cheap "did anything change" for views. */
  version: number;
  /** The conversation this model follows (bound by the first snapshot or message), else null. */
  conversationId: string | null;
  /** The latest snapshot, null until one came. */
  conversation: Conversation | null;
  /** Stored messages, ascending seq, each id once. */
  messages: readonly ShownMessage[];
  /** Own messages not stored yet, in the order they were written. */
  pending: readonly PendingMessage[];
  /** A history page has been applied (load or catch-up). */
  loaded: boolean;
  /** Older messages exist before the first one held (scroll-back). */
  hasOlder: boolean;
  /** Everything after the first page loaded is held up to here, with no gap. */
  contiguousSeq: number;
  /** Highest seq one's own side has read (this tab, another tab, the server's `reads`). */
  readSeq: number;
  /** Highest seq the other side has read. */
  peerReadSeq: number;
  /** Messages not from one's own side after readSeq. Counted over the messages held. */
  unread: number;
  /** Receipt for one's newest stored message: "Seen" once the other side read up to it. */
  receipt: { id: string; status: 'sent' | 'seen' } | null;
  /** The newest stored message (by seq). */
  preview: ShownMessage | null;
  /** The visitor's side: the assigned agent is connected. The agents' side: the visitor is. */
  peerOnline: boolean;
  /** Someone on the other side is typing (a new object on every repeat, so views restart their timers). */
  typing: { participant: Participant; since: number } | null;
}

export interface ConversationModelDeps {
  side: Side;
  conversation?: Conversation | null;
  /** `history:get`, already bound to the conversation by the caller on the agents' side. */
  history(query: HistoryQuery): Promise<HistoryResult>;
  /** `message:send` for one of one's own messages; rejects on timeout or disconnect. */
  send(input: { clientId: string; body: string; attachmentId?: string }): Promise<Ack<{ message: Message }>>;
  /** Emits `read {seq}` (the model calls it only while connected and only for a higher seq). */
  sendRead(seq: number): void;
  connected(): boolean;
  pageSize?: number;
  /**
   * Keeps one's unsent messages across reloads of the tab: restored (shown as sending, sent first, same
   * clientId) when the model is made, saved on every change. Without it they live as long as the page.
   */
  persist?: PendingStore;
  /** Between catch-up pages: lets the page draw and take input (default: ends the task). */
  pause?(): Promise<void>;
}

export interface ConversationModel {
  getState(): ConversationState;
  /** Called after every change (never re-entered); returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  conversation(c: Conversation): void;
  /** Live messages, acked own messages or a page: in any order, any number of times. */
  messages(list: readonly Message[]): void;
  presence(e: PresenceEvent): void;
  typing(e: TypingEvent): void;
  read(e: ReadEvent): void;
  /** Queues one's own message; returns its clientId. */
  send(body: string, attachment?: AttachmentInfo): string;
  /** Sends a failed message again, with its clientId and text. */
  retry(clientId: string): void;
  /** Drops a failed message and returns its text, to be edited and sent anew. */
  discard(clientId: string): string | null;
  /** One has read up to `seq` (default: everything held). */
  markRead(seq?: number): void;
  /** The latest page. */
  load(): Promise<void>;
  /** Everything after contiguousSeq (the latest page if nothing was loaded yet). One at a time. */
  catchUp(): Promise<void>;
  /** The page before the first message held. */
  loadOlder(): Promise<void>;
  /** After (re)connecting: send what waits, tell the read position, fetch what was missed. */
  resume(): Promise<void>;
  /** The connection dropped: typing indicators are stale. */
  disconnected(): void;
}

export const TYPING_SHOWN_MS = 6000;
/** A catch-up page is shown this many messages at a time, a pause between (see fetchAfterContiguous). */
const SHOWN_AT_ONCE = 50;
/** How many times a refused load or catch-up is asked in all (see persistently). */
const READ_ATTEMPTS = 5;
const other = (side: Side): Side => (side === 'visitor' ? 'agent' : 'visitor');
const noop = () => {};

export function createConversationModel(deps: ConversationModelDeps): ConversationModel {
  const { side, pageSize = 50, persist, pause = yieldToBrowser } = deps;
  const listeners = new Set<() => void>();
  let conversationId: string | null = null;
  let conversation: Conversation | null = null;
  const byId = new Map<string, Message>();
  /** Ascending seq. */
  let list: Message[] = [];
  const seqs = new Set<number>();
  /** Seqs at or below it are scroll-back, not gaps; null until anything is known. */
  let floor: number | null = null;
  let contiguous = 0;
  let loaded = false;
  let readSeq = 0;
  let sentRead = 0;
  let peerRead = 0;
  let pending: PendingMessage[] = [];
  /** Live `conversation` snapshots applied so far (see applyPage). */
  let liveSnapshots = 0;
  const online = new Map<string, Participant>();
  let typing: ConversationState['typing'] = null;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  const shown = new Map<string, ShownMessage>();
  let version = 0;
  let state: ConversationState;
  let notifying = false;
  let again = false;
  /** What an earlier page of this tab left unsent is back (or there is no store): sending may start. */
  let restored = !persist;
  let saved: readonly PendingMessage[] = pending;

  const outbox = createOutbox({
    send: (item) => deps.send({ clientId: item.clientId, body: item.body, ...(item.attachment ? { attachmentId: item.attachment.id } : {}) }),
    // Nothing goes out before the restored messages are queued ahead of it: the order they were written in.
    connected: () => restored && deps.connected(),
    onSent(item, message) {
      pending = pending.filter((p) => p.clientId !== item.clientId);
      add([message]);
      commit();
    },
    onFailed(item, failure) {
      pending = pending.map((p) => (p.clientId === item.clientId ? { ...p, state: 'failed', error: failure.code, reason: failure.reason, retryable: failure.retryable } : p));
      commit();
    },
  });

  /** A different conversation: the transcript starts over; one's own messages on their way stay. */
  function switchTo(id: string) {
    conversationId = id;
    conversation = null;
    byId.clear();
    list = [];
    seqs.clear();
    shown.clear();
    floor = null;
    contiguous = readSeq = sentRead = peerRead = 0;
    online.clear();
    setTyping(null);
  }

  function setTyping(next: ConversationState['typing']) {
    clearTimeout(typingTimer);
    typing = next;
    if (next) {
      typingTimer = setTimeout(() => {
        typing = null;
        commit();
      }, TYPING_SHOWN_MS);
    }
  }

  function lower(to: number) {
    if (floor === null || to < floor) {
      floor = to;
      contiguous = to;
    }
  }

  /** Adds messages of the followed conversation (binding or moving on first); returns those new here. */
  function add(messages: readonly Message[]): Message[] {
    const fresh: Message[] = [];
    for (const m of messages) {
      if (conversationId === null) switchTo(m.conversationId);
      else if (m.conversationId !== conversationId) {
        // The visitor writing after a close opens a new conversation; anything else is stale.
        if (conversation?.status !== 'closed') continue;
        switchTo(m.conversationId);
      }
      // Stored means confirmed, whichever comes first: the ack, the echo to this tab, a page.
      if (m.author.kind === side && pending.some((p) => p.clientId === m.clientId)) pending = pending.filter((p) => p.clientId !== m.clientId);
      if (byId.has(m.id) || seqs.has(m.seq)) continue;
      if (floor === null) lower(m.seq - 1);
      byId.set(m.id, m);
      seqs.add(m.seq);
      let i = list.length;
      while (i > 0 && list[i - 1].seq > m.seq) i--;
      list.splice(i, 0, m);
      fresh.push(m);
    }
    while (seqs.has(contiguous + 1)) contiguous++;
    if (fresh.some((m) => m.author.kind !== side)) setTyping(null);
    return fresh;
  }

  function applyConversation(c: Conversation) {
    // An older revision (a queue-position update read just before a claim, sent after it) must not
    // undo the change: only its read positions count.
    if (c.id === conversationId && conversation && c.revision < conversation.revision) return mergeReads(c);
    if (c.id !== conversationId) switchTo(c.id);
    conversation = c;
    if (floor === null && list.length === 0) lower(c.lastSeq);
    mergeReads(c);
    if (c.status !== 'active') setTyping(null);
  }

  function mergeReads(c: Conversation) {
    readSeq = Math.max(readSeq, c.reads[side]);
    sentRead = Math.max(sentRead, c.reads[side]);
    peerRead = Math.max(peerRead, c.reads[other(side)]);
  }

  /**
   * `asOf`: the live snapshots counted when the page was asked for. One that came while the page
   * was on its way is newer than the page's (the server sends one on every change, and the page
   * was read before its answer left): the page must not undo it — a claim answered while the
   * preview was loading would show the conversation queued again. Its read positions still count.
   */
  function applyPage(page: HistoryResult, asOf: number) {
    const c = page.conversation;
    if (c && (asOf === liveSnapshots || c.id !== conversationId)) applyConversation(c);
    else if (c) mergeReads(c);
    if (page.messages.length && (conversationId === null || page.messages[0].conversationId === conversationId)) {
      lower(page.messages[0].seq - 1);
    }
    add(page.messages);
    loaded = true;
  }

  const lastSeq = () => (list.length ? list[list.length - 1].seq : 0);
  const gap = () => loaded && floor !== null && Math.max(lastSeq(), conversation?.lastSeq ?? 0) > contiguous;

  function nameOf(author: Author): string {
    const c = conversation;
    if (c && author.kind === 'visitor' && author.id === c.visitor.id) return c.visitor.name;
    if (c?.agent && author.kind === 'agent' && author.id === c.agent.id) return c.agent.name;
    return author.name;
  }

  /** Keeps each shown message's identity until its author's name changes (keyed views skip it). */
  function show(m: Message): ShownMessage {
    const name = nameOf(m.author);
    const cached = shown.get(m.id);
    if (cached && cached.author.name === name) return cached;
    const next = { ...m, author: { ...m.author, name }, mine: m.author.kind === side };
    shown.set(m.id, next);
    return next;
  }

  function peerOnline(): boolean {
    if (!conversation) return false;
    const peer = side === 'visitor' ? conversation.agent : conversation.visitor;
    return peer !== null && online.has(peer.id);
  }

  function build(): ConversationState {
    const messages = list.map(show);
    let own: ShownMessage | undefined;
    for (let i = messages.length - 1; i >= 0 && !own; i--) if (messages[i].mine) own = messages[i];
    return {
      version: ++version,
      conversationId,
      conversation,
      messages,
      pending,
      loaded,
      hasOlder: list.length > 0 && list[0].seq > 1,
      contiguousSeq: contiguous,
      readSeq,
      peerReadSeq: peerRead,
      unread: messages.reduce((n, m) => n + (!m.mine && m.seq > readSeq ? 1 : 0), 0),
      receipt: own ? { id: own.id, status: own.seq <= peerRead ? 'seen' : 'sent' } : null,
      preview: messages[messages.length - 1] ?? null,
      peerOnline: peerOnline(),
      typing,
    };
  }

  function commit() {
    state = build();
    if (persist && restored && pending !== saved) {
      saved = pending;
      persist.save(
        pending.map((p): StoredPending => ({ clientId: p.clientId, body: p.body, createdAt: p.createdAt, failed: p.state === 'failed' ? p.error : null, attachment: p.attachment })),
      );
    }
    if (gap()) catchUp().catch(noop); // a failed catch-up is retried by the next gap, resync or reconnect
    if (notifying) {
      again = true;
      return;
    }
    notifying = true;
    try {
      do {
        again = false;
        for (const listener of [...listeners]) listener();
      } while (again);
    } finally {
      notifying = false;
    }
  }

  function flushRead() {
    if (conversationId !== null && readSeq > sentRead && deps.connected()) {
      sentRead = readSeq;
      deps.sendRead(readSeq);
    }
  }

  let inflight: Promise<void> | null = null;
  /** Loads and catch-ups run one at a time; a caller during one gets that one. */
  function single(run: () => Promise<void>): Promise<void> {
    inflight ??= run().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  /** The latest page, shown at once; then whatever it left out above a live message held before it. */
  async function fetchLatest() {
    const asOf = liveSnapshots;
    applyPage(await deps.history({ limit: pageSize }), asOf);
    commit();
    if (gap()) await fetchAfterContiguous();
  }

  /**
   * Everything after contiguousSeq, one page at a time, each shown as it comes with a pause between pages:
   * thousands missed while away arrive without freezing the page, and without a gap.
   */
  async function fetchAfterContiguous() {
    for (;;) {
      const from = contiguous;
      const id = conversationId;
      const asOf = liveSnapshots;
      const page = await pageAfter(deps.history, from);
      if (page.conversation && id !== null && page.conversation.id !== id) {
        // The conversation changed while we were away: start over from its latest page.
        applyConversation(page.conversation);
        return fetchLatest();
      }
      // Shown a slice at a time, each its own task, so no one task draws a whole page.
      for (let i = 0; i === 0 || i < page.messages.length; i += SHOWN_AT_ONCE) {
        if (i > 0) await pause();
        applyPage({ conversation: page.conversation, messages: page.messages.slice(i, i + SHOWN_AT_ONCE) }, asOf);
        commit();
      }
      // On while pages come full or a gap is left, and only while this makes progress (a gap the
      // server cannot fill yet waits for the next message, resync or reconnect).
      if (contiguous <= from || (!mayHaveMore(page) && !gap())) return;
      await pause();
    }
  }

  /**
   * A read refused for a passing reason (the server is busy or restarting: `rate_limited`,
   * `unavailable`, a timeout) is asked again, backing off, while the socket stays connected; a
   * disconnect leaves it to resume() on reconnect. Without this, a conversation whose first load
   * was refused would take its next live message for the start of the transcript.
   */
  async function persistently(run: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (err) {
        const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'timeout';
        if (attempt >= READ_ATTEMPTS || !sendFailure(code).retryable || !deps.connected()) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(8000, 500 * 2 ** (attempt - 1))));
        if (!deps.connected()) throw err;
      }
    }
  }

  function load(): Promise<void> {
    return single(() => persistently(fetchLatest));
  }

  function catchUp(): Promise<void> {
    return single(() => persistently(() => (loaded ? fetchAfterContiguous() : fetchLatest())));
  }

  /** Puts back what an earlier page of this tab left unsent, ahead of anything written since. */
  function restore(items: readonly StoredPending[]) {
    const back: PendingMessage[] = [];
    for (const item of items) {
      // Stored after all (the ack was lost with the page), or somehow here already.
      if (list.some((m) => m.clientId === item.clientId && m.author.kind === side) || pending.some((p) => p.clientId === item.clientId)) continue;
      const failure = item.failed === null ? null : sendFailure(item.failed);
      back.push({
        clientId: item.clientId,
        body: item.body,
        createdAt: item.createdAt,
        state: failure ? 'failed' : 'sending',
        error: failure?.code ?? null,
        reason: failure?.reason ?? null,
        retryable: failure?.retryable ?? true,
        attachment: item.attachment,
      });
    }
    pending = [...back, ...pending];
    outbox.restore(back.filter((p) => p.state === 'sending'));
    restored = true;
    commit();
    outbox.flush();
  }

  const mine = (p: Participant) => p.kind === side;
  state = build();
  if (deps.conversation) {
    applyConversation(deps.conversation);
    state = build();
  }
  // Storage that cannot be read restores nothing; writing goes on.
  persist?.restore().then(restore, () => restore([]));

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    conversation(c) {
      liveSnapshots++;
      applyConversation(c);
      commit();
    },
    messages(messages) {
      const before = pending;
      if (add(messages).length || pending !== before) commit();
    },
    presence(e) {
      if (e.conversationId !== conversationId || mine(e.participant)) return;
      if (e.action === 'join') online.set(e.participant.id, e.participant);
      else {
        online.delete(e.participant.id);
        if (typing?.participant.id === e.participant.id) setTyping(null);
      }
      commit();
    },
    typing(e) {
      if (e.conversationId !== conversationId || mine(e.participant)) return;
      if (e.typing) setTyping({ participant: e.participant, since: Date.now() });
      else if (typing?.participant.id === e.participant.id) setTyping(null);
      else return;
      commit();
    },
    read(e) {
      if (e.conversationId !== conversationId) return;
      if (mine(e.participant)) {
        // Another tab (or another agent) read: the server has it, nothing to send.
        if (e.seq <= readSeq) return;
        readSeq = e.seq;
        sentRead = Math.max(sentRead, e.seq);
      } else {
        if (e.seq <= peerRead) return;
        peerRead = e.seq;
      }
      commit();
    },
    send(body, attachment) {
      const clientId = outbox.send(body, attachment);
      pending = [...pending, { clientId, body, createdAt: new Date().toISOString(), state: 'sending', error: null, reason: null, retryable: true, attachment }];
      commit();
      return clientId;
    },
    retry(clientId) {
      const item = pending.find((p) => p.clientId === clientId && p.state === 'failed');
      if (!item) return;
      pending = pending.map((p) => (p === item ? { ...p, state: 'sending', error: null, reason: null } : p));
      commit();
      outbox.retry(clientId, item.body, item.attachment);
    },
    discard(clientId) {
      const item = pending.find((p) => p.clientId === clientId && p.state === 'failed');
      if (!item) return null;
      pending = pending.filter((p) => p !== item);
      commit();
      return item.body;
    },
    markRead(seq) {
      const upTo = Math.min(seq ?? Infinity, lastSeq());
      if (upTo > readSeq) {
        readSeq = upTo;
        commit();
      }
      flushRead();
    },
    load,
    catchUp,
    loadOlder() {
      return single(async () => {
        if (!state.hasOlder) return;
        const asOf = liveSnapshots;
        const page = await deps.history({ beforeSeq: list[0].seq, limit: pageSize });
        applyPage(page, asOf);
        commit();
      });
    },
    resume() {
      outbox.flush();
      flushRead();
      return catchUp();
    },
    disconnected() {
      if (!typing) return;
      setTyping(null);
      commit();
    },
  };
}
