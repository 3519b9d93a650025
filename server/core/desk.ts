// The agents' desk: who is available (online and not away) and an agent's status. Statuses live
// in the presence registry beside the connection counts, so every node sees the same.

import type { AgentStatus } from '../protocol/shapes.ts';
import type { ActingAgent } from './conversations.ts';
import type { DomainEvents } from './events.ts';
import { personKey, type PresenceRegistry } from './presence-registry.ts';

export interface Desk {
  setStatus(agent: ActingAgent, status: Exclude<AgentStatus, 'offline'>): Promise<void>;
  /** Agents online and not away, across every node. */
  agentsAvailable(): Promise<number>;
  /** Whether a person is here (counted across tabs and nodes, after any grace period). */
  isOnline(kind: 'visitor' | 'agent', id: string): Promise<boolean>;
}

export function createDesk(deps: { registry: PresenceRegistry; events: Pick<DomainEvents, 'agentStatusChanged'> }): Desk {
  const { registry, events } = deps;
  return {
    async setStatus(agent, status) {
      await registry.setAttr(personKey('agent', agent.id), 'status', status);
      events.agentStatusChanged();
    },
    agentsAvailable: () => countAvailableAgents(registry),
    isOnline: (kind, id) => registry.isAnnounced(personKey(kind, id)),
  };
}

/** Agents online and not away: one read per online agent, all at once rather than one after another. */
export async function countAvailableAgents(registry: PresenceRegistry): Promise<number> {
  const online = [...(await registry.list('agent:')).keys()];
  const attrs = await Promise.all(online.map((key) => registry.getAttrs(key)));
  return attrs.filter((a) => a.status !== 'away').length;
}
