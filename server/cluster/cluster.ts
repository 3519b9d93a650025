// What a Parley node needs from cluster mode, as an interface: main.ts opens the Redis-backed
// implementation (open-cluster.ts) and hands it to the app whole; nothing else reads its internals.

import type { Server } from 'socket.io';
import type { PresenceRegistry } from '../core/presence-registry.ts';

/** A dependency /readyz asks about (the database is always asked). */
export type ReadinessCheck = { name: string; check: () => Promise<void> };

export interface ClusterHooks {
  /** Re-checks a person whose leave may be due (a dead node's, or an overdue one). */
  settle(key: string): Promise<void>;
  /** Announces a person who became present again after this node was reaped. */
  online(key: string): Promise<void>;
  /**
   * Tells every client to re-fetch what it may have missed: this node's (`local`, the default: what
   * this node missed), or every node's (`cluster`: what a dead node never published).
   */
  resync(reason: string, scope?: 'local' | 'cluster'): void;
  /** The local connections, for re-registration after a loss. */
  localConnections(): Array<{ key: string; connectionId: string }>;
}

export interface Cluster {
  nodeId: string;
  /** Cluster-wide presence. */
  registry: PresenceRegistry;
  /** Puts the shared adapter on the Socket.IO server (before any connection). */
  installAdapter(io: Server): void;
  /** Starts heartbeats and resyncs; the app calls it from listen(). */
  attach(hooks: ClusterHooks): void;
  readinessChecks: ReadinessCheck[];
  /** True while publishes pile up faster than Redis takes them: new messages are refused, not queued. */
  overloaded(): boolean;
  close(): Promise<void>;
}
