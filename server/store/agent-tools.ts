// The storage contract of the agent tools owned here (canned replies, page views, CSAT): part of
// Store (store.ts), implemented by each engine in its agent-tools.ts. Whole operations, result
// unions for what a caller must handle; a throw means the database failed.

import type { CsatRating } from '../protocol/agent-tools.ts';

export interface CannedReplyRecord {
  id: string;
  /** null: a team-wide reply; otherwise the agent whose personal reply it is. */
  ownerId: string | null;
  shortcut: string;
  body: string;
  createdAt: number;
  updatedAt: number;
}

export type CreateCannedResult =
  | { kind: 'created'; reply: CannedReplyRecord }
  /** The owner (or the team) has a reply with this shortcut already (compared case-insensitively). */
  | { kind: 'shortcut_taken' }
  /** The owner (or the team) has `max` replies already. */
  | { kind: 'too_many' };

export type UpdateCannedResult = { kind: 'updated'; reply: CannedReplyRecord } | { kind: 'not_found' } | { kind: 'shortcut_taken' };

export interface PageViewRecord {
  visitorId: string;
  url: string;
  title: string | null;
  userAgent: string | null;
  timeZone: string | null;
  at: number;
}

export interface CsatRecord {
  conversationId: string;
  visitorId: string;
  /** Who held the conversation when it closed (null when closed from the queue). */
  agentId: string | null;
  rating: CsatRating;
  comment: string | null;
  createdAt: number;
  updatedAt: number;
}

export type RateResult =
  | { kind: 'rated'; csat: CsatRecord; closedAt: number; agentId: string | null }
  /** No such conversation, or not this visitor's: the same answer, so ids cannot be probed. */
  | { kind: 'not_found' }
  | { kind: 'not_closed' }
  /** The window (`until`) has passed: nothing stored. */
  | { kind: 'window_over' };

export interface CsatCounts {
  good: number;
  okay: number;
  bad: number;
}

export interface AgentToolsStore {
  // ---- canned replies
  /** The team's replies and `agentId`'s personal ones, by shortcut. */
  listCannedReplies(agentId: string): Promise<CannedReplyRecord[]>;
  getCannedReply(id: string): Promise<CannedReplyRecord | null>;
  /** Counted and inserted under one lock per owner: `max` holds with many nodes. */
  createCannedReply(input: { ownerId: string | null; shortcut: string; body: string; max: number }): Promise<CreateCannedResult>;
  updateCannedReply(id: string, patch: { shortcut?: string; body?: string }): Promise<UpdateCannedResult>;
  deleteCannedReply(id: string): Promise<boolean>;

  // ---- page views
  /** Stores one view and drops the visitor's oldest beyond `keep`. */
  recordPageView(view: PageViewRecord, keep: number): Promise<void>;
  /** Newest first. */
  listPageViews(visitorId: string, limit: number): Promise<PageViewRecord[]>;

  // ---- satisfaction
  /**
   * One rating per conversation (a second call replaces it), only by the conversation's visitor,
   * only once it is closed and only while `now` < closed_at + windowMs: checked and written in one
   * transaction.
   */
  rateConversation(input: { conversationId: string; visitorId: string; rating: CsatRating; comment: string | null; now: number; windowMs: number }): Promise<RateResult>;
  getCsat(conversationId: string): Promise<CsatRecord | null>;
  /** The ratings of these conversations, in no particular order: one query. */
  getCsats(conversationIds: readonly string[]): Promise<CsatRecord[]>;
  /** Ratings of conversations closed within [from, to), optionally only those `agentId` held. */
  csatCounts(range: { from: number; to: number; agentId?: string }): Promise<CsatCounts>;
}
