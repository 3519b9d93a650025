// [FAULT-REDIS-RESTART] Redis goes away for 2 s and comes back empty (no persistence), under
// continuous traffic: cross-node fan-out pauses and resumes, clients are told to resync, presence
// is restored without anyone leaving; nothing acked is lost.

import { describe, it } from 'vitest';
import { loadProfile } from './profile.ts';
import { budgetMs, runClusterScenario, sleep } from './scenario.ts';

const DOWN_MS = 2000;

describe('[FAULT-REDIS-RESTART] Redis restart', () => {
  it('[FAULT-REDIS-RESTART1] Redis down 2 s, back empty: 0 lost, 0 duplicated, 0 reordered; no flicker', { timeout: budgetMs(loadProfile(), 15_000) }, async () => {
    await runClusterScenario({
      id: 'redis-restart',
      title: 'Redis restart (down 2 s, back empty)',
      async fault({ stack, rec, profile, notes }) {
        for (let round = 0; round < profile.rounds; round++) {
          rec.fault('kill -9 redis');
          await stack.redis!.kill();
          await sleep(DOWN_MS);
          rec.fault('start redis');
          await stack.redis!.start();
          notes.push(`round ${round + 1}: Redis killed, started again ${DOWN_MS / 1000} s later without its data`);
          if (round + 1 < profile.rounds) await sleep(5000);
        }
      },
    });
  });
});
