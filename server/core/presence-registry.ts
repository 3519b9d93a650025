// Who is connected, counted per person across tabs (and, with the Redis
// engine, across nodes). This file: the interface and the one-process engine.

export interface PresenceRegistry {
  /** Adds one connection. True when the person was not announced yet: a "join" is due. */
  connect(key: string, connectionId: string): Promise<boolean>;
  /** Removes one connection; returns how many the person still has. */
  disconnect(key: string, connectionId: string): Promise<number>;
  /** If the person has no connection left and is announced, un-announces them and returns true: a "leave" is due. */
  settle(key: string): Promise<boolean>;
  /** Announced people whose key starts with `prefix`, with their connection counts. */
  list(prefix: string): Promise<Map<string, number>>;
  isAnnounced(key: string): Promise<boolean>;
  setAttr(key: string, field: string, value: string | null): Promise<void>;
  getAttrs(key: string): Promise<Record<string, string>>;
  close(): Promise<void>;
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
    async close() {
      people.clear();
      announcedByKind.clear();
    },
  };
}

export function personKey(kind: 'visitor' | 'agent', id: string): string {
  return `${kind}:${id}`;
}
