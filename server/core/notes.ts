// Private notes: agents' words about a conversation that its visitor never sees. Who may write
// one (whoever may read the conversation), whom its `@name`s name, and which notes belong to a
// history page. No Socket.IO or SQL here; realtime/fanout.ts decides who hears of a note, and
// sends it to agents' sockets only.

import type { Clock } from '../clock.ts';
import type { HistoryQuery } from '../protocol/shapes.ts';
import type { AgentRecord, ConversationRecord, MessageRecord, NoteRecord, Store } from '../store/store.ts';
import type { ActingAgent, ConversationService } from './conversations.ts';
import type { DomainEvents } from './events.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import { conversationNotFound } from './store-outcomes.ts';

/** At most this many notes come with one history page (docs/protocol.md, "Private notes"). */
export const NOTES_PAGE_MAX = 500;
/** At most this many agents are named (and notified) by one note. */
export const MAX_MENTIONS = 10;
/** `@` signs looked at in one note: the scan stays cheap whatever the body holds. */
const MAX_AT_SIGNS = 50;

export interface NoteService {
  add(agent: ActingAgent, input: { conversationId: string; clientId: string; body: string }, origin: string | null): Promise<NoteRecord>;
  /** The notes that belong with a page of `history:get` (see notesWindow). */
  forPage(conversation: ConversationRecord, query: HistoryQuery, messages: MessageRecord[]): Promise<NoteRecord[]>;
}

export function createNoteService(deps: { store: Store; events: DomainEvents; conversations: ConversationService; clock: Clock }): NoteService {
  const { store, events, conversations, clock } = deps;
  return {
    async add(agent, { conversationId, clientId, body }, origin) {
      // Whoever may read the conversation may write a note in it: its agent, admins, and any agent
      // while it is queued or closed (the team's).
      await conversations.requireViewable(agent, conversationId);
      const team = (await store.listAgents()).filter((a) => !a.disabled);
      const mentions = findMentions(body, team).filter((m) => m.id !== agent.id);
      const result = await store.addNote({ conversationId, clientId, authorId: agent.id, authorName: agent.name, body, mentions, createdAt: clock.now() });
      if (result.kind === 'not_found') throw conversationNotFound();
      if (result.kind === 'client_id_taken') throw new AppError(ErrorCode.InvalidPayload, 'clientId is already used in this conversation');
      // A duplicate is fanned out again (as a message is): the first attempt may have died before it; clients de-duplicate by id.
      events.noteAdded(result.note, origin, result.kind === 'created');
      return result.note;
    },

    async forPage(conversation, query, messages) {
      return store.getNotes(conversation.id, { ...notesWindow(query, messages, conversation.lastSeq), limit: NOTES_PAGE_MAX });
    },
  };
}

/**
 * The notes that go with a history page: a note with afterSeq k sits between messages k and k+1.
 * A page of messages a..b carries the notes with afterSeq in [a−1, b] — from afterSeq itself when
 * it was asked — and, when the page reaches the newest message, every later one too. Neighbouring
 * pages overlap by one place (clients de-duplicate by id), so paging either way misses none.
 */
export function notesWindow(query: HistoryQuery, messages: MessageRecord[], lastSeq: number): { fromSeq: number; toSeq: number | null } {
  if (messages.length === 0) {
    if (query.afterSeq !== undefined) return { fromSeq: query.afterSeq, toSeq: query.beforeSeq === undefined ? null : Math.max(query.afterSeq, query.beforeSeq - 1) };
    if (query.beforeSeq !== undefined) return { fromSeq: 0, toSeq: Math.max(0, query.beforeSeq - 1) };
    return { fromSeq: 0, toSeq: null };
  }
  const first = messages[0].seq;
  const last = messages[messages.length - 1].seq;
  const fromSeq = query.afterSeq ?? first - 1;
  return { fromSeq, toSeq: last >= lastSeq && query.beforeSeq === undefined ? null : last };
}

/**
 * The agents a note's `@name`s name: after an `@` that starts a word, the longest agent name that
 * follows (letter case aside) and ends there; else a first name only one agent has. A scan over at
 * most MAX_AT_SIGNS `@`s, each compared with each name: no regular expression over the body.
 */
export function findMentions(body: string, team: ReadonlyArray<Pick<AgentRecord, 'id' | 'name'>>): Array<{ id: string; name: string }> {
  const found = new Map<string, { id: string; name: string }>();
  const names = team.map((a) => ({ id: a.id, name: a.name, full: a.name.toLowerCase(), first: a.name.split(/\s/, 1)[0].toLowerCase() }));
  let seen = 0;
  for (let at = body.indexOf('@'); at !== -1 && seen < MAX_AT_SIGNS && found.size < MAX_MENTIONS; at = body.indexOf('@', at + 1)) {
    seen++;
    if (at > 0 && isWordChar(body[at - 1])) continue; // an email address, not a mention
    const from = at + 1;
    let best: (typeof names)[number] | null = null;
    for (const n of names) {
      if (n.full.length === 0 || (best && best.full.length >= n.full.length)) continue;
      if (endsWord(body, from + n.full.length) && body.slice(from, from + n.full.length).toLowerCase() === n.full) best = n;
    }
    if (!best) {
      const firstNames = names.filter((n) => n.first.length > 0 && endsWord(body, from + n.first.length) && body.slice(from, from + n.first.length).toLowerCase() === n.first);
      if (firstNames.length === 1) best = firstNames[0];
    }
    if (best) found.set(best.id, { id: best.id, name: best.name });
  }
  return [...found.values()];
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_]/u.test(c);
}

function endsWord(body: string, end: number): boolean {
  return end <= body.length && !isWordChar(body[end]);
}
