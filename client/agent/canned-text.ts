// The text side of canned replies, with no DOM and no network (tests import it): the `/` trigger
// in the composer, the filter, and the placeholders filled in before a reply is sent.

import type { CannedReply } from '../../server/protocol/agent-tools.ts';
import { defaultNameTag } from '../../server/protocol/names.ts';

/** At most this many suggestions in the list. */
export const SUGGESTIONS_MAX = 8;

/**
 * The `/query` being typed at the caret, if the slash starts the text or follows white space, and
 * the query has no white space: where it starts (the slash) and what follows it.
 */
export function slashQuery(text: string, caret: number): { start: number; query: string } | null {
  let i = caret;
  while (i > 0) {
    const ch = text[i - 1];
    if (ch === '/') {
      const before = i - 2 >= 0 ? text[i - 2] : '';
      if (before === '' || before === ' ' || before === '\n' || before === '\t') return { start: i - 1, query: text.slice(i, caret) };
      return null;
    }
    if (ch === ' ' || ch === '\n' || ch === '\t') return null;
    i--;
    if (caret - i > 64) return null;
  }
  return null;
}

/** Replies whose shortcut starts with the query first, then those whose shortcut or body contains it. */
export function filterCanned(replies: readonly CannedReply[], query: string): CannedReply[] {
  const q = query.toLowerCase();
  const starts: CannedReply[] = [];
  const contains: CannedReply[] = [];
  for (const r of replies) {
    const s = r.shortcut.toLowerCase();
    if (s.startsWith(q)) starts.push(r);
    else if (s.includes(q) || r.body.toLowerCase().includes(q)) contains.push(r);
  }
  return [...starts, ...contains].slice(0, SUGGESTIONS_MAX);
}

/**
 * `{{visitor.name}}` and `{{agent.name}}` replaced (with or without spaces inside the braces); a
 * visitor who gave no name gets `fallback` (translated: "there" in English).
 */
export function fillPlaceholders(body: string, ctx: { visitorName: string; agentName: string; fallback: string }): string {
  const visitor = ctx.visitorName.trim() === '' || defaultNameTag(ctx.visitorName) !== null ? ctx.fallback : ctx.visitorName;
  const values: Record<string, string> = { 'visitor.name': visitor, 'agent.name': ctx.agentName };
  let out = '';
  let i = 0;
  while (i < body.length) {
    const open = body.indexOf('{{', i);
    if (open < 0) break;
    const close = body.indexOf('}}', open + 2);
    if (close < 0) break;
    const key = body.slice(open + 2, close).trim();
    out += body.slice(i, open);
    out += key in values ? values[key] : body.slice(open, close + 2);
    i = close + 2;
  }
  return out + body.slice(i);
}
