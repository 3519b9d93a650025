// Routing (team setting `routingMode`): in `auto`, queued conversations are
// assigned, oldest first, to the available agent (online and not away, across
// every node) with the fewest active conversations below their capacity; ties
// go to whoever routing served longest ago. A pass runs after every change
// that frees or adds capacity (the caller's kick()), and every `sweepMs` as a
// safety net. Every node runs passes: the store's assign() is what makes an
// assignment exactly-once and keeps each agent within capacity whatever the
// nodes do at the same moment.
//
// Also here: an agent who stays offline (past the presence grace) for
// `offlineRequeueMs` has their active conversations put back in the queue, at
// their original place, in either mode; in `auto` they are offered again.

import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { AgentLoad, Store } from '../store/store.ts';
import type { DomainEvents } from './events.ts';
import { personKey, type PresenceRegistry } from './presence-registry.ts';
import type { QueuePositions } from './queue-positions.ts';
import type { TeamSettings } from './team-settings.ts';

export interface Router {
  /** Capacity may have been freed or added, or a conversation queued: a pass runs soon (passes coalesce). */
  kick(): void;
  /** The agent's last connection went (after the grace): their conversations are requeued after the delay. */
  agentOffline(agentId: string): void;
  /** The agent is back: no requeue is due for them. */
  agentOnline(agentId: string): void;
  /** Starts the periodic sweep. */
  start(): void;
  /** Resolves when no pass runs or is due (tests, shutdown). */
  idle(): Promise<void>;
  close(): void;
}

export interface RouterDeps {
  store: Pick<Store, 'listQueue' | 'agentLoads' | 'assign' | 'release' | 'listConversations'>;
  registry: PresenceRegistry;
  settings: TeamSettings;
  events: Pick<DomainEvents, 'conversationAssigned' | 'conversationReleased'>;
  queue: Pick<QueuePositions, 'changed' | 'positionOf'>;
  clock: Clock;
  logger: Logger;
  /** How often every node looks for work routing missed, and for offline agents' conversations (default 5 s). */
  sweepMs?: number;
}

/** Most conversations one pass assigns: a longer queue is served by the passes that follow. */
const PASS_LIMIT = 500;

