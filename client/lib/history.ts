// Gap-free catch-up: every message after a seq, fetched page by page
// (`history:get {afterSeq}`), so a reconnect or resync misses nothing.

import type { HistoryResult } from '../../server/protocol/events.ts';
import type { HistoryQuery } from '../../server/protocol/shapes.ts';
import { HISTORY_MAX_LIMIT } from '../../server/protocol/shapes.ts';

export async function fetchAfter(get: (query: HistoryQuery) => Promise<HistoryResult>, afterSeq: number): Promise<HistoryResult> {
  const all: HistoryResult = { conversation: null, messages: [] };
  for (let after = afterSeq; ; ) {
    const page = await get({ afterSeq: after, limit: HISTORY_MAX_LIMIT });
    all.conversation = page.conversation;
    all.messages.push(...page.messages);
    if (page.messages.length < HISTORY_MAX_LIMIT) return all;
    after = page.messages[page.messages.length - 1].seq;
  }
}
