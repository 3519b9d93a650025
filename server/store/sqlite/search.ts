// Search and tags in the SQLite engine (#17): FTS5 MATCH queries over the indexes of migration 10,
// and the conversation_tags table. The user's words never reach FTS5's syntax: each term is one
// quoted string (quotes doubled), `*` after it for a prefix term. Values are always bound.

import type { DatabaseSync } from 'node:sqlite';
import type { MessageRow, VisitorRow } from '../rows.ts';
import type { SearchQuery } from '../store.ts';
import type { Query, Sql } from './statements.ts';

const sql = <R = never>(text: string): Sql<R> => text;

/** FTS5 query text: every term a quoted string, AND-ed (FTS5's implicit operator). */
export function ftsQuery(terms: SearchQuery['terms']): string {
  return terms.map((t) => `"${t.text.replaceAll('"', '""')}"${t.prefix ? '*' : ''}`).join(' ');
}

/** Who may read what: a non-admin (?2 their id) does not see another agent's active conversation. */
const VIEWABLE = `(?2 IS NULL OR c.status <> 'active' OR c.agent_id = ?2)`;

const SQL = {
  // The newest ?3 matches the viewer may read, newest first (FTS5 walks its doclists in descending
  // rowid order, and rowid is insertion order); rankCandidates() orders them. Not bm25(): its
  // inverse document frequency counts every row holding each term, a whole doclist read for a
  // common word (half a second on a year of messages), whatever the LIMIT.
  messages: sql<MessageRow>(`WITH hits AS MATERIALIZED (
      SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?3
    )
    SELECT m.* FROM hits
      CROSS JOIN messages m ON m.rowid = hits.rowid
      CROSS JOIN conversations c ON c.id = m.conversation_id
    WHERE ${VIEWABLE}
    ORDER BY m.rowid DESC`),
  // Each matching visitor once, with their newest conversation the viewer may read.
  visitors: sql<VisitorRow & { conversation_id: string }>(`SELECT v.*, (
        SELECT c.id FROM conversations c WHERE c.visitor_id = v.id AND ${VIEWABLE} ORDER BY c.created_at DESC, c.id DESC LIMIT 1
      ) AS conversation_id
    FROM visitors_fts JOIN visitors v ON v.rowid = visitors_fts.rowid
    WHERE visitors_fts MATCH ?1 AND conversation_id IS NOT NULL
    ORDER BY v.rowid DESC LIMIT ?3 OFFSET ?4`),
  conversationExists: sql<{ id: string }>('SELECT id FROM conversations WHERE id = ?'),
  tagsOf: sql<{ tag: string }>('SELECT tag FROM conversation_tags WHERE conversation_id = ? ORDER BY tag'),
  tagsOfMany: sql<{ conversation_id: string; tag: string }>(
    'SELECT conversation_id, tag FROM conversation_tags WHERE conversation_id IN (SELECT value FROM json_each(?)) ORDER BY conversation_id, tag',
  ),
  insertTag: sql('INSERT INTO conversation_tags (conversation_id, tag, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
  deleteTag: sql('DELETE FROM conversation_tags WHERE conversation_id = ? AND tag = ?'),
} as const;

type SearchStatements = { readonly [K in keyof typeof SQL]: Query<(typeof SQL)[K] extends Sql<infer R> ? R : never> };

export function prepareSearchStatements(db: DatabaseSync): SearchStatements {
  return Object.fromEntries(Object.entries(SQL).map(([key, text]) => [key, db.prepare(text)])) as unknown as SearchStatements;
}

/** The bound parameters of the visitors' statement: ?1 match, ?2 viewer (null for admins), ?3 limit, ?4 offset. */
export function searchParams(query: SearchQuery): [string, string | null, number, number] {
  return [ftsQuery(query.terms), query.viewer.admin ? null : query.viewer.agentId, query.limit, query.offset];
}

/** The messages' statement: ?1 match, ?2 viewer, ?3 candidates. */
export function candidateParams(query: SearchQuery): [string, string | null, number] {
  return [ftsQuery(query.terms), query.viewer.admin ? null : query.viewer.agentId, query.candidates];
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;
const fold = (w: string) => w.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
/** BM25's constants, as FTS5's bm25() has them. */
const K1 = 1.2;
const B = 0.75;

/**
 * Okapi BM25 over the candidates (newest first): term frequency and length from each body, the
 * inverse document frequency among the candidates. Best first; ties keep the newest first.
 */
export function rankCandidates(rows: MessageRow[], terms: SearchQuery['terms']): MessageRow[] {
  const wanted = terms.map((t) => ({ text: fold(t.text), prefix: t.prefix }));
  const stats = rows.map((row) => {
    const tf = wanted.map(() => 0);
    let length = 0;
    for (const match of row.body.matchAll(WORD)) {
      length++;
      const word = fold(match[0]);
      wanted.forEach((t, i) => {
        if (t.prefix ? word.startsWith(t.text) : word === t.text) tf[i]++;
      });
    }
    return { row, tf, length };
  });
  const n = stats.length;
  const average = stats.reduce((sum, s) => sum + s.length, 0) / Math.max(1, n);
  const idf = wanted.map((_, i) => {
    const holding = stats.filter((s) => s.tf[i] > 0).length;
    return Math.log(1 + (n - holding + 0.5) / (holding + 0.5));
  });
  const scored = stats.map((s, order) => ({
    row: s.row,
    order,
    score: s.tf.reduce((sum, f, i) => sum + (idf[i] * f * (K1 + 1)) / (f + K1 * (1 - B + (B * s.length) / Math.max(1, average))), 0),
  }));
  scored.sort((a, b) => b.score - a.score || a.order - b.order);
  return scored.map((s) => s.row);
}
