// Cluster mode (REDIS_URL): the Redis adapter and the cluster-wide presence
// registry. Without REDIS_URL this returns null and nothing changes.

import type { Config } from '../config.ts';
import type { PresenceRegistry } from '../core/presence-registry.ts';
import type { ReadinessCheck } from '../http/health.ts';
import type { Logger } from '../logger.ts';
import type { Namespaces } from '../realtime/types.ts';

export interface Cluster {
  registry: PresenceRegistry;
  installAdapter(ns: Namespaces): void;
  /** Called once the app exists (resync on Redis reconnect, dead-node cleanup). */
  attach(ns: Namespaces): void;
  readinessChecks: ReadinessCheck[];
  close(): Promise<void>;
}

export async function openCluster(config: Config, _logger: Logger): Promise<Cluster | null> {
  if (config.redisUrl === null) return null;
  throw new Error('REDIS_URL: cluster mode is not available in this build yet');
}
