// Private notes in PostgreSQL: one table beside messages (migration 7), so a note never takes a
// seq. The insert reads the conversation's last_seq in the same statement; a clientId race between
// nodes is settled by the unique (conversation_id, client_id) index.

import type { OrderedIds } from '../ids.ts';
import { rowLimit } from '../limits.ts';
import { decideExistingNote, type NoteRow, toNote } from '../notes.ts';
import type { AddNoteResult, NewNote, NoteRange, NoteRecord } from '../store.ts';
import type { Db } from './db.ts';

export async function addNote(db: Db, ids: OrderedIds, input: NewNote): Promise<AddNoteResult> {
  const inserted = await db.query<NoteRow>(
    `INSERT INTO notes (id, conversation_id, client_id, after_seq, author_id, author_name, body, mentions, created_at)
     SELECT $1::text, c.id, $3::text, c.last_seq, $4::text, $5::text, $6::text, $7::text, $8::bigint FROM conversations c WHERE c.id = $2
     ON CONFLICT (conversation_id, client_id) DO NOTHING
     RETURNING *`,
    [ids.next(input.createdAt), input.conversationId, input.clientId, input.authorId, input.authorName, input.body, JSON.stringify(input.mentions), input.createdAt],
  );
  if (inserted.length) return { kind: 'created', note: toNote(inserted[0]) };
  const [existing] = await db.query<NoteRow>('SELECT * FROM notes WHERE conversation_id = $1 AND client_id = $2', [input.conversationId, input.clientId]);
  // Nothing inserted and nothing there: no such conversation.
  return existing ? decideExistingNote(toNote(existing), input) : { kind: 'not_found' };
}

export async function getNotes(db: Db, conversationId: string, { fromSeq, toSeq, limit }: NoteRange): Promise<NoteRecord[]> {
  const rows = await db.query<NoteRow>(
    `SELECT * FROM notes WHERE conversation_id = $1 AND after_seq >= $2 AND ($3::int IS NULL OR after_seq <= $3)
     ORDER BY after_seq, created_at, id LIMIT $4`,
    [conversationId, fromSeq, toSeq, rowLimit(limit)],
  );
  return rows.map(toNote);
}
