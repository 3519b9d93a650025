// Validation of the agent tools' payloads (canned replies, CSAT, page views with a time zone), at
// the edge like schemas.ts. Shortcuts are checked by a scan, not a pattern.

import { z } from 'zod';
import { CANNED_SHORTCUT_MAX, CSAT_COMMENT_MAX, CSAT_RATINGS, type CsatRating, PAGE_TITLE_MAX, PAGE_URL_MAX } from '../protocol/agent-tools.ts';
import { id, messageBody, text } from './schemas.ts';

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Letters and digits of any script, `-`, `_` and `.`; no white space, no leading `/` (the composer's trigger). */
export function isShortcut(s: string): boolean {
  if (s.length === 0 || s.length > CANNED_SHORTCUT_MAX) return false;
  for (const ch of s) {
    if (ch === '-' || ch === '_' || ch === '.') continue;
    if (!LETTER_OR_DIGIT.test(ch)) return false;
  }
  return true;
}

const shortcut = text()
  .trim()
  .max(CANNED_SHORTCUT_MAX, `shortcut is longer than ${CANNED_SHORTCUT_MAX} characters`)
  .refine(isShortcut, 'shortcut: 1–32 letters, digits, "-", "_" or "."');

export function createAgentToolsSchemas(maxMessageLength: number) {
  const body = messageBody(maxMessageLength);
  return {
    cannedCreate: z.strictObject({ scope: z.enum(['team', 'personal']), shortcut, body }),
    cannedUpdate: z
      .strictObject({ shortcut: shortcut.optional(), body: body.optional() })
      .refine((p) => p.shortcut !== undefined || p.body !== undefined, 'shortcut or body is required'),
    csatRate: z.object({
      conversationId: id,
      rating: z.enum(CSAT_RATINGS as [CsatRating, ...CsatRating[]]),
      comment: text().max(CSAT_COMMENT_MAX, `comment is longer than ${CSAT_COMMENT_MAX} characters`).optional(),
    }),
    /** page:view, as schemas.ts has it, plus the visitor's time zone (checked against Intl in core). */
    pageView: z.object({
      url: text().trim().min(1).max(PAGE_URL_MAX),
      title: text().max(PAGE_TITLE_MAX).optional(),
      timeZone: text().min(1).max(64).optional(),
      /** The widget's language (a shipped code; anything else is ignored): the visitor's emails speak it. */
      language: text().min(1).max(35).optional(),
    }),
  };
}

export type AgentToolsSchemas = ReturnType<typeof createAgentToolsSchemas>;
