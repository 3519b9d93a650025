// One visitor tab of the chat, without its view: the product's conversation model
// (client/lib/conversation-model.ts: outbox with clientId resends kept in the tab's
// sessionStorage, catch-up by seq, reads) on a real socket.io-client socket with the product's
// options, wired to the socket's events the way client/widget/chat.ts wires them. The tab is
// open and on screen, so it reads what arrives, as the chat does.

import { io, type Socket } from 'socket.io-client';
import type { VisitorClientEvents, VisitorServerEvents } from '../../server/protocol/events.ts';
import { call, emitAck } from '../../client/lib/ack.ts';
import { type ConversationModel, createConversationModel } from '../../client/lib/conversation-model.ts';
import { createPendingStore } from '../../client/lib/pending-store.ts';
import { socketOptions } from '../../client/lib/socket-options.ts';
import { tabStorage } from '../../client/lib/storage.ts';
import { type ClientLog, type PersonKey, type Recorder, type Transport, viewOf } from './recorder.ts';
import { openPageChannel } from './page-channel.ts';
import { inTab, type TabStorage } from './tab-storage.ts';
import { type Tap, tapSocket } from './tap.ts';

export type VisitorSocket = Socket<VisitorServerEvents, VisitorClientEvents>;

export interface VisitorTab {
  log: ClientLog;
  socket: VisitorSocket;
  model: ConversationModel;
  tap: Tap;
  /** Writes one message as the person would (the composer's send); returns its clientId. */
  write(body: string): string;
  /** Own messages still on their way. */
  sending(): number;
  /** Presses "retry" on messages that failed for a passing reason; returns how many. */
  retryFailed(): number;
  /** Failed for good (the server refused them): they wait to be edited. */
  refused(): number;
  close(): void;
}

export interface VisitorTabOptions {
  base: string;
  cookie: string;
  transport: Transport;
  id: string;
  person: PersonKey;
  rec: Recorder;
  storage: TabStorage;
  replaces?: string;
}

const noop = () => {};

export function openVisitorTab(opts: VisitorTabOptions): VisitorTab {
  const { rec } = opts;
  const log = rec.client({ id: opts.id, person: opts.person, kind: 'visitor', transport: opts.transport, replaces: opts.replaces });
  return inTab(opts.storage, () => {
    const socket: VisitorSocket = io(`${opts.base}/visitor`, {
      ...socketOptions(opts.transport === 'polling' ? 'polling' : 'auto'),
      autoConnect: false,
      // A tab is a page of its own: its own connection, with the browser's cookie and origin.
      forceNew: true,
      extraHeaders: { cookie: opts.cookie, origin: opts.base },
    });
    const tap = tapSocket(socket, log, rec);
    const page = openPageChannel();
    const model = createConversationModel({
      side: 'visitor',
      history: (q) => call(socket, 'history:get', q),
      send: (input) => emitAck(socket, 'message:send', input),
      sendRead: (seq) => socket.emit('read', { seq }),
      connected: () => socket.connected,
      // The widget's key: the visitor's unsent messages in this tab's sessionStorage.
      persist: createPendingStore({ storage: tabStorage(), key: 'parley:outbox:visitor', claims: page.claims }),
    });
    model.subscribe(() => {
      model.markRead();
      rec.view(log, model.getState().messages);
    });
    socket.on('connect', () => {
      socket.emit('page:view', { url: `${opts.base}/chat`, title: 'Chat' });
      model.resume().catch(noop);
    });
    socket.on('disconnect', () => model.disconnected());
    socket.on('connect_error', (err) => log.notices.push({ t: rec.now(), text: `connect_error ${err.message}` }));
    socket.on('conversation', (c) => model.conversation(c));
    socket.on('message', (m) => model.messages([m]));
    socket.on('resync', () => model.catchUp().catch(noop));
    socket.on('typing', (e) => model.typing(e));
    socket.on('read', (e) => model.read(e));
    socket.on('presence', (e) => model.presence(e));
    socket.connect();

    const retried = new Map<string, number>();
    return {
      log,
      socket,
      model,
      tap,
      write(body) {
        const clientId = inTab(opts.storage, () => model.send(body));
        rec.writes.push({ t: rec.now(), client: log.id, person: opts.person, conversationId: model.getState().conversationId, clientId });
        return clientId;
      },
      sending: () => model.getState().pending.filter((p) => p.state === 'sending').length,
      retryFailed() {
        let n = 0;
        for (const p of model.getState().pending) {
          if (p.state !== 'failed' || !p.retryable) continue;
          retried.set(p.clientId, (retried.get(p.clientId) ?? 0) + 1);
          log.notices.push({ t: rec.now(), text: `retry ${p.clientId} (${p.reason})` });
          inTab(opts.storage, () => model.retry(p.clientId));
          n++;
        }
        return n;
      },
      refused: () => model.getState().pending.filter((p) => p.state === 'failed' && !p.retryable).length,
      close() {
        const s = model.getState();
        log.finalView = viewOf([{ conversationId: s.conversationId, messages: s.messages }]);
        log.closedAt = rec.now();
        socket.close();
        // The page is gone: it no longer answers for the messages it held (pending-claims.ts).
        page.close();
      },
    };
  });
}
