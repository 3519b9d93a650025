// The agents' desk: who is available (online and not away) and an agent's status. Statuses live
// in the presence registry beside the connection counts, so every node sees the same.

import type { Availability } from '../protocol/events.ts';
import type { AgentStatus, Teammate } from '../protocol/shapes.ts';
import type { Store } from '../store/store.ts';
import type { HoursStatus } from './business-hours.ts';
import type { ActingAgent } from './conversations.ts';
import type { DomainEvents } from './events.ts';
import { personKey, type PresenceRegistry } from './presence-registry.ts';

export interface Desk {
  setStatus(agent: ActingAgent, status: Exclude<AgentStatus, 'offline'>): Promise<void>;
  /** Agents online and not away, across every node. */
  agentsAvailable(): Promise<number>;
  /** What the widget shows of who can answer now (the `availability` event). */
  availability(): Promise<Availability>;
  /** Whether a person is here (counted across tabs and nodes, after any grace period). */
  isOnline(kind: 'visitor' | 'agent', id: string): Promise<boolean>;
  /** Every agent and admin who is not disabled, with their status, by name: whom a conversation can be handed to. */
  team(): Promise<Teammate[]>;
}

export function createDesk(deps: {
  registry: PresenceRegistry;
  store: Pick<Store, 'listAgents'>;
  events: Pick<DomainEvents, 'agentStatusChanged'>;
  /** Email to visitors is on (SMTP_URL set). */
  emailEnabled: boolean;
  /** Whether the team's business hours say open now, and when they open next. */
  hours: () => HoursStatus;
}): Desk {
  const { registry, store, events } = deps;
  return {
    async setStatus(agent, status) {
      await registry.setAttr(personKey('agent', agent.id), 'status', status);
      events.agentStatusChanged({ agent: { id: agent.id, name: agent.name }, status });
    },
    agentsAvailable: () => countAvailableAgents(registry),
    async availability() {
      const agentsOnline = await countAvailableAgents(registry);
      // Read after the await: the status of the moment the event leaves.
      const hours = deps.hours();
      return { agentsOnline, email: deps.emailEnabled, open: hours.open, nextOpening: hours.nextOpening === null ? null : new Date(hours.nextOpening).toISOString() };
    },
    isOnline: (kind, id) => registry.isAnnounced(personKey(kind, id)),
    async team() {
      const [agents, online] = await Promise.all([store.listAgents(), registry.list('agent:')]);
      const attrs = online.size > 0 ? await registry.getAttrsMany([...online.keys()]) : new Map<string, Record<string, string>>();
      const statusOf = (id: string): AgentStatus => {
        const key = personKey('agent', id);
        if (!online.has(key)) return 'offline';
        return attrs.get(key)?.status === 'away' ? 'away' : 'online';
      };
      return agents
        .filter((a) => !a.disabled)
        .map((a) => ({ id: a.id, name: a.name, role: a.role, status: statusOf(a.id) }))
        .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    },
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
