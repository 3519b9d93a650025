// Shapes of the agent tools of issue #17 owned here: canned replies, satisfaction ratings (CSAT)
// and the visitor's context beyond SPEC §5 (pages, earlier conversations, browser). Imports only
// sibling protocol files; client/ imports it too.

import type { Conversation } from './shapes.ts';

/** Limits the server enforces (and the console shows). */
export const CANNED_SHORTCUT_MAX = 32;
export const CANNED_TEAM_MAX = 200;
export const CANNED_PERSONAL_MAX = 100;
export const CSAT_COMMENT_MAX = 1000;
/** A rating can be given, and changed, until this long after the conversation closed. */
export const CSAT_WINDOW_MS = 24 * 60 * 60_000;
/** Page views kept per visitor (older ones are dropped), and the longest URL / title stored. */
export const PAGE_VIEWS_KEPT = 50;
export const PAGE_URL_MAX = 2048;
export const PAGE_TITLE_MAX = 300;
/** Earlier conversations listed beside the current one. */
export const EARLIER_CONVERSATIONS_MAX = 20;

export const CannedScope = { Team: 'team', Personal: 'personal' } as const;
export type CannedScope = (typeof CannedScope)[keyof typeof CannedScope];

export interface CannedReply {
  id: string;
  scope: CannedScope;
  /** Personal replies only: whose it is. */
  ownerId: string | null;
  shortcut: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export const CsatRating = { Good: 'good', Okay: 'okay', Bad: 'bad' } as const;
export type CsatRating = (typeof CsatRating)[keyof typeof CsatRating];
export const CSAT_RATINGS: readonly CsatRating[] = ['good', 'okay', 'bad'];

export interface Csat {
  conversationId: string;
  rating: CsatRating;
  comment: string | null;
  createdAt: string;
  updatedAt: string;
  /** Until when the visitor may still change it (ISO-8601). */
  changeableUntil: string;
}

/** CSAT for a period: how many of each rating, and the score (good / all, in %; null with none). */
export interface CsatSummary {
  from: string;
  to: string;
  good: number;
  okay: number;
  bad: number;
  total: number;
  score: number | null;
}

export interface VisitorPageView {
  url: string;
  title: string | null;
  at: string;
}

/** What the console shows beside a conversation beyond VisitorContext's basics. */
export interface VisitorDetails {
  /** When the visitor was first seen (their record's creation). */
  firstSeen: string;
  /** From the User-Agent of their latest page view (server/core/user-agent.ts); null when unknown. */
  browser: string | null;
  os: string | null;
  /** The IANA time zone their widget reported (validated), or null. */
  timeZone: string | null;
  /** Newest first, at most PAGE_VIEWS_KEPT. */
  pages: VisitorPageView[];
  /** Their other conversations, newest first (at most EARLIER_CONVERSATIONS_MAX), each with its rating. */
  earlier: Array<Conversation & { csat: CsatRating | null }>;
}
