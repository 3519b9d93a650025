// Rows of the agent-tools tables (same names in SQLite and PostgreSQL) and their records, shared by
// both engines. Integers arrive as numbers from node:sqlite and BIGINTs as strings from `pg`.

import type { CsatRating } from '../protocol/agent-tools.ts';
import type { CannedReplyRecord, CsatCounts, CsatRecord, PageViewRecord } from './agent-tools.ts';

type Int = string | number;

export interface CannedRow {
  id: string;
  owner_id: string | null;
  shortcut: string;
  body: string;
  created_at: Int;
  updated_at: Int;
}

export interface PageViewRow {
  visitor_id: string;
  url: string;
  title: string | null;
  user_agent: string | null;
  time_zone: string | null;
  at: Int;
}

export interface CsatRow {
  conversation_id: string;
  visitor_id: string;
  agent_id: string | null;
  rating: CsatRating;
  comment: string | null;
  created_at: Int;
  updated_at: Int;
}

export const toCanned = (r: CannedRow): CannedReplyRecord => ({
  id: r.id,
  ownerId: r.owner_id,
  shortcut: r.shortcut,
  body: r.body,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export const toPageView = (r: PageViewRow): PageViewRecord => ({
  visitorId: r.visitor_id,
  url: r.url,
  title: r.title,
  userAgent: r.user_agent,
  timeZone: r.time_zone,
  at: Number(r.at),
});

export const toCsat = (r: CsatRow): CsatRecord => ({
  conversationId: r.conversation_id,
  visitorId: r.visitor_id,
  agentId: r.agent_id,
  rating: r.rating,
  comment: r.comment,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function toCsatCounts(rows: Array<{ rating: string; n: Int }>): CsatCounts {
  const counts: CsatCounts = { good: 0, okay: 0, bad: 0 };
  for (const r of rows) if (r.rating === 'good' || r.rating === 'okay' || r.rating === 'bad') counts[r.rating] = Number(r.n);
  return counts;
}

/** How shortcuts compare: case-insensitively, the same in every engine (computed here, stored as shortcut_key). */
export const shortcutKey = (shortcut: string): string => shortcut.toLowerCase();

/** What a rate attempt decides, given the conversation's row as read in the transaction. */
export function decideRate(
  c: { visitor_id: string; status: string; closed_at: Int | null } | undefined,
  input: { visitorId: string; now: number; windowMs: number },
): 'not_found' | 'not_closed' | 'window_over' | null {
  if (!c || c.visitor_id !== input.visitorId) return 'not_found';
  if (c.status !== 'closed' || c.closed_at === null) return 'not_closed';
  if (input.now >= Number(c.closed_at) + input.windowMs) return 'window_over';
  return null;
}