export function createRouter(deps: RouterDeps): Router {
  const { store, registry, settings, events, queue, clock, logger } = deps;
  const sweepMs = deps.sweepMs ?? 5000;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;
  let sweep: NodeJS.Timeout | undefined;
  /** Agents seen offline while holding conversations, and since when (this node's clock). */
  const offlineSince = new Map<string, number>();
  const requeueTimers = new Map<string, NodeJS.Timeout>();

  function kick(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = pass()
      .catch((err: unknown) => logger.warn({ event: 'routing.pass_failed', err }, 'routing pass failed'))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  /** Agents who can take a conversation now, as the store counts their load. */
  async function availableAgents(): Promise<AgentLoad[]> {
    const online = await registry.list('agent:');
    if (online.size === 0) return [];
    const [loads, attrs] = await Promise.all([store.agentLoads(), registry.getAttrsMany([...online.keys()])]);
    return loads.filter((l) => {
      const key = personKey('agent', l.agentId);
      return online.has(key) && attrs.get(key)?.status !== 'away';
    });
  }

  async function pass(): Promise<void> {
    if (settings.current().routingMode !== 'auto') return;
    const waiting = await store.listQueue();
    if (waiting.length === 0) return;
    const agents = await availableAgents();
    if (agents.length === 0) return;
    const capacityOf = (a: AgentLoad) => a.capacity ?? settings.current().defaultCapacity;
    for (const conversation of waiting.slice(0, PASS_LIMIT)) {
      if (closed || settings.current().routingMode !== 'auto') return;
      // Least busy first; among equals, the one routing served longest ago (never: first); then by id, for a stable order.
      const candidates = agents
        .filter((a) => a.active < capacityOf(a))
        .sort((a, b) => a.active - b.active || (a.lastAssignedAt ?? -1) - (b.lastAssignedAt ?? -1) || (a.agentId < b.agentId ? -1 : 1));
      if (candidates.length === 0) return;
      for (const agent of candidates) {
        const now = clock.now();
        const result = await store.assign(conversation.id, { id: agent.agentId, name: agent.name }, capacityOf(agent), now);
        if (result.kind === 'at_capacity') {
          // Another node (or a manual claim) filled this agent meanwhile: skip them for the rest of the pass.
          agent.active = capacityOf(agent);
          continue;
        }
        if (result.kind === 'ok') {
          agent.active++;
          agent.lastAssignedAt = now;
          events.conversationAssigned(result.conversation, result.previous);
          queue.changed(result.previous.queuedAt);
        }
        // ok, or the conversation is no longer queued (claimed, closed): on to the next one.
        break;
      }
    }
    // More waiting than one pass serves: go on with what is left.
    if (waiting.length > PASS_LIMIT) again = true;
  }

  /** Puts an offline agent's active conversations back in the queue, if they are still offline. */
  async function requeue(agentId: string): Promise<void> {
    requeueTimers.delete(agentId);
    offlineSince.delete(agentId);
    if (await registry.isAnnounced(personKey('agent', agentId))) return;
    const held = await store.listConversations({ agentId, status: 'active', limit: 1000 });
    for (const c of held) {
      const result = await store.release(c.id, agentId);
      if (result.kind !== 'ok') continue;
      events.conversationReleased(result.conversation, result.previous, await queue.positionOf(c.id));
      queue.changed(result.conversation.queuedAt);
    }
    if (held.length > 0) {
      logger.info({ event: 'routing.requeued', agentId, conversations: held.length }, 'an offline agent’s conversations went back to the queue');
      kick();
    }
  }

  function scheduleRequeue(agentId: string, since: number): void {
    const delay = settings.current().offlineRequeueMs;
    if (delay === 0 || requeueTimers.has(agentId) || closed) return;
    const timer = setTimeout(
      () => requeue(agentId).catch((err: unknown) => logger.warn({ event: 'routing.requeue_failed', agentId, err }, 'requeue failed')),
      Math.max(0, since + delay - clock.now()),
    );
    timer.unref();
    requeueTimers.set(agentId, timer);
  }

  /** Agents holding conversations who are offline: each gets a requeue timer from when this node first saw them so. */
  async function sweepOffline(): Promise<void> {
    if (settings.current().offlineRequeueMs === 0) return;
    const [loads, online] = await Promise.all([store.agentLoads(), registry.list('agent:')]);
    const now = clock.now();
    for (const l of loads) {
      if (l.active === 0 || online.has(personKey('agent', l.agentId))) continue;
      if (!offlineSince.has(l.agentId)) offlineSince.set(l.agentId, now);
      scheduleRequeue(l.agentId, offlineSince.get(l.agentId)!);
    }
  }

  return {
    kick,
    agentOffline(agentId) {
      if (!offlineSince.has(agentId)) offlineSince.set(agentId, clock.now());
      scheduleRequeue(agentId, offlineSince.get(agentId)!);
      // Their conversations stay theirs until then; nothing else to assign now.
    },
    agentOnline(agentId) {
      offlineSince.delete(agentId);
      clearTimeout(requeueTimers.get(agentId));
      requeueTimers.delete(agentId);
      kick();
    },
    start() {
      sweep = setInterval(() => {
        kick();
        sweepOffline().catch((err: unknown) => logger.warn({ event: 'routing.sweep_failed', err }, 'routing sweep failed'));
      }, sweepMs);
      sweep.unref();
      kick();
      sweepOffline().catch((err: unknown) => logger.warn({ event: 'routing.sweep_failed', err }, 'routing sweep failed'));
    },
    async idle() {
      while (running) await running;
    },
    close() {
      closed = true;
      clearInterval(sweep);
      for (const t of requeueTimers.values()) clearTimeout(t);
      requeueTimers.clear();
    },
  };
}

