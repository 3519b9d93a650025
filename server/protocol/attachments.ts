// What files Parley accepts as attachments and how each is shown: shared by the server (which
// decides) and client/ (which offers the same list to the file picker). Imports nothing.

/** The allowlist: the type is recognised from the file's content, never taken from the client. */
export const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** Shown inline (thumbnails, `Content-Disposition: inline`); everything else is a download. Never SVG. */
export const INLINE_IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

/** The path files are uploaded to and served from (`GET /api/attachments/:id`). */
export const ATTACHMENTS_PATH = '/api/attachments';

export function attachmentUrl(id: string): string {
  return `${ATTACHMENTS_PATH}/${encodeURIComponent(id)}`;
}

export function isInlineImage(type: string): boolean {
  return INLINE_IMAGE_TYPES.includes(type);
}
