// [FAULT-PG] PostgreSQL restarts (fast shutdown: its connections are cut, then it starts again on
// the same port and data) under continuous traffic. Sends in that window must be answered
// `unavailable` (retry with the same clientId), never `internal`; nothing acked is lost.

import { describe, it } from 'vitest';
import { loadProfile } from './profile.ts';
import { budgetMs, runClusterScenario, sleep } from './scenario.ts';

describe('[FAULT-PG] PostgreSQL restart', () => {
  it('[FAULT-PG1] restart under traffic: no internal errors, 0 lost, 0 duplicated, 0 reordered; no flicker', { timeout: budgetMs(loadProfile(), 15_000) }, async () => {
    await runClusterScenario({
      id: 'postgres-restart',
      title: 'PostgreSQL restart',
      ownPostgres: true,
      async fault({ stack, rec, profile, notes }) {
        for (let round = 0; round < profile.rounds; round++) {
          rec.fault('restart postgres');
          const began = performance.now();
          await stack.postgres!.halt('fast');
          await stack.postgres!.start();
          rec.fault('postgres answers');
          notes.push(`round ${round + 1}: PostgreSQL restarted, answering again after ${((performance.now() - began) / 1000).toFixed(1)} s`);
          if (round + 1 < profile.rounds) await sleep(5000);
        }
      },
    });
  });
});
