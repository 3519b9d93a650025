// ioredis connections for cluster mode. ioredis re-subscribes by itself after
// a reconnect (node-redis has failed to: socket.io #4845, redis-adapter #446),
// and every client gets an `error` handler so a Redis blip never crashes a node.

import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { corkUntilBurstEnds } from '../edge/cork.ts';

export function createRedis(url: string, logger: Logger, role: string): Redis {
  const redis = new Redis(url, {
    connectionName: `parley-${role}`,
    // Keep retrying forever with a capped delay: the node keeps serving its own sockets meanwhile.
    retryStrategy: (times) => Math.min(times * 200, 2000),
    // Commands issued while disconnected wait in the offline queue instead of failing after 20 retries.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: false,
  });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ event: 'redis.error', role, err: { message: err.message } }, 'redis error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ event: 'redis.ready', role }, 'redis connection restored');
    down = false;
  });
  return redis;
}

/**
 * The Redis adapter publishes without handling the returned promise
 * (redis-adapter index.js: `this.pubClient.publish(...)`). A rejected publish
 * would be an unhandled rejection and kill the process under overload. Every
 * publish through this client is caught and logged instead: Pub/Sub is at
 * most once anyway, and durable delivery comes from the database.
 */
export function guardPublish(pub: Redis, logger: Logger): void {
  const publish = pub.publish.bind(pub);
  pub.publish = (channel, message) => {
    // One write to Redis per burst of publishes instead of one per PUBLISH (edge/cork.ts): a group
    // commit's acks publish their messages to the other nodes in one burst, and at saturation those
    // writes were the node's largest cost in a cluster. ioredis still writes every command at once
    // and in order, and reads every reply; only the kernel gets them together.
    if (pub.status === 'ready' && pub.stream?.writable) corkUntilBurstEnds(pub.stream);
    return publish(channel, message).catch((err: unknown) => {
      logger.warn({ event: 'redis.publish_failed', err: { message: (err as Error).message } }, 'redis publish failed');
      return 0;
    });
  };
}

/** Commands queued on a client (sent and unanswered, or waiting for a connection). */
export function backlog(redis: Redis): number {
  // ioredis declares offlineQueue private, and has no public reader for commands waiting for a connection.
  const offline = (redis as unknown as { offlineQueue?: { length: number } }).offlineQueue;
  return redis.commandQueue.length + (offline?.length ?? 0);
}
