// Gap-free catch-up, one page at a time: `history:get {afterSeq, limit}` with the
// server's largest page (HIST1: 200), each page handed to the caller as it comes,
// and a pause between pages, so a browser draws and handles input while thousands
// of missed messages arrive instead of freezing until the last one.

import type { HistoryResult } from '../../server/protocol/events.ts';
import type { HistoryQuery } from '../../server/protocol/shapes.ts';
import { HISTORY_MAX_LIMIT } from '../../server/protocol/shapes.ts';

/** Messages per catch-up request: the most the server gives (HIST1). */
export const CATCH_UP_PAGE = HISTORY_MAX_LIMIT;

/** The page after `afterSeq`. */
export function pageAfter(get: (query: HistoryQuery) => Promise<HistoryResult>, afterSeq: number): Promise<HistoryResult> {
  return get({ afterSeq, limit: CATCH_UP_PAGE });
}

/** A full page: there may be more after it. */
export const mayHaveMore = (page: HistoryResult): boolean => page.messages.length >= CATCH_UP_PAGE;

/** Ends the current task: the browser renders and handles pending input before the next page is asked. */
export function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
