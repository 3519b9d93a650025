// Search and tags (#17 items 4 and 6): the shapes of `GET /api/search` and of the tag events, and
// the rules both sides share — how a query becomes terms, what a tag may be. Imports nothing.

/** `q` longer than this (UTF-16 units) is refused. */
export const SEARCH_MAX_QUERY_LENGTH = 200;
/** Terms past this many are refused (each one is an index lookup). */
export const SEARCH_MAX_TERMS = 8;
/** A term shorter than this matches whole words only; from it on, any word it begins. */
export const SEARCH_PREFIX_MIN = 3;
/** Results per page, and how deep paging may go. */
export const SEARCH_PAGE_SIZE = 20;
export const SEARCH_MAX_OFFSET = 500;
/**
 * The newest this many matching messages are ranked (best match first) and paged: what keeps a
 * word found in half of a year's messages as fast as a rare one. Older matches of so common a
 * query are not shown: a more precise query finds them.
 */
export const SEARCH_CANDIDATES = 1000;
/** Visitor matches (name, email) shown above the messages on the first page. */
export const SEARCH_MAX_VISITORS = 5;

/** One word of a query: letters, digits and combining marks, lower-cased, NFKC. */
export interface SearchTerm {
  text: string;
  /** Matches every word that begins with it (SEARCH_PREFIX_MIN characters or more). */
  prefix: boolean;
}

// One character class, no nesting: linear on any input.
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/**
 * The terms of a user's query: everything but letters, digits and marks separates words, so no
 * character of the query can reach an engine's query syntax (quotes, operators, column filters).
 * Duplicates are dropped. An empty list: nothing to search for.
 */
export function searchTerms(q: string): SearchTerm[] {
  const seen = new Set<string>();
  const terms: SearchTerm[] = [];
  for (const match of q.normalize('NFKC').toLowerCase().matchAll(WORD)) {
    const text = match[0];
    if (seen.has(text)) continue;
    seen.add(text);
    terms.push({ text, prefix: [...text].length >= SEARCH_PREFIX_MIN });
  }
  return terms;
}

/** A word as the engines compare it: lower-cased, diacritics off (what highlighting matches on). */
export function foldWord(word: string): string {
  return word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** A highlighted range of a snippet's text: UTF-16 offsets, end exclusive. */
export interface Highlight {
  start: number;
  end: number;
}

/** Text to show with ranges to mark: the client renders each range as a text element, never HTML. */
export interface Snippet {
  text: string;
  highlights: Highlight[];
}

export interface SearchResult {
  /** `message`: a message matched; `visitor`: the visitor's name or email did (their latest conversation). */
  kind: 'message' | 'visitor';
  conversation: {
    id: string;
    status: 'queued' | 'active' | 'closed';
    visitor: { id: string; name: string; email: string | null };
    agent: { id: string; name: string } | null;
    createdAt: string;
    closedAt: string | null;
  };
  /** The matching message (kind `message`); null for a visitor match. */
  message: { id: string; seq: number; author: { kind: 'visitor' | 'agent' | 'system'; name: string }; createdAt: string } | null;
  snippet: Snippet;
}

/** `GET /api/search?q=&offset=` */
export interface SearchResponse {
  results: SearchResult[];
  /** The offset of the next page, or null when this was the last. */
  nextOffset: number | null;
}

// ---- tags

/** At most this many tags on one conversation. */
export const MAX_TAGS_PER_CONVERSATION = 10;
export const MAX_TAG_LENGTH = 32;
/** A letter or digit, then letters, digits, `-` and `_`; checked after lower-casing (tags are lower case). */
const TAG = /^[\p{L}\p{N}][\p{L}\p{N}_-]*$/u;

/** The tag as stored (trimmed, NFKC, lower case), or null when it is no valid tag. */
export function normalizeTag(input: string): string | null {
  const tag = input.trim().normalize('NFKC').toLowerCase();
  if (tag.length === 0 || tag.length > MAX_TAG_LENGTH || !tag.isWellFormed() || !TAG.test(tag)) return null;
  return tag;
}

/** Server → agents: a conversation's tags changed (every agent socket, every node). */
export interface TagsEvent {
  conversationId: string;
  tags: string[];
}
