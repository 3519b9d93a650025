// PostgreSQL statements for attachments (../attachment-store.ts): the bytes in a bytea column,
// read only by attachmentData; every other statement leaves them alone.

import { newId } from '../ids.ts';
import { type AttachmentRow, toAttachment } from '../rows.ts';
import type { AttachmentRecord, NewAttachment } from '../attachment-store.ts';
import type { Db } from './db.ts';

const RECORD = 'id, owner_kind, owner_id, name, type, size, created_at';

export async function putAttachment(db: Db, input: NewAttachment): Promise<AttachmentRecord> {
  const [row] = await db.query<AttachmentRow>(
    `INSERT INTO attachments (id, owner_kind, owner_id, name, type, size, created_at, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${RECORD}`,
    [newId(), input.ownerKind, input.ownerId, input.name, input.type, input.data.byteLength, input.createdAt, Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength)],
  );
  return toAttachment(row);
}

export async function getAttachment(db: Db, id: string): Promise<AttachmentRecord | null> {
  const [row] = await db.query<AttachmentRow>(`SELECT ${RECORD} FROM attachments WHERE id = $1`, [id]);
  return row ? toAttachment(row) : null;
}

export async function getAttachmentData(db: Db, id: string): Promise<Uint8Array | null> {
  const [row] = await db.query<{ data: Buffer }>('SELECT data FROM attachments WHERE id = $1', [id]);
  return row ? row.data : null;
}

export async function attachmentConversations(db: Db, id: string, limit: number): Promise<string[]> {
  const rows = await db.query<{ conversation_id: string }>('SELECT DISTINCT conversation_id FROM messages WHERE attachment_id = $1 LIMIT $2', [id, limit]);
  return rows.map((r) => r.conversation_id);
}

export async function countUnsentAttachments(db: Db, owner: { kind: 'visitor' | 'agent'; id: string }, since: number): Promise<number> {
  const [row] = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM attachments a WHERE owner_kind = $1 AND owner_id = $2 AND created_at >= $3
       AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.attachment_id = a.id)`,
    [owner.kind, owner.id, since],
  );
  return Number(row?.n ?? 0);
}

export function pruneAttachments(db: Db, before: number): Promise<number> {
  return db.execute(
    `DELETE FROM attachments a WHERE created_at < $1 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.attachment_id = a.id)`,
    [before],
  );
}
