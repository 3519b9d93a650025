// One's own messages not stored yet, kept in the tab's sessionStorage: a reload,
// or a crashed tab brought back, shows them again and sends them with the same
// clientId (the server stores each once). sessionStorage is per tab and per site
// (a framed widget's is partitioned by the page around it); what a page finds
// there that another open page is sending (a duplicated tab's copy) is left to
// that page (pending-claims.ts). Storage refused or full: kept in memory only.

import type { PendingClaims } from './pending-claims.ts';

/** A pending message as kept across reloads. */
export interface StoredPending {
  clientId: string;
  body: string;
  createdAt: string;
  /** The error code it failed with for good (shown failed after the reload), else null: still to send. */
  failed: string | null;
  /** The uploaded file it carries, if any. */
  attachment?: { id: string; name: string; size: number; type: string };
}

export interface PendingStore {
  /** What an earlier page of this tab left unsent, in the order it was written, less what another open page holds. */
  restore(): Promise<StoredPending[]>;
  /** Replaces what is kept (an empty list removes the key). */
  save(items: readonly StoredPending[]): void;
}

/** The part of Storage this needs. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const isStored = (v: unknown): v is StoredPending => {
  const s = v as StoredPending;
  return !!s && typeof s.clientId === 'string' && typeof s.body === 'string' && typeof s.createdAt === 'string' && (s.failed === null || typeof s.failed === 'string') &&
    (s.attachment === undefined || (typeof s.attachment === 'object' && s.attachment !== null && typeof s.attachment.id === 'string' && typeof s.attachment.name === 'string' && typeof s.attachment.size === 'number' && typeof s.attachment.type === 'string'));
};

export function createPendingStore({ storage, key, claims }: { storage: KeyValueStorage | null; key: string; claims: PendingClaims }): PendingStore {
  let held: readonly string[] = [];
  let release: (() => void) | null = null;

  function read(): StoredPending[] {
    try {
      const parsed: unknown = JSON.parse(storage?.getItem(key) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(isStored) : [];
    } catch {
      return [];
    }
  }

  return {
    async restore() {
      const stored = read();
      const elsewhere = await claims.heldElsewhere(stored.map((s) => s.clientId));
      return stored.filter((s) => !elsewhere.has(s.clientId));
    },
    save(items) {
      held = items.map((i) => i.clientId);
      // Answer other pages only while holding something, so a page's many idle models cost nothing.
      if (held.length && !release) release = claims.hold(() => held);
      if (!held.length && release) {
        release();
        release = null;
      }
      try {
        if (items.length) storage?.setItem(key, JSON.stringify(items));
        else storage?.removeItem(key);
      } catch {
        /* over quota or refused: kept in memory only */
      }
    },
  };
}
