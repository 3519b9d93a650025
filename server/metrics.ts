// Prometheus metrics: one registry per app instance (no global state).

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DomainEvents } from './core/events.ts';
import type { Namespaces } from './realtime/types.ts';

export interface Metrics {
  registry: Registry;
  /** A subscriber to the domain events it counts. */
  events: Pick<DomainEvents, 'messageCreated'>;
}

export function createMetrics(ns: Namespaces): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  new Gauge({
    name: 'parley_connected_sockets',
    help: 'Sockets connected to this node, per namespace',
    labelNames: ['namespace'],
    registers: [registry],
    collect() {
      this.set({ namespace: '/visitor' }, ns.visitor.sockets.size);
      this.set({ namespace: '/agent' }, ns.agent.sockets.size);
      this.set({ namespace: '/admin' }, ns.admin.sockets.size);
    },
  });
  new Counter({
    name: 'parley_slow_consumer_cuts_total',
    help: 'Connections this node cut because the client stopped reading what it was sent (output budget)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(ns.slowConsumerCuts());
    },
  });
  const messages = new Counter({
    name: 'parley_messages_total',
    help: 'Messages stored by this node',
    labelNames: ['author'] as const,
    registers: [registry],
  });
  return {
    registry,
    events: {
      messageCreated: (message) => messages.inc({ author: message.authorKind }),
    },
  };
}
