// Satisfaction ratings (CSAT): once a conversation is closed its visitor rates it good / okay / bad
// with an optional comment; one rating per conversation, which they may change until CSAT_WINDOW_MS
// after the close; then it is refused. The agents see it live (onRated), admins as counts and a score
// for a period. No transport: callers validate input first.

import type { Clock } from '../clock.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import { type Csat, type CsatRating, type CsatSummary, CSAT_WINDOW_MS } from '../protocol/agent-tools.ts';
import type { CsatCounts, CsatRecord, Store } from '../store/store.ts';
import type { ActingVisitor } from './conversations.ts';

export interface CsatService {
  rate(visitor: ActingVisitor, input: { conversationId: string; rating: CsatRating; comment?: string }): Promise<Csat>;
  /** The rating of a conversation the caller may already see, or null. */
  of(conversationId: string, closedAt: number | null): Promise<Csat | null>;
  summary(range: { from: number; to: number; agentId?: string }): Promise<CsatSummary>;
}

export interface CsatRated {
  csat: Csat;
  /** Who held the conversation when it closed: they are told. */
  agentId: string | null;
  visitorId: string;
}

export function toCsat(r: CsatRecord, closedAt: number): Csat {
  return {
    conversationId: r.conversationId,
    rating: r.rating,
    comment: r.comment,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
    changeableUntil: new Date(closedAt + CSAT_WINDOW_MS).toISOString(),
  };
}

/** good / all, in whole percent; null when nobody rated. */
export function csatScore(c: CsatCounts): number | null {
  const total = c.good + c.okay + c.bad;
  return total === 0 ? null : Math.round((c.good / total) * 100);
}

export function createCsatService(deps: { store: Store; clock: Clock; onRated(event: CsatRated): void }): CsatService {
  const { store, clock } = deps;
  return {
    async rate(visitor, { conversationId, rating, comment }) {
      const trimmed = comment?.trim() ? comment.trim() : null;
      const result = await store.rateConversation({ conversationId, visitorId: visitor.id, rating, comment: trimmed, now: clock.now(), windowMs: CSAT_WINDOW_MS });
      switch (result.kind) {
        case 'not_found':
          throw new AppError(ErrorCode.NotFound, 'no such conversation');
        case 'not_closed':
          throw new AppError(ErrorCode.Conflict, 'a conversation is rated once it is closed');
        case 'window_over':
          throw new AppError(ErrorCode.Forbidden, 'the time to rate this conversation is over');
      }
      const csat = toCsat(result.csat, result.closedAt);
      deps.onRated({ csat, agentId: result.agentId, visitorId: visitor.id });
      return csat;
    },

    async of(conversationId, closedAt) {
      if (closedAt === null) return null;
      const r = await store.getCsat(conversationId);
      return r && toCsat(r, closedAt);
    },

    async summary(range) {
      const counts = await store.csatCounts(range);
      const total = counts.good + counts.okay + counts.bad;
      return { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), ...counts, total, score: csatScore(counts) };
    },
  };
}
