// [PUB] The node's publishing connection to Redis (server/cluster/redis-clients.ts, guardPublish):
// a burst of publishes made in one tick reaches the kernel in one write, in order, every one of
// them delivered; the connection is uncorked once the tick's work is done, and after Redis comes
// back from a restart the new connection coalesces too. A real redis-server on a free port.

import { once } from 'node:events';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedis, guardPublish } from '../../server/cluster/redis-clients.ts';
import { createLogger } from '../../server/logger.ts';
import { eventually } from '../helpers/clients.ts';
import { startRedis } from '../helpers/services.ts';

const CHANNEL = 'parley-test-burst';

async function setup() {
  const server = await startRedis();
  const logger = createLogger('silent');
  const pub = createRedis(server.url, logger, 'pub');
  const sub = createRedis(server.url, logger, 'sub');
  onTestFinished(async () => {
    pub.disconnect();
    sub.disconnect();
    await server.stop();
  });
  guardPublish(pub, logger);
  const received: string[] = [];
  sub.on('message', (_channel: string, message: string) => received.push(message));
  await sub.subscribe(CHANNEL);
  if (pub.status !== 'ready') await once(pub, 'ready');
  return { server, pub, sub, received };
}

/** Publishes `count` messages in one synchronous burst; returns what the connection showed meanwhile. */
function burst(pub: Redis, prefix: string, count: number) {
  const stream = pub.stream;
  const acks: Promise<number>[] = [];
  for (let i = 0; i < count; i++) acks.push(pub.publish(CHANNEL, `${prefix}${i}`));
  // Uncorked, each write to an idle socket goes to the kernel at once (one write() each) and leaves
  // nothing waiting in the stream; corked, every command waits there for the one write at the end.
  return { stream, acks, corkedDuring: stream.writableCorked, waitingDuring: stream.writableLength };
}

describe('[PUB] publishing to the other nodes', () => {
  it('[PUB1] a burst of publishes is one write once the tick is done, in order, each delivered and answered', async () => {
    const { pub, received } = await setup();
    const b = burst(pub, 'm', 500);
    // Nothing went to the kernel while the burst was made: the connection was corked.
    expect(b.corkedDuring).toBe(1);
    expect(b.waitingDuring).toBeGreaterThan(500 * CHANNEL.length);
    // Every publish is answered (one subscriber each) and the connection is uncorked again.
    expect(await Promise.all(b.acks)).toEqual(Array(500).fill(1));
    expect(b.stream.writableCorked).toBe(0);
    expect(b.stream.writableLength).toBe(0);
    await eventually(() => received.length === 500, 5_000, 'every message at the subscriber');
    expect(received).toEqual(Array.from({ length: 500 }, (_, i) => `m${i}`));

    // A publish made in a later tick is not held by the first burst's cork.
    expect(await pub.publish(CHANNEL, 'later')).toBe(1);
    await eventually(() => received.at(-1) === 'later', 5_000, 'the later message');
  });

  it('[PUB2] publishes while Redis is gone wait for it and are answered; the new connection coalesces too', async () => {
    const { server, pub, sub, received } = await setup();
    await server.kill();
    await eventually(() => pub.status !== 'ready', 5_000, 'the publisher to notice Redis is gone');
    // Not ready: nothing to cork, the command waits in ioredis's offline queue.
    const waiting = pub.publish(CHANNEL, 'while-down');
    await server.start();
    await waiting;
    if (pub.status !== 'ready') await once(pub, 'ready');
    if (sub.status !== 'ready') await once(sub, 'ready');
    // ioredis subscribes again by itself once the subscriber is back; a publish is delivered once it has.
    await eventually(async () => (await pub.publish(CHANNEL, 'probe')) === 1, 5_000, 'the subscriber to be back');
    const b = burst(pub, 'n', 100);
    expect(b.corkedDuring).toBe(1);
    expect(b.waitingDuring).toBeGreaterThan(100 * CHANNEL.length);
    expect(await Promise.all(b.acks)).toEqual(Array(100).fill(1));
    expect(b.stream.writableCorked).toBe(0);
    // The probes' deliveries may still come in ahead of the burst: only the burst's messages count.
    const burstReceived = () => received.filter((m) => m.startsWith('n'));
    await eventually(() => burstReceived().length >= 100, 5_000, () => `every message after the restart (${burstReceived().length} of 100)`);
    expect(burstReceived()).toEqual(Array.from({ length: 100 }, (_, i) => `n${i}`));
  });
});
