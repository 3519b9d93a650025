// Runs the PresenceRegistry contract on the in-memory registry and on the
// Redis one (the run's shared Redis; every test gets its own key prefix, so
// nothing it writes meets another test's keys, and removes them afterwards).

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisPresenceRegistry } from '../../server/cluster/redis-presence-registry.ts';
import { createMemoryPresenceRegistry } from '../../server/core/presence-registry.ts';
import { createLogger } from '../../server/logger.ts';
import { sharedRedisUrl } from '../helpers/test-services.ts';
import { runPresenceRegistryContract } from './presence-registry-contract.ts';

runPresenceRegistryContract('memory', async () => ({ registry: createMemoryPresenceRegistry(), dispose: async () => {} }));

runPresenceRegistryContract('redis', async () => {
  const prefix = `test-presence-${randomBytes(6).toString('hex')}:`;
  // keyPrefix applies to every key the registry names, in scripts and transactions too.
  const redis = new Redis(sharedRedisUrl(), { keyPrefix: prefix, maxRetriesPerRequest: 1 });
  const registry = createRedisPresenceRegistry({ redis, nodeId: 'node-a', logger: createLogger('silent'), graceMs: 1000, heartbeatMs: 3000, deadAfterMs: 12_000 });
  return {
    registry,
    async dispose() {
      // SCAN takes a pattern, which keyPrefix does not rewrite.
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      // The scanned names carry the prefix already: delete them through a client without one.
      if (keys.length > 0) {
        const plain = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: 1 });
        await plain.del(...keys);
        plain.disconnect();
      }
      redis.disconnect();
    },
  };
});
