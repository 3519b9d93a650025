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

/**
 * Agents online and not away: two registry reads however many agents are online (asked on every
 * visitor's connect, and after every status change, on every node).
 */
export async function countAvailableAgents(registry: PresenceRegistry): Promise<number> {
  const online = [...(await registry.list('agent:')).keys()];
  if (online.length === 0) return 0;
  const attrs = await registry.getAttrsMany(online);
  return online.filter((key) => attrs.get(key)?.status !== 'away').length;
}
