// Attachments: who may upload, send and read a file, and when an unsent upload is forgotten. No
// transport here (http/api-attachments.ts streams the bytes in and out), no SQL.
//
// Read rule: the uploader may read their own upload; anyone else only through a conversation a
// message of which carries the file: its visitor, and the agents who may read that conversation
// (requireViewable: queued and closed ones are the team's, an active one its agent's and admins').
// Every refusal is `not_found`, so an id tells a stranger nothing, not even that it exists.

import type { Clock } from '../clock.ts';
import { AppError, ErrorCode } from '../protocol/errors.ts';
import type { Role } from '../protocol/shapes.ts';
import type { AttachmentRecord, AttachmentRef, Store } from '../store/store.ts';
import { cleanFileName, detectType } from './attachment-files.ts';

/** An agent as conversations.ts's ActingAgent (not imported: conversations.ts imports this file). */
interface ActingAgent {
  id: string;
  name: string;
  role: Role;
}

export interface AttachmentOwner {
  kind: 'visitor' | 'agent';
  id: string;
}

export type AttachmentReader = { kind: 'visitor'; id: string } | { kind: 'agent'; agent: ActingAgent };

/** An upload must be sent in a message within this time, or message:send refuses it. */
export const SEND_WITHIN_MS = 60 * 60_000;
/** Uploads no message carries are deleted once this old (housekeeping, hourly): well past SEND_WITHIN_MS. */
export const UNSENT_KEPT_MS = 24 * 60 * 60_000;
/** Uploads one person may have unsent within SEND_WITHIN_MS: more is filling the database, not chatting. */
export const MAX_UNSENT = 20;
/** How many conversations carrying one file are looked at for a reader. */
const CARRIERS_LOOKED_AT = 50;

const notFound = () => new AppError(ErrorCode.NotFound, 'no such attachment');

export interface AttachmentService {
  upload(owner: AttachmentOwner, file: { name: string; declaredType: string; data: Uint8Array }): Promise<AttachmentRecord>;
  /** The bytes and record of a file this reader may read, else AppError(not_found). */
  read(readers: readonly AttachmentReader[], id: string): Promise<{ attachment: AttachmentRecord; data: Uint8Array }>;
  /** Deletes old uploads no message carries; returns how many. */
  prune(): Promise<number>;
}

/**
 * The attachment a sender names in message:send, as the message will carry it: theirs, and not an
 * upload left unsent for longer than SEND_WITHIN_MS (it may be pruned at any moment after). A file
 * already sent may be sent again by its uploader (a re-send, or the same file elsewhere).
 */
export async function attachmentForSend(store: Store, now: number, owner: AttachmentOwner, id: string): Promise<AttachmentRef> {
  const a = await store.getAttachment(id);
  if (!a || a.ownerKind !== owner.kind || a.ownerId !== owner.id) throw notFound();
  if (now - a.createdAt > SEND_WITHIN_MS && (await store.attachmentConversations(id, 1)).length === 0) {
    throw new AppError(ErrorCode.NotFound, 'the upload has expired; upload the file again');
  }
  return { id: a.id, name: a.name, type: a.type, size: a.size };
}

export function createAttachmentService(deps: {
  store: Store;
  clock: Clock;
  /** The conversation an agent may read, else an AppError (conversations.requireViewable). */
  requireViewable(agent: ActingAgent, conversationId: string): Promise<unknown>;
}): AttachmentService {
  const { store, clock } = deps;

  async function mayRead(reader: AttachmentReader, a: AttachmentRecord, carriers: () => Promise<string[]>): Promise<boolean> {
    const who = reader.kind === 'visitor' ? reader.id : reader.agent.id;
    if (a.ownerKind === reader.kind && a.ownerId === who) return true;
    for (const conversationId of await carriers()) {
      if (reader.kind === 'visitor') {
        if ((await store.getConversation(conversationId))?.visitorId === reader.id) return true;
      } else if (await deps.requireViewable(reader.agent, conversationId).then(() => true, () => false)) {
        return true;
      }
    }
    return false;
  }

  return {
    async upload(owner, file) {
      const type = detectType(file.data, file.declaredType, file.name);
      if (!type) throw new AppError(ErrorCode.UnsupportedType, 'this type of file is not accepted (images, PDF and plain text are)');
      const now = clock.now();
      if ((await store.countUnsentAttachments(owner, now - SEND_WITHIN_MS)) >= MAX_UNSENT) {
        throw new AppError(ErrorCode.RateLimited, 'too many files uploaded and not sent; send or wait');
      }
      return store.putAttachment({ ownerKind: owner.kind, ownerId: owner.id, name: cleanFileName(file.name, type), type, data: file.data, createdAt: now });
    },

    async read(readers, id) {
      const a = await store.getAttachment(id);
      if (!a) throw notFound();
      let carried: Promise<string[]> | undefined;
      const carriers = () => (carried ??= store.attachmentConversations(id, CARRIERS_LOOKED_AT));
      let allowed = false;
      for (const reader of readers) if (!allowed) allowed = await mayRead(reader, a, carriers);
      if (!allowed) throw notFound();
      const data = await store.getAttachmentData(id);
      if (!data) throw notFound();
      return { attachment: a, data };
    },

    prune() {
      return store.pruneAttachments(clock.now() - UNSENT_KEPT_MS);
    },
  };
}
