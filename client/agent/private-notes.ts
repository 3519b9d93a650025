// The console's private notes, without a view: every note this agent may see, per conversation,
// from `note` events and from each `history:get` answer's `notes`; writing one (`note:add`, the
// same clientId on every retry); and `mention`s told as a toast and, in a hidden tab, a notification.

import { type ReadonlySignal, signal } from '@preact/signals';
import type { AgentHistoryResult } from '../../server/protocol/events.ts';
import type { HistoryQuery, Note } from '../../server/protocol/shapes.ts';
import { AckFailure, call } from '../lib/ack.ts';
import { errorText } from '../lib/error-text.ts';
import { newClientId } from '../lib/ids.ts';
import type { ConsoleKey, I18n } from '../lib/translator.ts';
import type { AgentSocket, Alerts } from './console-state.ts';

const NO_NOTES: readonly Note[] = [];
/** Attempts of one note when the connection fails under it (the server answers a repeat with the original). */
const ATTEMPTS = 3;

/** In the order the server keeps: by place (afterSeq), then time, then id. */
function byPlace(a: Note, b: Note): number {
  return a.afterSeq - b.afterSeq || a.createdAt.localeCompare(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface PrivateNotes {
  /** The conversation's notes known to this tab, in order. */
  of(conversationId: string): readonly Note[];
  /** Changes whenever any conversation's notes do (views read it to redraw). */
  version: ReadonlySignal<number>;
  /** A history function whose answers' notes are kept here. */
  withNotes(history: (q: HistoryQuery) => Promise<AgentHistoryResult>): (q: HistoryQuery) => Promise<AgentHistoryResult>;
  /** Writes a note; rejects when the server refused it or the connection kept failing. */
  add(conversationId: string, body: string): Promise<Note>;
}

export function createPrivateNotes(deps: {
  socket: AgentSocket;
  t: I18n<ConsoleKey>['t'];
  notifier: Alerts;
  toast(text: string, kind?: 'info' | 'error'): void;
}): PrivateNotes {
  const { socket, t, notifier, toast } = deps;
  const notes = new Map<string, Note[]>();
  const version = signal(0);

  function keep(list: readonly Note[]) {
    let changed = false;
    for (const note of list) {
      const known = notes.get(note.conversationId) ?? [];
      if (known.some((n) => n.id === note.id)) continue;
      notes.set(note.conversationId, [...known, note].sort(byPlace));
      changed = true;
    }
    if (changed) version.value++;
  }

  socket.on('note', (note) => keep([note]));
  socket.on('mention', ({ conversationId, note }) => {
    keep([note]);
    const title = t('console.notes.mentioned', { name: note.author.name });
    toast(title);
    notifier.alert(title, note.body, conversationId);
  });

  return {
    of: (id) => notes.get(id) ?? NO_NOTES,
    version,
    withNotes: (history) => async (q) => {
      const page = await history(q);
      keep(page.notes ?? NO_NOTES);
      return page;
    },
    async add(conversationId, body) {
      const clientId = newClientId();
      for (let attempt = 1; ; attempt++) {
        try {
          const { note } = await call(socket, 'note:add', { conversationId, clientId, body });
          keep([note]);
          return note;
        } catch (err) {
          if (err instanceof AckFailure || attempt >= ATTEMPTS) {
            toast(`${t('console.error.note')} ${errorText({ t }, err instanceof AckFailure ? err.code : 'network')}`, 'error');
            throw err;
          }
          // Timed out or disconnected: once connected again, the same clientId (stored once, whatever happened).
          if (!socket.connected) await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        }
      }
    },
  };
}
