// Validation of the search and tag payloads (#17), at the edge, for both transports. What a tag
// may be is core/tags.ts's to check (normalizeTag); here only types and bounds.

import { z } from 'zod';
import { SEARCH_MAX_OFFSET, SEARCH_MAX_QUERY_LENGTH } from '../protocol/search.ts';

const text = () =>
  z
    .string()
    .refine((s) => s.isWellFormed(), 'text is not well-formed Unicode')
    .refine((s) => !s.includes('\u0000'), 'text contains a NUL character (U+0000)');
const id = text().min(1).max(100);

export const searchSchemas = {
  /** GET /api/search?q=&offset= — each once. */
  searchQuery: z.object({
    q: text().min(1, 'q is required').max(SEARCH_MAX_QUERY_LENGTH, `q is longer than ${SEARCH_MAX_QUERY_LENGTH} characters`),
    offset: z.coerce.number().int().min(0).max(SEARCH_MAX_OFFSET).optional(),
  }),
  /** tag:add / tag:remove; the tag's own rules are checked after (too long a string is refused here already). */
  tagChange: z.object({ conversationId: id, tag: text().min(1).max(200) }),
  tagsGet: z.object({ conversationIds: z.array(id).max(200) }),
};
