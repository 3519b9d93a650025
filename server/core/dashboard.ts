// The admin's "who is online" view (SPEC §5 /admin `online:get`), assembled
// from the presence registry (every node) and the store.

import type { OnlineAgent, OnlineVisitor } from '../protocol/shapes.ts';
import type { OnlineSnapshot } from '../protocol/events.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import type { PresenceRegistry } from './presence-registry.ts';

export function parsePage(raw: string | undefined): OnlineVisitor['page'] {
  if (!raw) return null;
  try {
    const p = JSON.parse(raw) as { url: string; title: string | null };
    return { url: p.url, title: p.title };
  } catch {
    return null;
  }
}

/**
 * A fixed number of reads however many people are online: the registry's two lists, then each
 * kind's records, the visitors' open conversations and everyone's attributes, one batch each.
 */
export async function onlineSnapshot(store: Store, registry: PresenceRegistry, clock: Clock): Promise<OnlineSnapshot> {
  const [agentsOnline, visitorsOnline, active, queue] = await Promise.all([
    registry.list('agent:'),
    registry.list('visitor:'),
    store.listConversations({ status: 'active', limit: 100_000 }),
    store.listQueue(),
  ]);
  const agentIds = [...agentsOnline.keys()].map((key) => key.slice('agent:'.length));
  const visitorIds = [...visitorsOnline.keys()].map((key) => key.slice('visitor:'.length));
  const [agentRecords, visitorRecords, open, attrs] = await Promise.all([
    store.getAgents(agentIds),
    store.getVisitors(visitorIds),
    store.getOpenConversations(visitorIds),
    registry.getAttrsMany([...agentsOnline.keys(), ...visitorsOnline.keys()]),
  ]);
  const agentById = new Map(agentRecords.map((a) => [a.id, a]));
  const visitorById = new Map(visitorRecords.map((v) => [v.id, v]));
  const openByVisitor = new Map(open.map((c) => [c.visitorId, c.id]));
  const load = new Map<string, number>();
  for (const c of active) if (c.agentId) load.set(c.agentId, (load.get(c.agentId) ?? 0) + 1);

  // In the registry's order, as before the sort: people with the same name keep it.
  const agents: OnlineAgent[] = [];
  for (const [key, connections] of agentsOnline) {
    const id = key.slice('agent:'.length);
    const record = agentById.get(id);
    if (!record) continue;
    agents.push({
      id,
      name: record.name,
      role: record.role,
      status: attrs.get(key)?.status === 'away' ? 'away' : 'online',
      connections,
      activeConversations: load.get(id) ?? 0,
    });
  }

  const visitors: OnlineVisitor[] = [];
  for (const [key, connections] of visitorsOnline) {
    const id = key.slice('visitor:'.length);
    const record = visitorById.get(id);
    if (!record) continue;
    visitors.push({
      id,
      name: record.name,
      connections,
      conversationId: openByVisitor.get(id) ?? null,
      page: parsePage(attrs.get(key)?.page),
    });
  }
  agents.sort((a, b) => a.name.localeCompare(b.name));
  visitors.sort((a, b) => a.name.localeCompare(b.name));
  return {
    agents,
    visitors,
    queue: { length: queue.length, oldestWaitMs: queue.length ? Math.max(0, clock.now() - queue[0].queuedAt) : null },
  };
}
