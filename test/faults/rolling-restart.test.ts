// [FAULT-ROLL] A rolling restart under continuous traffic, as an orchestrator does it: SIGTERM one
// node, start it again on its port, and once it listens wait 2 s and do the next. One node is up
// at every moment, so no client may be refused for long; every SIGTERM must drain (no handler
// failing against a closed database) and end in a clean exit (code 0).

import { describe, it } from 'vitest';
import { nginxEvidence } from './evidence.ts';
import { logEvents } from './stack.ts';
import { loadProfile } from './profile.ts';
import { seconds } from './report.ts';
import { budgetMs, RECONNECT_BOUND_MS, reconnectsAfter, runClusterScenario, sleep } from './scenario.ts';

const APART_MS = 2000;

describe('[FAULT-ROLL] rolling restart, nodes 2 s apart', () => {
  it('[FAULT-ROLL1] every node restarted in turn: clean exits, nobody locked out, 0 lost, 0 duplicated, 0 reordered; no flicker', { timeout: budgetMs(loadProfile(), 30_000) }, async () => {
    await runClusterScenario({
      id: 'rolling-restart',
      title: 'rolling restart, nodes 2 s apart',
      async fault({ stack, rec, profile, notes, fail, atEnd }) {
        for (let round = 0; round < profile.rounds; round++) {
          for (let i = 0; i < stack.nodes.length; i++) {
            const name = stack.nodes[i].name;
            rec.fault(`SIGTERM ${name}`);
            const termAt = rec.now();
            const going = stack.nodes[i].proc!;
            const { code, ms } = await stack.terminate(i);
            // What was in progress when the signal came must finish, not fail against a closed database.
            const stopping = going.output().slice(Math.max(0, going.output().indexOf('"event":"server.stopping"')));
            const failed = logEvents(stopping, 'handler.failed').map((l) => /"handler":"([^"]+)".*?"message":"([^"]{0,80})/.exec(l)?.slice(1).join(': ') ?? l.slice(0, 120));
            fail(failed.length === 0, `node ${name} drains on SIGTERM: ${failed.length} handlers failed while it stopped ${JSON.stringify(failed.slice(0, 3))}`);
            rec.fault(`start ${name}`);
            const startMs = await stack.start(i);
            fail(code === 0, `node ${name} exits cleanly on SIGTERM (exit code ${code} after ${seconds(ms)})`);
            atEnd(() => {
              const moved = reconnectsAfter(rec, termAt, ms + 1000);
              notes.push(`round ${round + 1}: node ${name} exited with code ${code} ${seconds(ms)} after SIGTERM, listening again ${seconds(startMs)} later; ${moved.dropped} clients dropped, the slowest back after ${seconds(moved.longest)} (${moved.client})`);
              fail(moved.longest <= RECONNECT_BOUND_MS, `node ${name}'s clients reconnect within ${seconds(RECONNECT_BOUND_MS)}: the slowest (${moved.client}) took ${seconds(moved.longest)}`);
            });
            await sleep(APART_MS);
          }
        }
        atEnd(() => {
          const e = nginxEvidence(stack.nginx);
          // A poll of a session on the node going away may find no node for it (the other answers
          // 503: not its session); its client opens a new one. A new connection must always get in.
          fail(e.lockedOut === 0, `no new connection refused while a node was up: ${e.lockedOut} got 502 "no live upstreams" over ${seconds(e.lockoutSpanMs)}`);
        });
      },
    });
  });
});
