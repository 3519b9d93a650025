// One agent console, without its view: the product's console state (client/agent/console-state.ts:
// queue, claims, one conversation model per conversation, resync and reconnect catch-up) on a real
// socket.io-client socket with the product's options, as client/agent/console.tsx creates it.
// The console is on screen; the conversation selected last (the last claim) is the one read.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { effect } from '@preact/signals';
import { io } from 'socket.io-client';
import { type Alerts, type AgentSocket, type ConsoleState, createConsoleState } from '../../client/agent/console-state.ts';
import type { ConversationModel } from '../../client/lib/conversation-model.ts';
import { createPendingStore } from '../../client/lib/pending-store.ts';
import { socketOptions } from '../../client/lib/socket-options.ts';
import { tabStorage } from '../../client/lib/storage.ts';
import { type ConsoleKey, createI18n } from '../../client/lib/translator.ts';
import type { Agent } from '../../server/protocol/shapes.ts';
import { type AckRecord, type ClientLog, type PersonKey, type Recorder, type Transport, viewOf } from './recorder.ts';
import { openPageChannel, type PageChannel } from './page-channel.ts';
import { inTab, type TabStorage } from './tab-storage.ts';
import { type Tap, tapSocket } from './tap.ts';

export interface AgentConsole {
  log: ClientLog;
  socket: AgentSocket;
  con: ConsoleState;
  tap: Tap;
  me: Agent;
  /** The agent's active conversations, as the console lists them. */
  mine(): string[];
  /** The conversations waiting, in the console's order. */
  queue(): string[];
  /** Clicks "claim" and resolves with the server's answer (or the socket's rejection). */
  claim(conversationId: string): Promise<AckRecord>;
  write(conversationId: string, body: string): string | null;
  sending(conversationId?: string): number;
  retryFailed(): number;
  refused(): number;
  close(): void;
}

export interface AgentConsoleOptions {
  base: string;
  cookie: string;
  transport: Transport;
  me: Agent;
  id: string;
  person: PersonKey;
  rec: Recorder;
  storage: TabStorage;
}

/** Notifications go nowhere: the console is on screen. */
const silentNotifier: Alerts = { alert: () => {} };

/** The console's English catalogues, as the page would embed them. */
const catalogue = (surface: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'i18n', 'en', `${surface}.json`), 'utf8')) as Record<string, string>;
const english = () => createI18n<ConsoleKey>('en', { ...catalogue('common'), ...catalogue('console') });

export function openAgentConsole(opts: AgentConsoleOptions): AgentConsole {
  const { rec } = opts;
  const log = rec.client({ id: opts.id, person: opts.person, kind: 'agent', transport: opts.transport });
  return inTab(opts.storage, () => {
    const socket: AgentSocket = io(`${opts.base}/agent`, {
      ...socketOptions(opts.transport === 'polling' ? 'polling' : 'auto'),
      forceNew: true,
      extraHeaders: { cookie: opts.cookie, origin: opts.base },
    });
    const tap = tapSocket(socket, log, rec);
    const note = (text: string) => log.notices.push({ t: rec.now(), text });
    const i18n = english();
    // As client/agent/console.tsx wires it: unsent replies kept in the tab's sessionStorage.
    const page: PageChannel = openPageChannel();
    const storage = tabStorage();
    const con = createConsoleState({
      me: opts.me,
      t: i18n.t,
      name: i18n.name,
      socket,
      notifier: silentNotifier,
      toast: (text) => note(`toast: ${text}`),
      signIn: () => note('sent to sign in'),
      status: 'online',
      pendingStore: (conversationId) => createPendingStore({ storage, key: `parley:outbox:agent:${opts.me.id}:${conversationId}`, claims: page.claims }),
    });
    socket.on('connect_error', (err) => note(`connect_error ${err.message}`));

    // What each own conversation's view holds, as it changes: every model the console holds for
    // one of its own conversations is subscribed to (the console may replace a model when it drops
    // a conversation and gets it back), found again whenever its list changes or an event came.
    const subscribed = new WeakSet<ConversationModel>();
    const scan = () => {
      for (const c of con.mine.peek()) {
        const model = con.model(c.id);
        if (!model) continue;
        if (!subscribed.has(model)) {
          subscribed.add(model);
          model.subscribe(() => rec.view(log, model.getState().messages));
        }
        rec.view(log, model.getState().messages);
      }
    };
    const stopWatching = effect(() => {
      void con.mine.value;
      scan();
    });
    for (const event of ['connect', 'conversation', 'message', 'resync', 'queue', 'queue:remove'] as const) {
      // After the console's own handler (registered earlier) has run.
      socket.on(event, () => queueMicrotask(scan));
    }

    const mine = () => con.mine.peek().filter((c) => con.isMine(c)).map((c) => c.id);
    const models = () => mine().flatMap((id) => (con.model(id) ? [con.model(id)!] : []));
    const retried = new Map<string, number>();
    return {
      log,
      socket,
      con,
      tap,
      me: opts.me,
      mine,
      queue: () => con.queue.peek().map((c) => c.id),
      claim(conversationId) {
        let answer: Promise<AckRecord> | null = null;
        const off = tap.onCall((c) => {
          if (c.event === 'conversation:claim') answer = c.done;
        });
        inTab(opts.storage, () => con.claim(conversationId));
        off();
        if (!answer) throw new Error('the console did not send conversation:claim');
        return answer;
      },
      write(conversationId, body) {
        const model = con.model(conversationId);
        if (!model) return null;
        const clientId = inTab(opts.storage, () => model.send(body));
        rec.writes.push({ t: rec.now(), client: log.id, person: opts.person, conversationId, clientId });
        return clientId;
      },
      sending(conversationId) {
        const list = conversationId ? [con.model(conversationId)].filter((m) => m !== undefined) : models();
        return list.reduce((n, m) => n + m.getState().pending.filter((p) => p.state === 'sending').length, 0);
      },
      retryFailed() {
        let n = 0;
        for (const model of models()) {
          for (const p of model.getState().pending) {
            if (p.state !== 'failed' || !p.retryable) continue;
            retried.set(p.clientId, (retried.get(p.clientId) ?? 0) + 1);
            note(`retry ${p.clientId} (${p.reason})`);
            inTab(opts.storage, () => model.retry(p.clientId));
            n++;
          }
        }
        return n;
      },
      refused: () => models().reduce((n, m) => n + m.getState().pending.filter((p) => p.state === 'failed' && !p.retryable).length, 0),
      close() {
        log.finalView = viewOf(mine().map((id) => ({ conversationId: id, messages: con.model(id)?.getState().messages ?? [] })));
        log.closedAt = rec.now();
        stopWatching();
        socket.close();
        page.close();
      },
    };
  });
}
