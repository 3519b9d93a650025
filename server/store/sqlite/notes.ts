// Private notes in SQLite: one table beside messages (migration 8), so a note never takes a seq.
// The statements are prepared on first use (after migrate(): before it the table may not exist).

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { OrderedIds } from '../ids.ts';
import { rowLimit } from '../limits.ts';
import { decideExistingNote, type NoteRow, toNote } from '../notes.ts';
import type { AddNoteResult, NewNote, NoteRange, NoteRecord } from '../store.ts';

export interface SqliteNotes {
  /** The whole addNote, synchronous: run it inside the store's write transaction. */
  add(input: NewNote): AddNoteResult;
  list(conversationId: string, range: NoteRange): NoteRecord[];
}

export function createSqliteNotes(db: DatabaseSync, ids: OrderedIds): SqliteNotes {
  let q: Record<'conversation' | 'byClientId' | 'lastSeq' | 'insert' | 'range' | 'from', StatementSync> | undefined;
  const statements = () =>
    (q ??= {
      conversation: db.prepare('SELECT id FROM conversations WHERE id = ?'),
      byClientId: db.prepare('SELECT * FROM notes WHERE conversation_id = ? AND client_id = ?'),
      // The end of the (conversation_id, seq) index: what migration 3 made last_seq.
      lastSeq: db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM messages WHERE conversation_id = ?'),
      insert: db.prepare(
        'INSERT INTO notes (id, conversation_id, client_id, after_seq, author_id, author_name, body, mentions, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      range: db.prepare('SELECT * FROM notes WHERE conversation_id = ? AND after_seq >= ? AND after_seq <= ? ORDER BY after_seq, created_at, id LIMIT ?'),
      from: db.prepare('SELECT * FROM notes WHERE conversation_id = ? AND after_seq >= ? ORDER BY after_seq, created_at, id LIMIT ?'),
    });

  return {
    add(input) {
      const s = statements();
      if (!s.conversation.get(input.conversationId)) return { kind: 'not_found' };
      const existing = s.byClientId.get(input.conversationId, input.clientId) as NoteRow | undefined;
      if (existing) return decideExistingNote(toNote(existing), input);
      const afterSeq = Number(s.lastSeq.get(input.conversationId)?.seq ?? 0);
      const note: NoteRecord = { id: ids.next(input.createdAt), afterSeq, ...input };
      s.insert.run(note.id, note.conversationId, note.clientId, afterSeq, note.authorId, note.authorName, note.body, JSON.stringify(note.mentions), note.createdAt);
      return { kind: 'created', note };
    },
    list(conversationId, { fromSeq, toSeq, limit }) {
      const s = statements();
      const rows = toSeq === null ? s.from.all(conversationId, fromSeq, rowLimit(limit)) : s.range.all(conversationId, fromSeq, toSeq, rowLimit(limit));
      return (rows as unknown as NoteRow[]).map(toNote);
    },
  };
}
