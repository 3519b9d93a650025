// The storage interface of attachments (uploaded files), part of Store: every engine keeps the
// bytes in its own database (SQLite BLOB, PostgreSQL bytea), so a cluster needs nothing else.
// Who may read a file is decided by core/attachments.ts from what these return.

/** An attachment as a message carries it (MessageRecord.attachment): a copy, written with the message. */
export interface AttachmentRef {
  id: string;
  name: string;
  type: string;
  size: number;
}

export interface AttachmentRecord extends AttachmentRef {
  /** Who uploaded it: only they may send it in a message. */
  ownerKind: 'visitor' | 'agent';
  ownerId: string;
  /** Epoch ms. */
  createdAt: number;
}

export interface NewAttachment {
  ownerKind: 'visitor' | 'agent';
  ownerId: string;
  name: string;
  type: string;
  data: Uint8Array;
  createdAt: number;
}

export interface AttachmentStore {
  /** Stores the bytes; resolves once durable. */
  putAttachment(input: NewAttachment): Promise<AttachmentRecord>;
  /** The attachment's record without its bytes, or null. */
  getAttachment(id: string): Promise<AttachmentRecord | null>;
  /** The bytes, or null when there is no such attachment (any more). */
  getAttachmentData(id: string): Promise<Uint8Array | null>;
  /** The conversations with a message carrying this attachment (at most `limit`, any order). */
  attachmentConversations(id: string, limit: number): Promise<string[]>;
  /** How many uploads of this owner since `since` no message carries yet. */
  countUnsentAttachments(owner: { kind: 'visitor' | 'agent'; id: string }, since: number): Promise<number>;
  /** Deletes the uploads made before `before` that no message carries; returns how many. */
  pruneAttachments(before: number): Promise<number>;
}
