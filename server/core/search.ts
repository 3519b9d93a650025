// Search over past conversations (#17 item 4): the user's query becomes terms (protocol/search.ts,
// so nothing of it reaches an engine's query syntax), the store finds the matches the agent may
// read, and each result gets a snippet with the matching words' ranges marked — offsets into
// plain text, which the console renders as text elements, never HTML. No SQL, no transport.

import { AppError, ErrorCode } from '../protocol/errors.ts';
import {
  foldWord,
  type Highlight,
  SEARCH_CANDIDATES,
  SEARCH_MAX_OFFSET,
  SEARCH_MAX_TERMS,
  SEARCH_MAX_VISITORS,
  SEARCH_PAGE_SIZE,
  type SearchResponse,
  type SearchResult,
  type SearchTerm,
  searchTerms,
  type Snippet,
} from '../protocol/search.ts';
import type { ConversationRecord, SearchQuery, Store } from '../store/store.ts';
import type { ActingAgent } from './conversations.ts';

/** Characters of a snippet, about; a short body is shown whole. */
export const SNIPPET_WIDTH = 160;
/** Context kept before the first match. */
const LEAD = 40;
/** Highlights past this many in one snippet are not marked. */
const MAX_HIGHLIGHTS = 32;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/** The ranges of `text`'s words that match a term as the engines match (folded; whole word or prefix). */
export function highlights(text: string, terms: readonly SearchTerm[]): Highlight[] {
  const folded = terms.map((t) => ({ text: foldWord(t.text), prefix: t.prefix }));
  const out: Highlight[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = foldWord(match[0]);
    if (folded.some((t) => (t.prefix ? word.startsWith(t.text) : word === t.text))) {
      out.push({ start: match.index, end: match.index + match[0].length });
      if (out.length >= MAX_HIGHLIGHTS) break;
    }
  }
  return out;
}

/** A window of `text` around its first match, with the matches in it; line breaks become spaces (offsets unchanged). */
export function snippet(text: string, terms: readonly SearchTerm[], width = SNIPPET_WIDTH): Snippet {
  const flat = text.replace(/[\r\n\t]/g, ' ');
  const marks = highlights(flat, terms);
  if (flat.length <= width) return { text: flat, highlights: marks };
  let start = Math.max(0, (marks[0]?.start ?? 0) - LEAD);
  let end = Math.min(flat.length, start + width);
  // Never cut a surrogate pair in two.
  if (start > 0 && isLowSurrogate(flat.charCodeAt(start))) start++;
  if (end < flat.length && isLowSurrogate(flat.charCodeAt(end))) end--;
  const head = start > 0 ? '…' : '';
  const tail = end < flat.length ? '…' : '';
  const shift = head.length - start;
  return {
    text: head + flat.slice(start, end) + tail,
    highlights: marks.filter((h) => h.start >= start && h.end <= end).map((h) => ({ start: h.start + shift, end: h.end + shift })),
  };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function conversationOf(c: ConversationRecord, email: string | null): SearchResult['conversation'] {
  return {
    id: c.id,
    status: c.status,
    visitor: { id: c.visitorId, name: c.visitorName, email },
    agent: c.agentId === null ? null : { id: c.agentId, name: c.agentName ?? '' },
    createdAt: new Date(c.createdAt).toISOString(),
    closedAt: c.closedAt === null ? null : new Date(c.closedAt).toISOString(),
  };
}

export interface Search {
  /** One page of results for `q` from `offset`, only what `agent` may read. invalid_payload for a query with no words or too many. */
  search(agent: ActingAgent, q: string, offset: number): Promise<SearchResponse>;
}

export function createSearch(deps: { store: Store }): Search {
  const { store } = deps;
  return {
    async search(agent, q, offset) {
      const terms = searchTerms(q);
      if (terms.length === 0) throw new AppError(ErrorCode.InvalidPayload, 'q has no words to search for');
      if (terms.length > SEARCH_MAX_TERMS) throw new AppError(ErrorCode.InvalidPayload, `q has more than ${SEARCH_MAX_TERMS} words`);
      if (!Number.isInteger(offset) || offset < 0 || offset > SEARCH_MAX_OFFSET) {
        throw new AppError(ErrorCode.InvalidPayload, `offset must be a whole number from 0 to ${SEARCH_MAX_OFFSET}`);
      }
      const viewer = { agentId: agent.id, admin: agent.role === 'admin' };
      const query: SearchQuery = { terms, viewer, limit: SEARCH_PAGE_SIZE + 1, offset, candidates: SEARCH_CANDIDATES };
      const [messages, visitors] = await Promise.all([
        store.searchMessages(query),
        offset === 0 ? store.searchVisitors({ ...query, limit: SEARCH_MAX_VISITORS, offset: 0 }) : Promise.resolve([]),
      ]);
      const more = messages.length > SEARCH_PAGE_SIZE;
      // The visitors' emails for the message results (one batched read).
      const ids = [...new Set(messages.map((h) => h.conversation.visitorId))];
      const emails = new Map((ids.length > 0 ? await store.getVisitors(ids) : []).map((v) => [v.id, v.email]));
      const results: SearchResult[] = [
        ...visitors.map(
          (h): SearchResult => ({
            kind: 'visitor',
            conversation: conversationOf(h.conversation, h.visitor.email),
            message: null,
            snippet: snippet(h.visitor.email ? `${h.visitor.name} <${h.visitor.email}>` : h.visitor.name, terms),
          }),
        ),
        ...messages.slice(0, SEARCH_PAGE_SIZE).map(
          (h): SearchResult => ({
            kind: 'message',
            conversation: conversationOf(h.conversation, emails.get(h.conversation.visitorId) ?? null),
            message: {
              id: h.message.id,
              seq: h.message.seq,
              author: { kind: h.message.authorKind, name: h.message.authorName },
              createdAt: new Date(h.message.createdAt).toISOString(),
            },
            snippet: snippet(h.message.body, terms),
          }),
        ),
      ];
      return { results, nextOffset: more && offset + SEARCH_PAGE_SIZE <= SEARCH_MAX_OFFSET ? offset + SEARCH_PAGE_SIZE : null };
    },
  };
}
