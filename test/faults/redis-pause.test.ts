// [FAULT-REDIS-PAUSE] Redis stalls for 20 s (SIGSTOP: connections stay open, nothing answers),
// under continuous traffic. Every node stays up and keeps acking (PostgreSQL has the messages);
// cross-node delivery waits for Redis; when Redis answers again nobody may appear to leave: the
// nodes were alive all along, only their heartbeats could not be written.

import { describe, it } from 'vitest';
import { loadProfile } from './profile.ts';
import { budgetMs, runClusterScenario, sleep } from './scenario.ts';

const PAUSE_MS = 20_000;

describe('[FAULT-REDIS-PAUSE] Redis paused 20 s', () => {
  it('[FAULT-REDIS-PAUSE1] SIGSTOP 20 s then SIGCONT: 0 lost, 0 duplicated, 0 reordered; no flicker', { timeout: budgetMs(loadProfile(), PAUSE_MS + 10_000) }, async () => {
    await runClusterScenario({
      id: 'redis-pause',
      title: 'Redis paused 20 s',
      async fault({ stack, rec, profile, notes }) {
        for (let round = 0; round < profile.rounds; round++) {
          rec.fault('SIGSTOP redis');
          stack.redis!.pause();
          await sleep(PAUSE_MS);
          rec.fault('SIGCONT redis');
          stack.redis!.resume();
          notes.push(`round ${round + 1}: Redis paused ${PAUSE_MS / 1000} s`);
          if (round + 1 < profile.rounds) await sleep(10_000);
        }
      },
    });
  });
});
