// Presence rules (SPEC §5 "Presence"): a person joins when their connection
// count goes 0 → 1 and leaves when it stays at 0 for the grace period, so a
// reload or a network blip never shows as leave + join.

import type { Logger } from '../logger.ts';
import type { Person } from './events.ts';
import { personKey, type PresenceRegistry } from './presence-registry.ts';

export interface PresenceDeps {
  registry: PresenceRegistry;
  graceMs: number;
  logger: Logger;
  /** Resolves once the person's joins are sent, so nothing the connection does next can race them. */
  onOnline(person: Person): Promise<void>;
  onOffline(person: Person): Promise<void>;
}

export interface Presence {
  connected(person: Person, connectionId: string): Promise<void>;
  disconnected(person: Person, connectionId: string): Promise<void>;
  isOnline(kind: Person['kind'], id: string): Promise<boolean>;
  /** Re-checks a person whose leave may be due (used after another node died). */
  settle(person: Person): Promise<void>;
  close(): void;
}

export function createPresence({ registry, graceMs, logger, onOnline, onOffline }: PresenceDeps): Presence {
  const pending = new Map<string, NodeJS.Timeout>();
  /** Joins being sent for a person who just came online on this node. */
  const announcements = new Map<string, Promise<void>>();

  async function settle(person: Person): Promise<void> {
    const key = personKey(person.kind, person.id);
    pending.delete(key);
    if (await registry.settle(key)) await onOffline(person);
  }

  return {
    async connected(person, connectionId) {
      const key = personKey(person.kind, person.id);
      const timer = pending.get(key);
      if (timer) {
        clearTimeout(timer);
        pending.delete(key);
      }
      if (await registry.connect(key, connectionId)) {
        const announcing = onOnline(person).finally(() => {
          if (announcements.get(key) === announcing) announcements.delete(key);
        });
        announcements.set(key, announcing);
      }
      // A second tab opened while the first one's joins are still being sent waits for them too.
      await announcements.get(key);
    },
    async disconnected(person, connectionId) {
      const key = personKey(person.kind, person.id);
      const remaining = await registry.disconnect(key, connectionId);
      if (remaining > 0) return;
      if (graceMs === 0) return settle(person);
      clearTimeout(pending.get(key));
      const timer = setTimeout(() => {
        settle(person).catch((err: unknown) => logger.error({ event: 'presence.settle_failed', err }, 'presence settle failed'));
      }, graceMs);
      timer.unref();
      pending.set(key, timer);
    },
    isOnline(kind, id) {
      return registry.isAnnounced(personKey(kind, id));
    },
    settle,
    close() {
      for (const t of pending.values()) clearTimeout(t);
      pending.clear();
    },
  };
}
