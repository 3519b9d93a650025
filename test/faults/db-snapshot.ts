// What the database holds at the end, read with plain SQL (not through the product's store, which
// is what is being checked): every conversation and every message row, and for SQLite the
// file's integrity_check.

import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';

export interface StoredMessage {
  id: string;
  conversationId: string;
  seq: number;
  clientId: string;
  authorKind: string;
  authorId: string;
}

export interface StoredConversation {
  id: string;
  status: string;
  visitorId: string;
  agentId: string | null;
  /** Ascending seq. */
  messages: StoredMessage[];
}

export interface Snapshot {
  conversations: Map<string, StoredConversation>;
}

interface Row {
  [column: string]: unknown;
}

function build(conversations: Row[], messages: Row[]): Snapshot {
  const map = new Map<string, StoredConversation>();
  for (const c of conversations) {
    map.set(String(c.id), { id: String(c.id), status: String(c.status), visitorId: String(c.visitor_id), agentId: c.agent_id === null ? null : String(c.agent_id), messages: [] });
  }
  for (const m of messages) {
    const message: StoredMessage = {
      id: String(m.id),
      conversationId: String(m.conversation_id),
      seq: Number(m.seq),
      clientId: String(m.client_id),
      authorKind: String(m.author_kind),
      authorId: String(m.author_id),
    };
    const c = map.get(message.conversationId);
    if (!c) throw new Error(`message ${message.id} of unknown conversation ${message.conversationId}`);
    c.messages.push(message);
  }
  for (const c of map.values()) c.messages.sort((a, b) => a.seq - b.seq);
  return { conversations: map };
}

const CONVERSATIONS = 'SELECT id, status, visitor_id, agent_id FROM conversations';
const MESSAGES = 'SELECT id, conversation_id, seq, client_id, author_kind, author_id FROM messages';

export async function postgresSnapshot(url: string): Promise<Snapshot> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    // One snapshot of both tables.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const conversations = (await client.query(CONVERSATIONS)).rows as Row[];
    const messages = (await client.query(MESSAGES)).rows as Row[];
    await client.query('COMMIT');
    return build(conversations, messages);
  } finally {
    await client.end();
  }
}

/**
 * With `integrity`, opens the SQLite file as the next start would (a WAL left by a crash is
 * recovered) and runs integrity_check: only while no server has the file open. Without, reads
 * alongside a running server (a read-only WAL reader).
 */
export function sqliteSnapshot(path: string, opts: { integrity: boolean }): Snapshot & { integrity: string | null } {
  const db = new DatabaseSync(path, { readOnly: !opts.integrity });
  try {
    const integrity = opts.integrity ? (db.prepare('PRAGMA integrity_check').all() as Row[]).map((r) => String(Object.values(r)[0])).join('; ') : null;
    const conversations = db.prepare(CONVERSATIONS).all() as Row[];
    const messages = db.prepare(MESSAGES).all() as Row[];
    return { ...build(conversations, messages), integrity };
  } finally {
    db.close();
  }
}
