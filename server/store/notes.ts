// Private notes, the part every engine shares: the row shape, its mapping to a record, and the
// idempotency decision (same rules as messages: a clientId is the author's, per conversation).
// Imports only store types.

import type { AddNoteResult, NewNote, NoteRecord } from './store.ts';

export interface NoteRow {
  id: string;
  conversation_id: string;
  client_id: string;
  after_seq: number | string;
  author_id: string;
  author_name: string;
  body: string;
  mentions: string;
  created_at: number | string;
}

export function toNote(r: NoteRow): NoteRecord {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    clientId: r.client_id,
    afterSeq: Number(r.after_seq),
    authorId: r.author_id,
    authorName: r.author_name,
    body: r.body,
    mentions: parseMentions(r.mentions),
    createdAt: Number(r.created_at),
  };
}

function parseMentions(text: string): NoteRecord['mentions'] {
  try {
    const list: unknown = JSON.parse(text);
    if (!Array.isArray(list)) return [];
    return list.filter((m): m is { id: string; name: string } => typeof m?.id === 'string' && typeof m?.name === 'string').map((m) => ({ id: m.id, name: m.name }));
  } catch {
    return [];
  }
}

/** What a note with an already used clientId answers: the original (same author) or a refusal. */
export function decideExistingNote(existing: NoteRecord, input: NewNote): AddNoteResult {
  return existing.authorId === input.authorId ? { kind: 'duplicate', note: existing } : { kind: 'client_id_taken' };
}
