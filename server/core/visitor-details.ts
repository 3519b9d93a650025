// What the console shows of a visitor beside a conversation beyond visitors.ts's context: the pages
// they viewed (recorded from the widget's page:view, http(s) only, bounded), their browser and OS
// (user-agent.ts), their time zone, when they were first seen and their other conversations with
// their ratings. No transport: callers validate input first.

import { AppError, ErrorCode } from '../protocol/errors.ts';
import { EARLIER_CONVERSATIONS_MAX, PAGE_VIEWS_KEPT, type VisitorDetails } from '../protocol/agent-tools.ts';
import type { Store } from '../store/store.ts';
import type { ActingAgent, ActingVisitor, ConversationService } from './conversations.ts';
import { toConversation } from './mappers.ts';
import { timeZone } from './time-zone.ts';
import { parseUserAgent, UA_MAX } from './user-agent.ts';

/** Whether a page address may be kept in the visitor's history: http(s) only, checked by prefix. */
export function isWebAddress(url: string): boolean {
  const lower = url.slice(0, 8).toLowerCase();
  return lower.startsWith('http://') || lower.startsWith('https://');
}

export interface VisitorDetailsService {
  /** Keeps the page in the visitor's history (only http and https addresses; the newest PAGE_VIEWS_KEPT). */
  recordPageView(visitor: ActingVisitor, page: { url: string; title?: string; timeZone?: string }, userAgent: string | undefined): Promise<void>;
  details(agent: ActingAgent, conversationId: string): Promise<VisitorDetails>;
}

export function createVisitorDetails(deps: { store: Store; conversations: Pick<ConversationService, 'requireViewable'>; now: () => number }): VisitorDetailsService {
  const { store, conversations } = deps;
  return {
    async recordPageView(visitor, page, userAgent) {
      if (!isWebAddress(page.url)) return;
      // Only a zone Intl knows is kept, under its canonical name.
      const zone = page.timeZone ? timeZone(page.timeZone) : null;
      await store.recordPageView(
        {
          visitorId: visitor.id,
          url: page.url,
          title: page.title?.trim() || null,
          userAgent: userAgent ? userAgent.slice(0, UA_MAX) : null,
          timeZone: zone ? page.timeZone! : null,
          at: deps.now(),
        },
        PAGE_VIEWS_KEPT,
      );
    },

    async details(agent, conversationId) {
      const conversation = await conversations.requireViewable(agent, conversationId);
      const [visitor, pages, list] = await Promise.all([
        store.getVisitor(conversation.visitorId),
        store.listPageViews(conversation.visitorId, PAGE_VIEWS_KEPT),
        store.listConversations({ visitorId: conversation.visitorId, limit: EARLIER_CONVERSATIONS_MAX + 1 }),
      ]);
      if (!visitor) throw new AppError(ErrorCode.NotFound, 'no such visitor');
      const earlier = list.filter((c) => c.id !== conversation.id).slice(0, EARLIER_CONVERSATIONS_MAX);
      const ratings = new Map((await store.getCsats(earlier.map((c) => c.id))).map((r) => [r.conversationId, r.rating]));
      const latest = pages.find((p) => p.userAgent !== null);
      const { browser, os } = parseUserAgent(latest?.userAgent);
      return {
        firstSeen: new Date(visitor.createdAt).toISOString(),
        browser,
        os,
        timeZone: pages.find((p) => p.timeZone !== null)?.timeZone ?? null,
        pages: pages.map((p) => ({ url: p.url, title: p.title, at: new Date(p.at).toISOString() })),
        earlier: earlier.map((c) => ({ ...toConversation(c), csat: ratings.get(c.id) ?? null })),
      };
    },
  };
}
