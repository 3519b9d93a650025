// Who is connected, counted per person across tabs (and, with the Redis
// engine, across nodes). This file: the interface and the one-process engine.
// Both engines run one contract suite (test/cluster/presence-registry-contract.ts).

/**
 * Keys are `kind:id` (personKey()); an id may hold colons. A person is
 * "announced" from the connect that made their join due until the settle that
 * makes their leave due; in between their count may drop to 0 and come back
 * (the grace period) without either.
 */
export interface PresenceRegistry {
  /** Adds one connection (the same id twice counts once). True when the person was not announced yet: a "join" is due. */
  connect(key: string, connectionId: string): Promise<boolean>;
  /** Removes one connection if present; returns how many the person still has. */
  disconnect(key: string, connectionId: string): Promise<number>;
  /**
   * If the person has no connection left, forgets them (attributes too) and returns whether
   * they were announced: true means a "leave" is due, and only one settle ever sees it.
   */
  settle(key: string): Promise<boolean>;
  /**
   * Announced people whose key starts with `prefix`, with their connection counts (0 in the grace
   * period). `prefix` is a kind and its colon, optionally followed by the start of an id.
   */
  list(prefix: string): Promise<Map<string, number>>;
  isAnnounced(key: string): Promise<boolean>;
  /** Sets a field of the person's attributes (`null` removes it); announces nobody. */
  setAttr(key: string, field: string, value: string | null): Promise<void>;
  /** A copy of the person's attributes; `{}` when none. */
  getAttrs(key: string): Promise<Record<string, string>>;
  /**
   * getAttrs of many people in one read (one round trip to Redis), so a caller's cost does not
   * grow with how many are online. Every key asked for is in the map, `{}` for one with none.
   */
  getAttrsMany(keys: readonly string[]): Promise<Map<string, Record<string, string>>>;
  close(): Promise<void>;
}

/** The kind part of a list() prefix ('agent' of 'agent:' or 'agent:ab'); throws when there is none. */
export function prefixKind(prefix: string): string {
  const colon = prefix.indexOf(':');
  if (colon <= 0) throw new Error(`presence list prefix "${prefix}" does not start with a kind and a colon`);
  return prefix.slice(0, colon);
}

interface Entry {
  connections: Set<string>;
  announced: boolean;
  attrs: Record<string, string>;
}

export function createMemoryPresenceRegistry(): PresenceRegistry {
  const people = new Map<string, Entry>();
  // Announced keys by their kind prefix ("agent:", "visitor:"): list() is asked on every visitor's
  // connect (agents available), and scanning every connected visitor there is quadratic in a busy node.
  const announcedByKind = new Map<string, Set<string>>();
  const kindOf = (key: string) => key.slice(0, key.indexOf(':') + 1);
  const announce = (key: string, on: boolean) => {
    const kind = kindOf(key);
    let set = announcedByKind.get(kind);
    if (!set) announcedByKind.set(kind, (set = new Set()));
    if (on) set.add(key);
    else set.delete(key);
  };
  const entry = (key: string): Entry => {
    let e = people.get(key);
    if (!e) {
      e = { connections: new Set(), announced: false, attrs: {} };
      people.set(key, e);
    }
    return e;
  };
  return {
    async connect(key, connectionId) {
      const e = entry(key);
      e.connections.add(connectionId);
      if (e.announced) return false;
      e.announced = true;
      announce(key, true);
      return true;
    },
    async disconnect(key, connectionId) {
      const e = people.get(key);
      if (!e) return 0;
      e.connections.delete(connectionId);
      return e.connections.size;
    },
    async settle(key) {
      const e = people.get(key);
      if (!e || e.connections.size > 0) return false;
      people.delete(key);
      if (e.announced) announce(key, false);
      return e.announced;
    },
    async list(prefix) {
      prefixKind(prefix);
      const out = new Map<string, number>();
      if (kindOf(prefix) === prefix) {
        for (const key of announcedByKind.get(prefix) ?? []) out.set(key, people.get(key)?.connections.size ?? 0);
        return out;
      }
      for (const [key, e] of people) if (e.announced && key.startsWith(prefix)) out.set(key, e.connections.size);
      return out;
    },
    async isAnnounced(key) {
      return people.get(key)?.announced ?? false;
    },
    async setAttr(key, field, value) {
      const e = entry(key);
      if (value === null) delete e.attrs[field];
      else e.attrs[field] = value;
    },
    async getAttrs(key) {
      return { ...(people.get(key)?.attrs ?? {}) };
    },
    async getAttrsMany(keys) {
      return new Map(keys.map((key) => [key, { ...(people.get(key)?.attrs ?? {}) }]));
    },
    async close() {
      people.clear();
      announcedByKind.clear();
    },
  };
}

export function personKey(kind: 'visitor' | 'agent', id: string): string {
  return `${kind}:${id}`;
}
