// [FAULT-KILL] kill -9 of a node under continuous traffic, restarted 5 s later (a supervisor's
// restart): its clients reconnect to the other node through nginx (within RECONNECT_BOUND_MS),
// nothing acked is lost, duplicated or reordered, and nobody flickers: they came back within the
// presence grace period.

import { describe, it } from 'vitest';
import { loadProfile } from './profile.ts';
import { seconds } from './report.ts';
import { budgetMs, RECONNECT_BOUND_MS, reconnectsAfter, runClusterScenario, sleep } from './scenario.ts';

const DOWN_MS = 5000;

describe('[FAULT-KILL] kill -9 of a node', () => {
  it('[FAULT-KILL1] clients move to the other node; 0 lost, 0 duplicated, 0 reordered; no flicker', { timeout: budgetMs(loadProfile(), DOWN_MS * 3) }, async () => {
    await runClusterScenario({
      id: 'kill-node',
      title: 'kill -9 of a node',
      async fault({ stack, rec, profile, notes, fail, atEnd }) {
        for (let round = 0; round < profile.rounds; round++) {
          const i = round % stack.nodes.length;
          const name = stack.nodes[i].name;
          rec.fault(`kill -9 ${name}`);
          const killedAt = rec.now();
          await stack.kill(i);
          await sleep(DOWN_MS);
          rec.fault(`start ${name}`);
          const startMs = await stack.start(i);
          atEnd(() => {
            const moved = reconnectsAfter(rec, killedAt);
            notes.push(`round ${round + 1}: killed node ${name}: ${moved.dropped} clients dropped, all connected again within ${seconds(moved.longest)} (${moved.client}); restarted after ${DOWN_MS / 1000} s, listening in ${seconds(startMs)}`);
            fail(moved.dropped > 0, `the kill dropped clients (${moved.dropped})`);
            fail(moved.longest <= RECONNECT_BOUND_MS, `[FAULT-KILL1] the killed node's clients reconnect within ${seconds(RECONNECT_BOUND_MS)}: the slowest (${moved.client}) took ${seconds(moved.longest)}`);
          });
          if (round + 1 < profile.rounds) await sleep(DOWN_MS);
        }
      },
    });
  });
});
